"""A page behind a view restriction never becomes public bytes, and leaves every public list at once."""

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

pytestmark = pytest.mark.django_db


def test_a_restricted_story_is_neither_served_publicly_nor_listed(article, django_capture_on_commit_callbacks):
    client = Client()
    assert client.get(article.url).status_code == 200
    assert article.title.encode() in client.get("/feed.xml").content
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=article, restriction_type="password", password="letmein")
    response = client.get(article.url)
    assert response.status_code == 200  # Wagtail's password form, not the story
    assert article.standfirst.encode() not in response.content
    assert "public" not in response.headers.get("Cache-Control", "")
    assert "X-Page-Cache" not in response.headers
    assert article.title.encode() not in client.get("/feed.xml").content
    assert article.title.encode() not in client.get(article.get_parent().url).content
