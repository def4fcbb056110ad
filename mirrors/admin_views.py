"""*Mirrors* in the Wagtail admin: the newsroom's mirrors with their pool and health, the signed list readers get, and
adding, changing, blocking, retiring and restoring a mirror; the dashboard panel with the health figures.

Who may do what (superusers always may): ``mirrors.view_mirror`` sees the page and the panel, ``mirrors.add_mirror``
adds, ``mirrors.change_mirror`` changes, blocks, retires and restores. The Editors role holds all three
(``publishing/roles.py``): editors decide where the site is published. Views are thin: they parse, check access,
call one action of :mod:`mirrors.actions` with ``Actor.staff(user)``, and render. A bad id is a 404, bad input a
message on the form — never a 500, never half a change.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.actions import Actor
from core.errors import DomainError
from mirrors import actions, mirror_list
from mirrors.models import Mirror
from mirrors.validation import check_mirror

VIEW_PERMISSION = "mirrors.view_mirror"
ADD_PERMISSION = "mirrors.add_mirror"
CHANGE_PERMISSION = "mirrors.change_mirror"
LARGEST_ID = 2**63 - 1


def can_view_mirrors(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


def can_add_mirrors(user) -> bool:
    return user.is_active and user.has_perm(ADD_PERMISSION)


def can_change_mirrors(user) -> bool:
    return user.is_active and user.has_perm(CHANGE_PERMISSION)


def health_figures() -> dict:
    """How many mirrors on a list (neither retired nor blocked) are fresh, stale, down, not checked yet."""
    listed = Mirror.objects.filter(retired_at__isnull=True, blocked_at__isnull=True)
    counts = dict.fromkeys(Mirror.Health.values, 0)
    for health in listed.values_list("health", flat=True):
        counts[health] += 1
    return counts


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    """A page of *Mirrors* in the admin's frame, open to the users ``permission_check`` lets in."""

    permission_check = staticmethod(can_view_mirrors)
    header_icon = "site"

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_check(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


def _mirror(pk) -> Mirror:
    mirror = Mirror.objects.filter(pk=pk).first() if 0 < pk <= LARGEST_ID else None
    if mirror is None:
        raise Http404("No such mirror")
    return mirror


class MirrorForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=300,
        help_text=gettext_lazy("Where readers reach the copy: https://… or, for an onion service, http://….onion."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Mirror.Kind.choices)
    carrier = forms.ChoiceField(
        label=gettext_lazy("Carried by"),
        choices=Mirror.Carrier.choices,
        help_text=gettext_lazy("For the newsroom only; the list says only the kind."),
    )
    pool = forms.ChoiceField(
        label=gettext_lazy("Pool"),
        choices=Mirror.Pool.choices,
        help_text=gettext_lazy(
            "Who may learn of it. Only the public pool is on the mirrors page, in mirrors.json and its feed; "
            "the others are kept for their own channels, and private ones are never published."
        ),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, mirror=None, **kwargs):
        self.mirror = mirror
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned.update(
                check_mirror(
                    url=cleaned["url"],
                    kind=cleaned["kind"],
                    carrier=cleaned["carrier"],
                    pool=cleaned["pool"],
                    exclude_pk=self.mirror.pk if self.mirror else None,
                )
            )
        except ValidationError as error:
            for field, field_errors in error.error_dict.items():
                self.add_error(field, field_errors)
        return cleaned


class MirrorsView(AdminPage):
    template_name = "mirrors/admin/mirrors.html"
    page_title = gettext_lazy("Mirrors")

    def get(self, request, *args, **kwargs):
        mirrors = sorted(Mirror.objects.all(), key=lambda mirror: (not mirror.listed, mirror.pool, mirror.pk))
        latest = mirror_list.latest_list()
        context = self.get_context_data(
            mirrors=mirrors,
            latest=latest,
            published=len(mirror_list.public_alternatives(mirror_list.parsed(latest))) if latest else 0,
            fingerprint=mirror_list.fingerprint(latest.public_key) if latest else "",
            figures=health_figures(),
            may_add=can_add_mirrors(request.user),
            may_change=can_change_mirrors(request.user),
        )
        return self.render_to_response(context)


class MirrorAddView(AdminPage):
    template_name = "mirrors/admin/mirror_form.html"
    page_title = gettext_lazy("Add a mirror")
    permission_check = staticmethod(can_add_mirrors)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=MirrorForm(), mirror=None))

    def post(self, request, *args, **kwargs):
        form = MirrorForm(request.POST)
        if form.is_valid():
            try:
                mirror = actions.add_mirror(actor=Actor.staff(request.user), **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Added %(url)s.") % {"url": mirror.url} + _signing_note(mirror))
                return redirect("mirrors_admin")
        return self.render_to_response(self.get_context_data(form=form, mirror=None), status=400)


def _signing_note(mirror) -> str:
    if mirror.pool == Mirror.Pool.PUBLIC and mirror.listed:
        return " " + _("The public list was signed again with it.")
    return ""


class MirrorEditView(AdminPage):
    template_name = "mirrors/admin/mirror_form.html"
    page_title = gettext_lazy("Mirror")
    permission_check = staticmethod(can_change_mirrors)

    def get(self, request, pk, *args, **kwargs):
        mirror = _mirror(pk)
        initial = {name: getattr(mirror, name) for name in actions.EDITABLE_FIELDS}
        return self.render_to_response(self.get_context_data(form=MirrorForm(initial=initial), mirror=mirror))

    def post(self, request, pk, *args, **kwargs):
        mirror = _mirror(pk)
        form = MirrorForm(request.POST, mirror=mirror)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in actions.EDITABLE_FIELDS}
            try:
                actions.change_mirror(actor=Actor.staff(request.user), mirror_id=mirror.pk, **values)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Saved %(url)s.") % {"url": values["url"]})
                return redirect("mirrors_admin")
        return self.render_to_response(self.get_context_data(form=form, mirror=mirror), status=400)


# What each button does: the action, and what to say when it changed something and when it was already so.
MOMENTS = {
    "block": (
        actions.block_mirror,
        gettext_lazy("%(url)s is marked blocked and has left the list; the list was signed again."),
        gettext_lazy("%(url)s was already marked blocked."),
    ),
    "retire": (
        actions.retire_mirror,
        gettext_lazy("%(url)s is retired and has left the list; the list was signed again."),
        gettext_lazy("%(url)s was already retired."),
    ),
    "restore": (
        actions.restore_mirror,
        gettext_lazy("%(url)s is back on its pool's list."),
        gettext_lazy("%(url)s was already on its pool's list."),
    ),
}


class MirrorMomentView(AdminPage):
    """POST only: block, retire or restore one mirror, then back to the list of mirrors."""

    http_method_names = ["post"]
    permission_check = staticmethod(can_change_mirrors)

    def post(self, request, pk, what, *args, **kwargs):
        if what not in MOMENTS:
            raise Http404("No such action")
        mirror = _mirror(pk)
        action, done, already = MOMENTS[what]
        try:
            mirror, changed = action(actor=Actor.staff(request.user), mirror_id=mirror.pk)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            say = messages.success if changed else messages.info
            say(request, (done if changed else already) % {"url": mirror.url})
        return redirect("mirrors_admin")


class MirrorsPanel(Component):
    """The dashboard's summary: how the mirrors are doing, and the list readers get."""

    name = "mirrors"
    template_name = "mirrors/admin/panel.html"
    order = 150

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        latest = mirror_list.latest_list()
        context.update(figures=health_figures(), latest=latest)
        return context
