"""A batch render of one snapshot remembers what its pages share (core.snapshot); that must never change a byte."""

from urllib.parse import urlsplit

import pytest

from core import snapshot
from mirrors.export import inventory
from mirrors.export.render import Renderer

pytestmark = pytest.mark.django_db


def test_a_batch_renders_every_page_as_rendering_it_alone_would(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, urlsplit(settings.CANONICAL_URL).hostname]
    paths = [entry.path for entry in inventory.public_entries()]
    assert len(paths) > 50 and any(path.startswith("/ru/") or "/ru" in path for path in paths)

    batch = Renderer(settings.CANONICAL_URL)
    together = {}
    for path in paths:
        response, body = batch.get(path)
        together[path] = (response.status_code, body)
    remembered = {key[0] if isinstance(key, tuple) else key for key in batch.batch_memo}
    assert {"card", "read-more-index", "articles-for-cards", "campaign-asks", "section-nav"} <= remembered, remembered

    alone = Renderer(settings.CANONICAL_URL)
    for path in paths:
        alone.batch_memo.clear()  # nothing remembered from any other page
        response, body = alone.get(path)
        assert (response.status_code, body) == together[path], path


def test_outside_a_batch_nothing_is_remembered():
    calls = []
    assert snapshot.remember("key", lambda: calls.append(1) or len(calls)) == 1
    assert snapshot.remember("key", lambda: calls.append(1) or len(calls)) == 2
    assert not snapshot.active()
    with snapshot.batch():
        assert snapshot.active()
        assert snapshot.remember("key", lambda: calls.append(1) or len(calls)) == 3
        assert snapshot.remember("key", lambda: calls.append(1) or len(calls)) == 3
    assert not snapshot.active()


def test_markup_shared_but_for_small_parts_is_rendered_once_per_batch():
    renders = []

    def render(article):
        renders.append(article)
        return f'<a href="/support/?article={article}" data-article="{article}">Give</a>'

    outside = snapshot.remember_with_parts("appeal", render, article=7)
    assert outside == '<a href="/support/?article=7" data-article="7">Give</a>' and renders == [7]
    with snapshot.batch():
        first = snapshot.remember_with_parts("appeal", render, article=7)
        second = snapshot.remember_with_parts("appeal", render, article=8)
    assert first == outside
    assert second == '<a href="/support/?article=8" data-article="8">Give</a>'
    assert len(renders) == 2  # once outside, once for the whole batch (with a stand-in for the id)
