"""The newsroom's roles, kept in step with the code after every ``migrate``.

* **Editors** write, edit, schedule and publish anything under the home page, manage images, documents and snippets,
  edit the support campaigns and their asks, read the ask statistics, keep the mirrors (add, change, block,
  retire; never delete: a mirror's history stays), and compose and send the newsletters.
* **Contributors** write and edit drafts and upload images; publishing needs an editor, through the approval workflow.
* **Revenue** reads the campaigns and the ask statistics, sees every contribution (card ones too), confirms
  the money that arrived (or marks a payment as failed) and imports bank statements (``support.view_contribution``,
  ``support.view_payment``, ``support.change_payment``: see ``support/admin/contributions.py``), and keeps the
  exchange rates (``support.*_exchangerate``); it publishes nothing.
  Editors do not handle money.
"""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
CONTRIBUTORS = "Contributors"
REVENUE = "Revenue"

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
CONTRIBUTOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
EDITOR_MODEL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("publishing", "add_author"),
    ("publishing", "change_author"),
    ("publishing", "delete_author"),
    ("publishing", "add_topic"),
    ("publishing", "change_topic"),
    ("publishing", "delete_topic"),
    ("publishing", "view_licence"),
    # The newsroom's asks: copy, campaigns and their statistics.
    ("support", "add_campaign"),
    ("support", "change_campaign"),
    ("support", "view_campaign"),
    ("support", "add_askvariant"),
    ("support", "change_askvariant"),
    ("support", "delete_askvariant"),
    ("support", "view_askvariant"),
    ("support", "view_askcounter"),
    # Where the site is published: the mirrors, their pools, blocking and retiring them (mirrors/admin_views.py).
    ("mirrors", "add_mirror"),
    ("mirrors", "change_mirror"),
    ("mirrors", "view_mirror"),
    # The newsletters: compose, preview, test and send issues (newsletters/admin_views.py).
    ("newsletters", "add_issue"),
    ("newsletters", "change_issue"),
    ("newsletters", "view_issue"),
]
CONTRIBUTOR_MODEL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("publishing", "view_author"),
    ("publishing", "view_topic"),
    ("publishing", "view_licence"),
]
REVENUE_MODEL_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("support", "view_campaign"),
    ("support", "view_askvariant"),
    ("support", "view_askcounter"),
    # Bank transfers and crypto: see them, confirm the money or mark it failed, import statements.
    ("support", "view_contribution"),
    ("support", "view_payment"),
    ("support", "change_payment"),
    # Exchange rates (Snippets → Exchange rates): the dated rates the figures are converted at.
    ("support", "add_exchangerate"),
    ("support", "change_exchangerate"),
    ("support", "delete_exchangerate"),
    ("support", "view_exchangerate"),
]
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]
CONTRIBUTOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
]


def _permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_newsroom_roles():
    """Create or repair the Editors, Contributors and Revenue groups. Safe to run any number of times."""
    from wagtail.models import (
        Collection,
        GroupApprovalTask,
        GroupCollectionPermission,
        GroupPagePermission,
    )

    from publishing.models import HomePage

    home = HomePage.objects.first()
    root_collection = Collection.get_first_root_node()
    if home is None or root_collection is None:
        return
    roles = {
        EDITORS: (EDITOR_PAGE_PERMISSIONS, EDITOR_MODEL_PERMISSIONS, EDITOR_COLLECTION_PERMISSIONS),
        CONTRIBUTORS: (CONTRIBUTOR_PAGE_PERMISSIONS, CONTRIBUTOR_MODEL_PERMISSIONS, CONTRIBUTOR_COLLECTION_PERMISSIONS),
        REVENUE: ([], REVENUE_MODEL_PERMISSIONS, []),
    }
    page_type_perms = {
        p.codename: p
        for p in Permission.objects.filter(content_type__app_label="wagtailcore", content_type__model="page")
    }
    for name, (page_perms, model_perms, collection_perms) in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        GroupPagePermission.objects.filter(group=group).exclude(page=home).delete()
        wanted = {page_type_perms[codename] for codename in page_perms}
        GroupPagePermission.objects.filter(group=group, page=home).exclude(permission__in=wanted).delete()
        for permission in wanted:
            GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
        group.permissions.set([_permission(app, codename) for app, codename in model_perms])
        GroupCollectionPermission.objects.filter(group=group).delete()
        for app, codename in collection_perms:
            GroupCollectionPermission.objects.create(
                group=group, collection=root_collection, permission=_permission(app, codename)
            )
    # Wagtail ships a "Moderators" group and an approval task for it; in this newsroom editors approve.
    editors = Group.objects.get(name=EDITORS)
    for task in GroupApprovalTask.objects.all():
        task.groups.set([editors])
    Group.objects.filter(name="Moderators").delete()


def on_post_migrate(sender, **kwargs):
    # Permissions are created app by app during post_migrate, so wait for the last app.
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is with_models[-1]:
        ensure_newsroom_roles()
