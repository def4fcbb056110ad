"""A reader walks a static copy that is not at the root of a host, with JavaScript off (REACH R1 checks 5 and 6): the
``--relative`` export served under ``/a/b/`` by ``python -m http.server``, and the ``--file-urls`` export opened from
disk. Home → a section → a story → a "Read more" story → the first archive page, every page and every file it loads
from the copy itself. Then, with JavaScript on under the sub-path, the reader script finds the goal.json snapshot and
sends no counters."""

from urllib.parse import urlsplit

import pytest

from tests.browser.sends import COUNT_SENDS, leave
from tests.static_host import static_host

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


# Playwright's sync API runs an event loop in this thread; the exports below still use the ORM synchronously.
def _export(tmp_path_factory, name, **options):
    from mirrors.export.run import ExportOptions, export_site

    out = tmp_path_factory.mktemp(name)
    return export_site(out, ExportOptions(jobs=1, brotli_quality=1, **options))


@pytest.fixture(scope="module")
def relative_export(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        return _export(tmp_path_factory, "relative", relative=True)


@pytest.fixture(scope="module")
def file_export(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        return _export(tmp_path_factory, "file-urls", file_urls=True)


@pytest.fixture(scope="module")
def sub_path_server(relative_export, tmp_path_factory):
    """``python -m http.server`` over a directory that holds the export at ``a/b/``: the copy lives at /a/b/."""
    site = tmp_path_factory.mktemp("host")
    (site / "a").mkdir()
    (site / "a" / "b").symlink_to(relative_export.root, target_is_directory=True)
    with static_host(site, prefix="/a/b/") as base:
        yield base


class Walk:
    """One reader in a fresh context, and everything the pages asked for on the way."""

    def __init__(self, browser, base, *, javascript=False):
        self.base = base
        self.context = browser.new_context(java_script_enabled=javascript, service_workers="block")
        self.requests, self.failed, self.errors = [], [], []
        self.context.on("request", lambda request: self.requests.append(request))
        self.context.on("requestfailed", lambda request: self.failed.append(request.url))
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))

    def follow(self, selector):
        """Click the first link matching ``selector`` and land on a page of the copy."""
        link = self.page.locator(selector).first
        href = link.get_attribute("href")
        assert href and not href.startswith(("/", "http")), f"{selector} links outside the copy: {href}"
        self.page.wait_for_load_state("networkidle")  # lazy images still loading would be cancelled by leaving
        with self.page.expect_navigation():
            link.click()
        self.landed()
        return href

    def landed(self):
        url = self.page.url
        assert url.startswith(self.base), url
        if url.startswith("http"):
            assert self.last_document_status() == 200, url
        assert self.page.locator("main#content").count() == 1, url  # a page of ours, not a listing or an error

    def last_document_status(self):
        documents = [r for r in self.requests if r.resource_type == "document"]
        response = documents[-1].response()
        return response.status if response else None

    def finish(self):
        outside = [r.url for r in self.requests if not r.url.startswith(self.base)]
        broken = [r.url for r in self.requests if r.response() is not None and r.response().status >= 400]
        self.context.close()
        assert outside == [], outside
        assert broken == [], broken
        assert self.failed == [], self.failed
        assert self.errors == [], self.errors


def walk_the_copy(walk, start):
    walk.page.goto(start)
    walk.landed()
    walk.follow(".site-nav a >> nth=0")  # the first section
    walk.follow("main .card__title a")  # a story in it
    assert walk.page.locator(".read-more").count() == 1
    walk.follow(".read-more .card__title a")  # a "Read more" story
    walk.follow(".article__kicker a")  # its section
    walk.follow('.archive-nav a:text-is("1")')  # the first archive page
    assert walk.page.locator(".archive-nav [aria-current=page]").inner_text() == "1"
    assert walk.page.locator("main .card__title a").count() >= 1
    page_names = [urlsplit(r.url).path for r in walk.requests if r.resource_type == "document"]
    assert len(page_names) == 6, page_names
    assert any(r.resource_type == "stylesheet" for r in walk.requests)
    assert any(r.resource_type == "image" for r in walk.requests)
    walk.finish()


def test_the_relative_export_walks_under_a_sub_path(sub_path_server, chromium):
    walk_the_copy(Walk(chromium, sub_path_server), sub_path_server)


def test_the_file_urls_export_walks_from_disk(file_export, chromium):
    root = file_export.root.resolve().as_uri() + "/"
    walk = Walk(chromium, root)
    walk_the_copy(walk, root + "index.html")


def test_the_reader_script_under_a_sub_path_reads_the_snapshot_and_sends_nothing(sub_path_server, chromium):
    walk = Walk(chromium, sub_path_server, javascript=True)
    walk.context.add_init_script(COUNT_SENDS)
    walk.page.goto(sub_path_server)
    walk.follow("main .card__title a")
    while walk.page.locator("#sz-asks").count() == 0:  # a story with asks (some have none)
        walk.follow(".read-more .card__title a")
    walk.page.wait_for_load_state("networkidle")
    goal = [r for r in walk.requests if r.resource_type == "fetch"]
    assert [r.url for r in goal] == [sub_path_server + "support/goal.json"]
    assert goal[0].response().status == 200
    assert walk.page.locator("[data-ask-surface]:visible").count() >= 1
    assert leave(walk.page) == 0  # the reader script handed the browser nothing to send, on leaving or before
    assert not [r for r in walk.requests if r.method == "POST" or "/events/" in r.url]
    assert walk.page.locator(".ask--appeal .ask__later a[href^='mailto:']").count() == 1
    walk.finish()
