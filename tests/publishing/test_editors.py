import pytest
from django.contrib.auth.models import Group
from django.test import Client

from publishing.roles import CONTRIBUTORS, EDITORS, REVENUE, ensure_newsroom_roles

pytestmark = pytest.mark.django_db


def user(django_user_model, name):
    return django_user_model.objects.get(username=name)


def test_the_newsrooms_roles_exist_and_nothing_else():
    assert set(Group.objects.values_list("name", flat=True)) == {EDITORS, CONTRIBUTORS, REVENUE}


def test_the_revenue_role_reads_statistics_but_publishes_nothing(django_user_model, article):
    revenue = django_user_model.objects.create_user("revenue-person")
    revenue.groups.add(Group.objects.get(name=REVENUE))
    assert revenue.has_perm("support.view_askcounter")
    assert not article.permissions_for_user(revenue).can_edit()
    client = Client()
    client.force_login(revenue)
    assert client.get("/admin/support/stats/").status_code == 200


def test_editors_publish_and_contributors_only_draft(django_user_model, article):
    editor, contributor = user(django_user_model, "editor"), user(django_user_model, "contributor")
    assert article.permissions_for_user(editor).can_publish()
    assert article.permissions_for_user(editor).can_edit()
    assert not article.permissions_for_user(contributor).can_publish()
    assert article.permissions_for_user(contributor).can_edit()
    section = article.get_parent()
    assert section.permissions_for_user(contributor).can_add_subpage()


def test_roles_are_repaired_idempotently():
    editors = Group.objects.get(name=EDITORS)
    editors.permissions.clear()
    ensure_newsroom_roles()
    ensure_newsroom_roles()
    assert editors.permissions.filter(codename="access_admin").exists()
    assert Group.objects.filter(name=EDITORS).count() == 1


def test_both_roles_can_use_the_admin(django_user_model, article):
    for name in ("editor", "contributor"):
        client = Client()
        client.force_login(user(django_user_model, name))
        assert client.get("/admin/").status_code == 200, name
        assert client.get(f"/admin/pages/{article.pk}/edit/").status_code == 200, name


def test_an_editor_can_preview_a_draft_without_it_reaching_readers(django_user_model, article):
    client = Client()
    client.force_login(user(django_user_model, "editor"))
    response = client.get(f"/admin/pages/{article.pk}/view_draft/")
    assert response.status_code == 200
    assert "public" not in response.headers.get("Cache-Control", "")
    assert "X-Page-Cache" not in response.headers
