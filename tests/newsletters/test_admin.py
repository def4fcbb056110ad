"""Editors compose an issue from published stories in the admin, preview it, send a test and send it, and see the
progress; who may not, can't; bad input changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from newsletters.models import Issue
from tests.newsletters.conftest import make_subscribers


@pytest.fixture
def staff(db):
    client = Client()
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    return client


def test_compose_preview_test_and_send(newsroom, servers, staff, articles, django_capture_on_commit_callbacks):
    primary, _fallback = servers()
    make_subscribers(20)
    english = [a for a in articles if a.language == "en"][:2]
    form = staff.get("/admin/newsletters/new/")
    assert form.status_code == 200 and english[0].title.encode() in form.content
    response = staff.post(
        "/admin/newsletters/new/",
        {
            "list": "weekly",
            "language": "en",
            "subject": "This week",
            "intro": "Hello.",
            "articles": [a.pk for a in english],
        },
    )
    issue = Issue.objects.get()
    assert response.status_code == 302 and issue.article_ids == [a.pk for a in english]

    preview = staff.get(f"/admin/newsletters/{issue.pk}/preview/")
    assert preview.status_code == 200 and english[1].title.encode() in preview.content
    assert "sandbox" in preview["Content-Security-Policy"]

    staff.post(f"/admin/newsletters/{issue.pk}/", {"do": "test", "email": "editor@inbox.example"})
    test = primary.handler.wait_for(1)[0]
    assert test["To"] == "editor@inbox.example" and test["Subject"] == "[test] This week"

    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/admin/newsletters/{issue.pk}/", {"do": "send", "send_at": ""})
    assert len(primary.handler.wait_for(21)) == 21
    page = staff.get(f"/admin/newsletters/{issue.pk}/")
    assert b"Sent to 20 of 20." in page.content
    assert b"This week" in staff.get("/admin/newsletters/").content
    assert staff.post(f"/admin/newsletters/{issue.pk}/edit/", {"subject": "x"}).status_code == 400


def test_bad_input_and_bad_ids(newsroom, staff, russian_article):
    response = staff.post("/admin/newsletters/new/", {"list": "nope", "language": "en", "subject": ""})
    assert response.status_code == 400 and not Issue.objects.exists()
    mixed = {"list": "weekly", "language": "en", "subject": "Mixed", "articles": [russian_article.pk]}
    response = staff.post("/admin/newsletters/new/", mixed)
    assert response.status_code == 400 and b"in the issue&#x27;s language" in response.content
    assert not Issue.objects.exists()
    assert staff.get("/admin/newsletters/999999999/").status_code == 404
    assert staff.get(f"/admin/newsletters/{2**70}/").status_code == 404


def test_readers_without_the_permission_are_refused(newsroom, db):
    user = get_user_model().objects.create_user("someone", password="x" * 12)
    client = Client()
    client.force_login(user)
    for url in ("/admin/newsletters/", "/admin/newsletters/new/"):
        assert client.get(url).status_code in (302, 403)
    assert not Issue.objects.exists()


def test_a_scheduled_issue_starts_when_due_and_unconfirmed_addresses_go_after_a_week(
    newsroom, servers, staff, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from newsletters.models import Subscriber

    primary, _fallback = servers()
    make_subscribers(4)
    old = make_subscribers(2, confirmed=False, prefix="forgot")
    Subscriber.objects.filter(pk__in=[s.pk for s in old]).update(created_at=timezone.now() - dt.timedelta(days=8))
    staff.post("/admin/newsletters/new/", {"list": "weekly", "language": "en", "subject": "Later", "intro": ""})
    issue = Issue.objects.get()
    soon = timezone.now() + dt.timedelta(minutes=5)
    staff.post(f"/admin/newsletters/{issue.pk}/", {"do": "send", "send_at": soon.strftime("%Y-%m-%d %H:%M:%S")})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SCHEDULED
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_scheduled_newsletters")
    assert Issue.objects.get().status == Issue.Status.SCHEDULED and primary.messages == []
    assert not Subscriber.objects.filter(email__startswith="forgot").exists()

    Issue.objects.update(send_at=timezone.now() - dt.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_scheduled_newsletters")
    assert len(primary.handler.wait_for(4)) == 4
    assert Issue.objects.get().status == Issue.Status.SENT


def test_editors_compose_newsletters_and_the_revenue_role_does_not(newsroom, db):
    """The roles as the demo's accounts have them: the editor reaches the newsletters, the revenue account does not."""
    editor = get_user_model().objects.get(username="editor")
    revenue = get_user_model().objects.get(username="revenue")
    assert editor.has_perm("newsletters.change_issue") and editor.has_perm("newsletters.view_issue")
    client = Client()
    client.force_login(editor)
    assert client.get("/admin/newsletters/").status_code == 200
    assert client.get("/admin/newsletters/new/").status_code == 200
    client.force_login(revenue)
    assert client.get("/admin/newsletters/").status_code in (302, 403)
