"""The deploy as shipped serves reading pages from the published tree, and a publish reaches it through the worker.

nginx answers reading pages from ``PUBLISHED_TREE_DIR/pages`` (the app's answers carry ``X-Page-Cache``; the tree's
never do), with the app's headers and no cookie; a story published in the deploy's database is live in the tree, on
its own page and on the pages listing it, once the worker has run the task its commit queued; an unpublished one is
gone from the tree and answered by the app. The support pages, logged-in staff and forms always reach the app.
"""

import gzip
import json

from tests.deploy.stack import WAIT_SECONDS, wait_until

PUBLISH = """
from publishing.models import ArticlePage, SectionPage
section = SectionPage.objects.live().filter(depth=3).order_by("path").first()
model = ArticlePage.objects.live().descendant_of(section).filter(language="en").first()
story = ArticlePage(title={title!r}, slug={slug!r}, standfirst="Told first here.", language="en",
                    body=[("paragraph", "<p>The first paragraph of a story the censor would rather nobody read.</p>")])
section.add_child(instance=story)
story.topics.set(model.topics.all())
story.save_revision().publish()
import json; print(json.dumps({{"url": story.url, "section": section.url}}))
"""

UNPUBLISH = """
from publishing.models import ArticlePage
ArticlePage.objects.get(slug={slug!r}).unpublish()
"""


def from_tree(response):
    return response.status == 200 and response.header("X-Page-Cache") is None


def test_reading_pages_come_from_the_tree_with_the_apps_headers(stack):
    response = stack.get("/", headers={"Accept-Encoding": "identity"})
    assert from_tree(response), response.headers
    assert response.body == (stack.tree_pages / "index.html").read_bytes()
    assert response.header("Set-Cookie") is None
    assert response.header("Content-Type") == "text/html; charset=utf-8"
    assert response.header("Content-Language") == "en"
    assert "frame-ancestors 'none'" in response.header("Content-Security-Policy")
    assert response.header("Referrer-Policy") == "no-referrer"
    assert response.header("Cache-Control") == "public, max-age=60"
    assert len(response.headers_named("Strict-Transport-Security")) == 1
    assert len(response.headers_named("X-Content-Type-Options")) == 1
    # the app's own answer for the same page carries the same headers (the tree's are copied from it)
    app = stack.get("/", headers={"Accept-Encoding": "identity", "Cookie": "sessionid=not-a-session"})
    assert app.header("X-Page-Cache") is not None, "a request with a session must reach the app"
    for name in ("Content-Security-Policy", "Referrer-Policy", "Permissions-Policy", "Cache-Control"):
        assert response.header(name) == app.header(name), name
    assert app.body == response.body
    compressed = stack.get("/", headers={"Accept-Encoding": "gzip"})
    assert compressed.header("Content-Encoding") == "gzip"
    assert gzip.decompress(compressed.body) == response.body


def test_a_published_story_is_served_from_the_tree_once_the_worker_ran(stack):
    title, slug = "Water returned to the river overnight", "water-returned-overnight"
    where = json.loads(stack.manage("shell", "-c", PUBLISH.format(title=title, slug=slug)).strip().splitlines()[-1])
    needle = title.encode()

    def live():
        pages = [stack.get(where["url"]), stack.get("/"), stack.get(where["section"])]
        return all(from_tree(page) and needle in page.body for page in pages)

    wait_until(live, f"the new story in the tree within {WAIT_SECONDS} s", process=stack.processes["worker"])
    assert (stack.tree_pages / where["url"].strip("/") / "index.html.gz").exists()
    feed = stack.get("/feed.xml")
    assert from_tree(feed) and needle in feed.body

    stack.manage("shell", "-c", UNPUBLISH.format(slug=slug))
    wait_until(
        lambda: stack.get(where["url"]).status == 404 and needle not in stack.get("/").body,
        "the unpublished story gone from the tree",
        process=stack.processes["worker"],
    )
    assert not (stack.tree_pages / where["url"].strip("/")).exists()


def test_support_pages_and_forms_reach_the_app(stack):
    landing = stack.get("/support/")
    assert landing.status == 200 and b"<form" in landing.body
    assert not (stack.tree_pages / "support" / "index.html").exists()
    # the transparency page is a reading page: the tree's, with the app's headers
    for path in ("/support/transparency/", "/support/ru/transparency/"):
        page = stack.get(path)
        assert from_tree(page), (path, page.status, page.headers)
        assert page.body == (stack.tree_pages / path.strip("/") / "index.html").read_bytes()
        assert page.header("Set-Cookie") is None and page.header("Referrer-Policy") == "no-referrer"
    goal = stack.get("/support/goal.json")
    assert goal.status == 200 and json.loads(goal.body)
    # a form sent to a reading page's address is the app's to answer (its CSRF check), never nginx's 405
    posted = stack.post("/", {"q": "x"})
    assert posted.status == 403 and b"CSRF" in posted.body
