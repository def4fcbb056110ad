"""The published tree: reading pages as files, byte for byte what the app answers, rewritten where a change reaches.

Every test ends by comparing the whole tree with what the app answers now for each of its paths: a file the rules
forgot to rewrite would show up there, and the count of files written shows nothing else was touched.
"""

import gzip
import threading
import time
from pathlib import Path

import brotli
import pytest
from django.core.management import CommandError, call_command

from mirrors.tree.publish import publish
from mirrors.tree.store import Tree
from publishing.models import ArticlePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(settings, tmp_path, origin_client):
    settings.PUBLISHED_TREE_DIR = str(tmp_path / "tree")
    settings.PUBLISHED_TREE_BROTLI_QUALITY = 5  # the bytes differ, not the rules; 11 only costs time here
    report = publish(full=True)
    assert report.written == report.rendered > 50 and not report.left_to_app
    return Tree(settings.PUBLISHED_TREE_DIR)


def files(tree):
    """{path: (file, inode, mtime)} of every file of the tree, as the index lists them."""
    with tree.locked():
        rows = tree.stored()
    found = {}
    for path, row in rows.items():
        stat = tree.target(row.file).stat()
        found[path] = (row.file, stat.st_ino, stat.st_mtime_ns)
    return found


def assert_tree_is_the_app(tree, client):
    """Every file of the tree holds what the app answers for its path now, with twins that decode to it; and every
    path the app would put in the tree is there."""
    with tree.locked():
        rows = tree.stored()
    for path, row in rows.items():
        response = client.get(path, HTTP_ACCEPT_ENCODING="identity")
        assert response.status_code == 200, path
        body = tree.target(row.file).read_bytes()
        assert body == response.content, f"{path}: the tree has {difference(body, response.content)}"
        gz, br = (tree.target(row.file + suffix) for suffix in (".gz", ".br"))
        if gz.exists():
            assert gzip.decompress(gz.read_bytes()) == body, path
        if br.exists():
            assert brotli.decompress(br.read_bytes()) == body, path
    assert publish().written == 0  # nothing left that differs


def difference(ours, theirs):
    at = next((n for n, (a, b) in enumerate(zip(ours, theirs, strict=False)) if a != b), min(len(ours), len(theirs)))
    return f"…{ours[max(0, at - 120) : at + 40]!r}… where the app has …{theirs[max(0, at - 120) : at + 40]!r}…"


def rewritten(before, after):
    return {path for path in after if path not in before or after[path][1:] != before[path][1:]}


def test_the_tree_is_what_the_app_answers_headers_and_all(tree, origin_client):
    assert_tree_is_the_app(tree, origin_client)
    response = origin_client.get("/", HTTP_ACCEPT_ENCODING="identity")
    conf = (tree.root / "headers.conf").read_text()
    for name in ("Content-Security-Policy", "Referrer-Policy", "Permissions-Policy", "X-Content-Type-Options"):
        assert f'add_header {name} "{response[name]}" always;' in conf
    assert f'"/" "{response["Content-Language"]}";' in (tree.root / "languages.map").read_text()
    # what must stay live never goes in: the forms, the admin, search, the live figures (of the support pages, only
    # the transparency page, a reading page, is kept)
    for path in ("/support/", "/admin/", "/search/"):
        assert not tree.target(path.strip("/") + "/index.html").exists()
    assert not (tree.pages / "support" / "goal.json").exists()
    for path in ("/admin/", "/search/"):
        assert not (tree.pages / path.strip("/")).exists()
    kept = {str(p.relative_to(tree.pages)) for p in (tree.pages / "support").rglob("*") if p.is_file()}
    assert kept and all("transparency/" in name for name in kept), sorted(kept)


def test_a_new_story_rewrites_the_pages_that_list_it_and_nothing_else(
    tree, origin_client, article, django_capture_on_commit_callbacks
):
    before = files(tree)
    section = article.get_parent()
    story = ArticlePage(
        title="The river that changed course overnight",
        slug="river-changed-course",
        standfirst="Farmers woke to find the water gone.",
        body=[("paragraph", "<p>By morning the bed was dry.</p>")],
        language="en",
    )
    with django_capture_on_commit_callbacks(execute=True):
        section.add_child(instance=story)
        story.topics.set(article.topics.all())
        story.save_revision().publish()
    after = files(tree)
    story.refresh_from_db()
    assert story.url in after
    changed = rewritten(before, after)
    assert {story.url, "/", section.url} <= changed
    assert len(changed) < len(after) / 2, changed
    untouched = [path for path in after if path not in changed]
    assert untouched, "a new story must not rewrite the whole tree"
    assert_tree_is_the_app(tree, origin_client)


def test_unpublishing_takes_the_file_away_and_the_links_to_it(
    tree, origin_client, article, django_capture_on_commit_callbacks
):
    file = tree.target(article.url.strip("/") + "/index.html")
    assert file.exists()
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert not file.exists() and not Path(f"{file}.gz").exists()
    assert origin_client.get(article.url).status_code == 404  # the app answers what the tree no longer has
    for path, (name, _inode, _mtime) in files(tree).items():
        assert article.url.encode() not in tree.target(name).read_bytes(), f"{path} still links to the story"
    assert_tree_is_the_app(tree, origin_client)


def test_a_corrected_headline_reaches_every_page_showing_it(
    tree, origin_client, article, django_capture_on_commit_callbacks
):
    page = article.get_latest_revision_as_object()
    page.title = "A corrected headline, everywhere it is shown"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    shown = [
        path
        for path, (name, *_rest) in files(tree).items()
        if b"A corrected headline" in tree.target(name).read_bytes()
    ]
    assert article.url in shown and "/" in shown and "/feed.xml" in shown
    assert_tree_is_the_app(tree, origin_client)


def test_new_ask_copy_rewrites_the_pages_with_asks(tree, origin_client, django_capture_on_commit_callbacks):
    from support.models import AskVariant

    variant = AskVariant.objects.filter(is_default=True, surface="panel").first()
    with django_capture_on_commit_callbacks(execute=True):
        variant.heading = "Nobody else will print this story"
        variant.save()
    with tree.locked():
        live = [row for row in tree.stored().values() if row.live]
    assert live
    assert any(b"Nobody else will print this story" in tree.target(row.file).read_bytes() for row in live)
    assert_tree_is_the_app(tree, origin_client)


def test_figures_are_rendered_again_when_due(tree, origin_client, settings):
    from support.models import Campaign

    with tree.locked():
        live = sorted(path for path, row in tree.stored().items() if row.live)
    assert live
    call_command("publish_tree", "--refresh", verbosity=0)  # the first refresh notes what goal.json says
    noted = time.time()
    campaign = Campaign.objects.filter(is_active=True, language="en").first()
    # no signal, as when the ledger moves: the figures change, nothing is announced
    Campaign.objects.filter(pk=campaign.pk).update(monthly_cost=campaign.monthly_cost * 2)
    before = files(tree)
    assert publish(refresh=True, now=noted + 10).written == 0, "moved, but not PUBLISHED_FIGURES_SECONDS ago"
    assert rewritten(before, files(tree)) == set()
    report = publish(refresh=True, now=noted + settings.PUBLISHED_FIGURES_SECONDS + 1)
    changed = rewritten(before, files(tree))
    assert report.written == len(changed) and changed and changed <= set(live)
    assert_tree_is_the_app(tree, origin_client)
    # unmoved figures wait for PAGE_CACHE_SECONDS (scheduled copy), then the pages are rendered (and none differs)
    later = noted + settings.PUBLISHED_FIGURES_SECONDS + 2
    assert publish(refresh=True, now=later).rendered == 0
    assert publish(refresh=True, now=later + settings.PAGE_CACHE_SECONDS).rendered == len(live)


def test_a_reader_never_gets_half_a_file(tree, article, django_capture_on_commit_callbacks):
    name = article.url.strip("/") + "/index.html"
    target = tree.target(name)
    versions, seen, stop = {target.read_bytes()}, [], threading.Event()

    def read():
        while not stop.is_set():
            seen.append(target.read_bytes())
            gz = Path(f"{target}.gz")
            if gz.exists():
                gzip.decompress(gz.read_bytes())  # raises on a partial twin

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(5):
            page = article.get_latest_revision_as_object()
            page.title = f"Headline number {n}"
            with django_capture_on_commit_callbacks(execute=True):
                page.save_revision().publish()
            versions.add(target.read_bytes())
    finally:
        stop.set()
        reader.join()
    assert len(versions) == 6 and seen
    assert set(seen) <= versions, "a reader saw bytes that were never a whole version of the page"


def test_the_command_names_bad_input(settings, tmp_path):
    settings.PUBLISHED_TREE_DIR = ""
    with pytest.raises(CommandError, match="Set PUBLISHED_TREE_DIR"):
        call_command("publish_tree", verbosity=0)
    call_command("publish_tree", "--refresh", verbosity=0)  # the scheduler runs it on sites without a tree too
    settings.PUBLISHED_TREE_DIR = str(tmp_path / "tree")
    with pytest.raises(CommandError, match="Unknown kind of change: 'bogus'"):
        call_command("publish_tree", "--change", "bogus:1", verbosity=0)
    settings.CANONICAL_URL = "https://news.elsewhere.example"
    with pytest.raises(CommandError, match=r"'news\.elsewhere\.example' is not in ALLOWED_HOSTS"):
        call_command("publish_tree", verbosity=0)
    assert not (tmp_path / "tree").exists()


def test_stray_files_go_on_a_full_rebuild(tree, origin_client):
    stray = tree.pages / "old-story" / "index.html"
    stray.parent.mkdir()
    stray.write_text("<p>left behind</p>")
    call_command("publish_tree", verbosity=0)
    assert not stray.exists() and not stray.parent.exists()
    assert_tree_is_the_app(tree, origin_client)


def test_the_scheduler_refreshes_the_tree(tree, settings):
    assert "publish_tree --refresh" in settings.SCHEDULED_COMMANDS
    settings.SCHEDULED_COMMANDS = ["publish_tree --refresh"]
    with tree.locked():
        assert tree.fact("goal") is None
    call_command("run_scheduler", "--once")
    with tree.locked():
        assert tree.fact("goal")  # what goal.json said, noted for the next refresh
