"""The page cache: a hit costs no query, and a publish is visible to the very next reader."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from publishing.models import ArticlePage

pytestmark = pytest.mark.django_db


def test_second_request_is_a_hit_without_queries(article, django_assert_num_queries):
    client = Client()
    assert client.get(article.url).headers["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get(article.url)
    assert response.headers["X-Page-Cache"] == "hit"


def test_query_strings_cannot_push_past_the_cache(article, django_assert_num_queries):
    client = Client()
    plain = client.get(article.url, HTTP_ACCEPT_ENCODING="identity")
    with django_assert_num_queries(0):
        tracked = client.get(article.url + "?utm_source=x&random=8731", HTTP_ACCEPT_ENCODING="identity")
    assert tracked.headers["X-Page-Cache"] == "hit"
    assert tracked.content == plain.content


def test_search_and_admin_are_never_cached():
    client = Client()
    assert "X-Page-Cache" not in client.get("/search/", {"q": "bread"}).headers
    assert "X-Page-Cache" not in client.get("/admin/login/").headers


def test_an_editors_publish_shows_at_once(article, django_capture_on_commit_callbacks):
    client = Client()
    assert article.title.encode() in client.get(article.url).content
    assert client.get("/").status_code == 200
    revision = article.save_revision()
    page = revision.as_object()
    page.title = "A corrected headline"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    for path in (article.url, "/", "/feed.xml"):
        assert b"A corrected headline" in client.get(path).content, path


def test_unpublishing_removes_the_story_at_once(article, django_capture_on_commit_callbacks):
    client = Client()
    assert client.get(article.url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert client.get(article.url).status_code == 404
    assert article.title.encode() not in client.get("/feed.xml").content


def test_renaming_an_author_refreshes_pages(article, django_capture_on_commit_callbacks):
    client = Client()
    client.get(article.url)
    author = article.bylines.first().author
    with django_capture_on_commit_callbacks(execute=True):
        author.name = "Renamed Reporter"
        author.save()
    assert b"Renamed Reporter" in client.get(article.url).content


def test_scheduled_publishing_goes_live_on_time(article, django_capture_on_commit_callbacks):
    section = article.get_parent()
    draft = ArticlePage(
        title="Scheduled story",
        slug="scheduled-story",
        standfirst="Later.",
        body=[("paragraph", "<p>Soon.</p>")],
        live=False,
    )
    section.add_child(instance=draft)
    revision = draft.save_revision(approved_go_live_at=timezone.now() - timezone.timedelta(seconds=1))
    draft.refresh_from_db()
    assert not draft.live and revision.approved_go_live_at
    client = Client()
    assert client.get("/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", once=True)
    draft.refresh_from_db()
    assert draft.live
    assert client.get(draft.url).status_code == 200
    assert b"Scheduled story" in client.get(section.url).content


def test_static_files_cost_no_cache_round_trip(monkeypatch):
    from django.core.cache import caches

    shared_cache = caches["default"]
    reads = []
    real_get_many = shared_cache.get_many
    monkeypatch.setattr(shared_cache, "get_many", lambda keys, **kw: reads.append(keys) or real_get_many(keys, **kw))
    assert Client().get("/static/css/site.css").status_code == 200
    assert reads == []
    Client().get("/topics/")
    assert reads, "a reading page is looked up in the page cache"
