"""Marking a mirror blocked signs a new list without it, one sequence on, and the published tree rewrites the list's
files — and only those — so nginx serves the new list and its signature together (REACH.md R2 check 7, R1.6)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from mirrors.signing import Signer, verify
from mirrors.tree.publish import publish
from mirrors.tree.store import Tree

pytestmark = pytest.mark.django_db

MIRROR_PATHS = {
    "/mirrors.json",
    "/mirrors.json.minisig",
    "/.well-known/samizdat-mirrors.json",
    "/.well-known/samizdat-mirrors.json.minisig",
    "/.well-known/samizdat-mirrors.pub",
    "/mirrors/",
    "/mirrors/ru/",
    "/mirrors/feed.xml",
}


@pytest.fixture
def tree(a_few_mirrors, settings, tmp_path, origin_client):  # origin_client: the canonical host is allowed
    settings.PUBLISHED_TREE_DIR = str(tmp_path / "tree")
    settings.PUBLISHED_TREE_BROTLI_QUALITY = 5
    report = publish(full=True)
    assert not report.left_to_app, report.left_to_app
    return Tree(settings.PUBLISHED_TREE_DIR)


def files(tree):
    with tree.locked():
        rows = tree.stored()
    return {path: (row.file, tree.target(row.file).stat().st_ino, tree.target(row.file).stat().st_mtime_ns) for path, row in rows.items()}  # fmt: skip


def test_the_tree_holds_the_list_and_its_signature_as_the_app_serves_them(tree, origin_client):
    stored = files(tree)
    assert set(stored) >= MIRROR_PATHS
    for path in MIRROR_PATHS:
        assert tree.target(stored[path][0]).read_bytes() == origin_client.get(path).content, path


def test_blocking_a_mirror_signs_a_list_without_it_and_rewrites_only_the_lists_files(
    tree, a_few_mirrors, origin_client, django_capture_on_commit_callbacks
):
    before = files(tree)
    listed = json.loads(tree.target("mirrors.json").read_bytes())
    editor = Client()
    editor.force_login(get_user_model().objects.get(username="editor"))
    cdn = a_few_mirrors["cdn"]

    with django_capture_on_commit_callbacks(execute=True):  # the commit starts the tree's task (run at once here)
        response = editor.post(f"/admin/mirrors/{cdn.pk}/block/")
    assert response.status_code == 302

    data = tree.target("mirrors.json").read_bytes()
    payload = json.loads(data)
    assert payload["sequence"] == listed["sequence"] + 1
    urls = [entry["url"] for entry in payload["sites"][0]["available_alternatives"]]
    assert cdn.url not in urls and a_few_mirrors["onion"].url in urls
    comment = verify(data, tree.target("mirrors.json.minisig").read_text(), Signer.from_settings().public_key)
    assert f"sequence:{payload['sequence']}" in comment
    assert tree.target(".well-known/samizdat-mirrors.json").read_bytes() == data
    for page in ("mirrors/index.html", "mirrors/ru/index.html"):
        assert cdn.url not in tree.target(page).read_text(), page
    assert f"sequence-{payload['sequence']}" in tree.target("mirrors/feed.xml").read_text()

    after = files(tree)
    rewritten = {path for path in after if after[path][1:] != before[path][1:]}
    assert rewritten == MIRROR_PATHS - {"/.well-known/samizdat-mirrors.pub"}  # the key did not change
    for path in MIRROR_PATHS:
        assert tree.target(after[path][0]).read_bytes() == origin_client.get(path).content, path
