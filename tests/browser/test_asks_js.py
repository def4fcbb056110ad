"""The reader script (support/static/support/reader.js) in headless Chromium, JavaScript on.

Every test starts from a fresh browser context (empty localStorage), runs against the session's demo newsroom and
its English campaign, and checks on the way out that nothing left the origin and that the page logged no error (an
inline script, inline style or `eval` would show up there as a CSP violation).
"""

import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.sends import COUNT_SENDS, leave
from tests.waiting import EVENT_SECONDS

pytestmark = pytest.mark.browser

DAY = 86_400_000  # ms, for Playwright's clock
SURFACES = ("panel", "notice", "appeal")  # the demo campaign has no banner
# A 1×1 PNG: media renditions are not what these tests are about, so they never depend on files on disk.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4ec0000000049454e44ae426082"
)


def bucket(text):
    """The reader script's hash, in Python: FNV-1a then murmur3's finaliser, mapped to [0, 1)."""
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & 0xFFFFFFFF
    return (h ^ (h >> 16)) / 2**32


def reader_id(**wanted):
    """A reader id whose buckets satisfy ``wanted``: surface → predicate on its bucket."""
    for number in range(10_000):
        candidate = f"{number:032x}"
        if all(test(bucket(f"{candidate}:{surface}")) for surface, test in wanted.items()):
            return candidate
    raise AssertionError("no reader id fits")


@dataclass
class Demo:
    campaign: int
    articles: list  # paths of English articles with asks, newest first
    variants: dict  # surface → keys in page order (default first)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from publishing.models import ArticlePage
    from support.models import Campaign

    with django_db_blocker.unblock():
        campaign = Campaign.objects.get(language="en", is_active=True)
        pages = ArticlePage.objects.live().filter(language="en", no_asks=False).order_by("-first_published_at")
        variants = {}
        for variant in campaign.variants.filter(enabled=True).order_by("surface", "-is_default", "key"):
            variants.setdefault(variant.surface, []).append(variant.key)
        return Demo(campaign=campaign.pk, articles=[page.url for page in pages[:3]], variants=variants)


def counters(campaign):
    from support.models import AskCounter

    rows = AskCounter.objects.filter(campaign_id=campaign).values_list("arm", "impressions", "clicks", "closes")
    totals = {}
    for arm, *numbers in rows:
        totals[arm] = [a + b for a, b in zip(totals.get(arm, [0, 0, 0]), numbers, strict=True)]
    return totals


class Reader:
    """One browser context (one reader) with what it sent and logged."""

    def __init__(self, browser, origin, **options):
        self.origin = origin
        self.context = browser.new_context(**options)
        self.requests = []
        self.errors = []
        self.beacons = []  # (events, status) of every POST to /support/events/
        self.document_start = 0  # how many of them had arrived when the current document loaded
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.add_init_script(COUNT_SENDS)
        self.context.route("**/media/**", lambda route: route.fulfill(status=200, content_type="image/png", body=PNG))
        self.context.route("**/support/events/", self._beacon)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("domcontentloaded", lambda _page: setattr(self, "document_start", len(self.beacons)))

    def _beacon(self, route):
        response = route.fetch()
        self.beacons.append((json.loads(route.request.post_data)["events"], response.status))
        route.fulfill(response=response)

    def goto(self, path):
        response = self.page.goto(self.origin + path)
        assert response.ok, (path, response.status)
        return self.page

    def surface(self, name):
        return self.page.locator(f"[data-ask-surface={name}]")

    def shown(self, name):
        """The variant key a surface shows, or None when it is hidden."""
        surface = self.surface(name)
        if surface.is_hidden():
            return None
        return surface.locator(".ask__variant").get_attribute("data-ask-variant")

    def storage(self, key):
        raw = self.page.evaluate("key => localStorage.getItem(key)", f"sz:{key}")
        return None if raw is None else json.loads(raw)

    def seed(self, **values):
        """Put values in this reader's localStorage before the first article (from a same-origin page)."""
        self.goto("/support/goal.json")
        for key, value in values.items():
            self.page.evaluate("([key, value]) => localStorage.setItem(key, value)", [f"sz:{key}", json.dumps(value)])

    def rewrite(self, path, *replacements):
        """Serve the page at ``path`` (any query) with (old, new) replacements: other settings, same server."""

        def handler(route):
            response = route.fetch()
            body = response.text()
            for old, new in replacements:
                assert old in body, old
                body = body.replace(old, new, 1)
            headers = {
                k: v for k, v in response.headers.items() if k.lower() not in ("content-encoding", "content-length")
            }
            route.fulfill(status=response.status, headers=headers, body=body)

        self.context.route(lambda url: urlsplit(url).path == path, handler)

    def flush(self, expected=True):
        """Fire the script's pagehide handler (what leaving the page does) and wait until every batch of counters this
        document has sent (on pagehide, or earlier after its 2 s) has reached the server; with ``expected``, there
        must be some.

        A beacon sent while a document unloads is not seen by Playwright's routing, so the page stays.
        """
        sent = leave(self.page)
        assert sent or not expected, "no counters were sent"
        wait_for(self.page, lambda: len(self.beacons) - self.document_start >= sent, "the counters sent")

    def events(self):
        return [tuple(event) for events, _status in self.beacons for event in events]

    def finish(self):
        origin = urlsplit(self.origin).netloc
        foreign = [url for url in self.requests if urlsplit(url).netloc != origin]
        self.context.close()
        assert foreign == [], foreign
        assert self.errors == [], self.errors
        assert all(status == 204 for _events, status in self.beacons), self.beacons


@pytest.fixture
def reader(chromium, reading_server):
    readers = []

    def make(**options):
        readers.append(Reader(chromium, reading_server, **options))
        return readers[-1]

    yield make
    for one in readers:
        one.finish()


def wait_for(page, predicate, what="the page", seconds=EVENT_SECONDS):
    """Check ``predicate`` until it holds, letting Playwright run the route handlers (it runs them only inside its own
    calls) in between."""
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what}: timed out after {seconds} s"
        page.wait_for_timeout(20)


def test_variant_is_stable_across_reloads_and_links_carry_it(reader, demo):
    me = reader()
    page = me.goto(demo.articles[0])
    keys = {name: me.shown(name) for name in SURFACES}
    # The draw is the documented one: hash(id + ":" + surface) over the variants' weights (all 1 in the demo).
    stored_id = me.storage("id")
    assert len(stored_id) == 32
    for name in SURFACES:
        choices = demo.variants[name]
        assert keys[name] == choices[int(bucket(f"{stored_id}:{name}") * len(choices))]
    for _ in range(3):
        page.reload()
        assert {name: me.shown(name) for name in SURFACES} == keys
    for name in ("panel", "appeal"):
        links = me.surface(name).locator("[data-ask-click], [data-ask-remind]")
        assert links.count() >= 1
        for href in links.evaluate_all("links => links.map(link => link.getAttribute('href'))"):
            assert href.startswith("/support/"), href
            assert parse_qs(urlsplit(href).query)["variant"] == [keys[name]], href
    expect(me.surface("panel").locator("[data-ask-close]")).to_be_visible()


def test_a_template_variant_replaces_the_default(reader, demo):
    me = reader()
    me.seed(id=reader_id(panel=lambda b: b >= 0.5, appeal=lambda b: b >= 0.5))
    me.goto(demo.articles[0])
    assert me.shown("panel") == "panel-readers"
    assert me.shown("appeal") == "appeal-gap"
    panel = me.surface("panel")
    expect(panel.locator(".ask__heading")).to_have_text("Paid for by readers, free for everyone")
    expect(panel.get_by_role("link", name="Join them")).to_be_visible()
    assert panel.locator(".ask__variant").count() == 1
    assert "variant=panel-readers" in panel.get_by_role("link", name="Join them").get_attribute("href")
    appeal = me.surface("appeal")
    assert "variant=appeal-gap" in appeal.locator("[data-ask-remind]").get_attribute("href")
    assert "variant=appeal-gap" in appeal.get_by_role("link", name="€5 a month").get_attribute("href")


def test_supporters_see_thanks_instead_of_asks(reader, demo):
    me = reader()
    me.goto(demo.articles[0])
    with me.page.expect_navigation():
        me.surface("appeal").get_by_role("link", name="I already support").click()
    assert urlsplit(me.page.url).path == "/support/already/"
    assert me.storage("supporter") > time.time() * 1000 + 364 * DAY
    me.goto(demo.articles[1])
    appeal = me.surface("appeal")
    expect(appeal.locator(".ask__thanks")).to_be_visible()
    expect(appeal.locator(".ask__thanks")).to_contain_text("Thank you for supporting us")
    expect(appeal.locator(".ask__variant")).to_be_hidden()
    expect(me.surface("panel")).to_be_hidden()
    expect(me.surface("notice")).to_be_hidden()

    # Reaching /support/already/ any other way marks this browser too.
    other = reader()
    other.goto("/support/already/")
    other.goto(demo.articles[0])
    expect(other.surface("appeal").locator(".ask__thanks")).to_be_visible()
    expect(other.surface("panel")).to_be_hidden()
    other.flush(expected=False)
    assert not [event for event in other.events() if event[1] == "impression"]


def test_closing_an_ask_snoozes_every_ask_for_a_week(reader, demo):
    me = reader()
    me.context.clock.install()
    me.goto(demo.articles[0])
    key = me.shown("panel")
    me.surface("panel").locator("[data-ask-close]").click()
    expect(me.surface("panel")).to_be_hidden()
    me.flush()
    assert (key, "close") in me.events()
    me.goto(demo.articles[1] + "?ask-debug=1")
    for name in SURFACES:
        expect(me.surface(name)).to_be_hidden()
    expect(me.page.locator("pre.ask-debug")).to_contain_text("panel: hidden (snoozed until")

    me.context.clock.fast_forward(6 * DAY)
    me.goto(demo.articles[0])
    assert [me.shown(name) for name in SURFACES] == [None, None, None]
    me.context.clock.fast_forward(2 * DAY)
    me.goto(demo.articles[0])
    assert me.shown("panel") == key
    assert me.shown("appeal") is not None


def test_remind_me_later_opens_the_inline_form_and_snoozes_until_then(reader, demo):
    me = reader()
    posted = []

    def remind(route):  # the reminder endpoint is not what this tests: answer the real form POST here
        posted.append(parse_qs(route.request.post_data))
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>ok</title><p>ok</p>")

    me.context.route("**/support/remind/", remind)
    me.context.clock.install()
    me.goto(demo.articles[0])
    appeal = me.surface("appeal")
    key = me.shown("appeal")
    url = me.page.url
    appeal.get_by_role("link", name="Remind me later").click()
    email = appeal.get_by_label("Your email")
    expect(email).to_be_visible()
    expect(email).to_be_focused()
    assert me.page.url == url  # opened in place, no navigation
    assert appeal.locator("form.remind-form input[name=variant]").input_value() == key
    appeal.get_by_role("link", name="Remind me later").click()
    assert appeal.locator("form.remind-form").count() == 1  # a second click does not add a second form

    email.fill("reader@example.org")
    appeal.get_by_label("In a week").check()
    with me.page.expect_navigation():
        appeal.get_by_role("button", name="Remind me").click()
    assert posted and posted[0]["email"] == ["reader@example.org"] and posted[0]["when"] == ["week"]
    assert posted[0]["variant"] == [key]

    me.goto(demo.articles[1])
    assert [me.shown(name) for name in SURFACES] == [None, None, None]
    me.context.clock.fast_forward(6 * DAY)
    me.goto(demo.articles[1])
    assert me.shown("appeal") is None
    me.context.clock.fast_forward(2 * DAY)
    me.goto(demo.articles[1])
    assert me.shown("appeal") == key


def test_the_appeal_cap_holds_for_thirty_days(reader, demo):
    me = reader()
    me.context.clock.install()
    for view in range(4):
        me.goto(demo.articles[view % 2])
        assert me.shown("appeal") is not None, view
    me.goto(demo.articles[2] + "?ask-debug=1")
    assert me.shown("appeal") is None
    assert me.shown("panel") is not None  # its cap is 10
    expect(me.page.locator("pre.ask-debug")).to_contain_text("appeal: hidden (cap 4/4 in 30 days)")
    me.context.clock.fast_forward(31 * DAY)
    me.goto(demo.articles[2])
    assert me.shown("appeal") is not None


def test_impressions_and_clicks_reach_the_stats(reader, demo):
    me = reader()
    checkout = "<!doctype html><title>checkout</title>"  # checkout is not what this tests
    me.context.route(
        lambda url: urlsplit(url).path == "/support/",
        lambda route: route.fulfill(status=200, content_type="text/html", body=checkout),
    )
    before = counters(demo.campaign)
    me.goto(demo.articles[0])
    keys = [me.shown(name) for name in SURFACES]
    assert None not in keys
    with me.page.expect_navigation():
        me.surface("panel").locator("a[data-ask-click]").first.click()

    def counted():
        after = counters(demo.campaign)
        grew = [after.get(key, [0, 0, 0])[0] > before.get(key, [0, 0, 0])[0] for key in keys]
        clicked = after.get(keys[0], [0, 0, 0])[1] > before.get(keys[0], [0, 0, 0])[1]
        return all(grew) and clicked

    wait_for(me.page, counted)


def test_a_changed_goal_changes_the_meter(reader, demo):
    me = reader()

    def goal(route):
        document = route.fetch().json()
        english = document["campaigns"]["en"]
        english.update(income="12000.00", gap="36000.00", percent=25)
        english["text"].update(percent="25", gap="€36,000")
        route.fulfill(json=document)

    me.context.route("**/support/goal.json", goal)
    me.goto(demo.articles[0])
    meter = me.surface("panel").locator("meter[data-goal-meter]")
    expect(meter).to_have_js_property("value", 12000)
    expect(meter).to_have_js_property("max", 48000)
    expect(me.surface("panel").locator("[data-figure=percent]")).to_have_text("25")
    gaps = me.page.locator("[data-ask-surface]:visible [data-figure=gap]")
    expect(gaps.first).to_have_text("€36,000")
    assert set(gaps.all_inner_texts()) == {"€36,000"}


def test_editors_force_a_variant_and_see_why(reader, demo):
    me = reader()
    me.seed(supporter=int(time.time() * 1000) + 30 * DAY)  # forcing ignores the supporter flag (and the rest)
    me.goto(demo.articles[0] + "?ask=panel-readers&ask-debug=1")
    assert me.shown("panel") == "panel-readers"
    expect(me.surface("panel").locator(".ask__heading")).to_have_text("Paid for by readers, free for everyone")
    assert me.shown("notice") is None
    expect(me.surface("appeal").locator(".ask__thanks")).to_be_visible()
    debug = me.page.locator("#sz-asks + pre.ask-debug")
    expect(debug).to_contain_text("panel: shown panel-readers (forced)")
    expect(debug).to_contain_text("notice: hidden (supporter)")
    me.goto(demo.articles[0] + "?ask=appeal-gap")
    assert me.shown("appeal") == "appeal-gap"
    me.flush(expected=False)
    assert me.beacons == []  # a preview counts nothing
    assert me.storage("seen") is None  # and remembers nothing


def test_the_debug_block_tells_a_reader_why(reader, demo):
    me = reader()
    me.goto(demo.articles[0] + "?ask-debug=1")
    lines = me.page.locator("pre.ask-debug").inner_text().splitlines()
    assert lines[0] == "asks (reader, read this month: 1)"
    assert lines[1:] == [f"{name}: shown {me.shown(name)} (cap 1/{10 if name != 'appeal' else 4})" for name in SURFACES]
    me.goto("/?ask-debug=1")  # a page without asks says so at the top of <main>
    expect(me.page.locator("main > pre.ask-debug:first-child")).to_have_text("asks: none on this page")


def test_weights_and_schedules_decide_the_draw(reader, demo):
    me = reader()
    past, future = "2000-01-01T00:00:00+00:00", "2999-01-01T00:00:00+00:00"
    me.rewrite(
        demo.articles[0],
        ('data-ask-variant="panel-readers" data-weight="1"', 'data-ask-variant="panel-readers" data-weight="3"'),
        (
            'data-ask-variant="appeal-gap" data-weight="1"',
            f'data-ask-variant="appeal-gap" data-weight="1" data-starts="{future}"',
        ),
        (
            'data-ask-variant="notice-banned" data-weight="1"',
            f'data-ask-variant="notice-banned" data-weight="1" data-ends="{past}"',
        ),
    )
    # Equal weights would give these buckets the defaults; 1:3 gives the panel's second variant from 0.25 up.
    me.seed(id=reader_id(panel=lambda b: 0.3 < b < 0.45, appeal=lambda b: b > 0.6))
    me.goto(demo.articles[0] + "?ask-debug=1")
    assert me.shown("panel") == "panel-readers"
    assert me.shown("appeal") == "appeal-favour"  # appeal-gap has not started yet
    assert me.shown("notice") is None
    expect(me.page.locator("pre.ask-debug")).to_contain_text("notice: hidden (not running)")


def test_holdback_readers_see_no_asks_and_are_counted(reader, demo):
    me = reader()
    me.rewrite(demo.articles[0], ('data-holdback="0"', 'data-holdback="90"'))
    me.seed(id=reader_id(holdback=lambda b: b < 0.9))
    me.goto(demo.articles[0] + "?ask-debug=1")
    assert [me.shown(name) for name in SURFACES] == [None, None, None]
    expect(me.page.locator("pre.ask-debug")).to_contain_text("appeal: hidden (holdback)")
    me.flush()
    assert me.events() == [("holdback", "impression")]


def test_control_readers_see_no_ask_on_that_surface_and_are_counted(reader, demo):
    me = reader()
    me.rewrite(demo.articles[0], ('data-controls="panel:0,', 'data-controls="panel:50,'))
    me.seed(id=reader_id(panel=lambda b: b < 0.5, appeal=lambda b: b < 0.5))
    me.goto(demo.articles[0] + "?ask-debug=1")
    assert me.shown("panel") is None
    assert me.shown("appeal") == demo.variants["appeal"][0]
    expect(me.page.locator("pre.ask-debug")).to_contain_text("panel: hidden (control)")
    me.flush()
    assert ("control:panel", "impression") in me.events()
    assert all(arm != demo.variants["panel"][0] for arm, _kind in me.events())


def test_reading_count_counts_each_article_once_a_month(reader, demo):
    me = reader()
    me.goto(demo.articles[0])
    expect(me.surface("appeal").locator("[data-reads-line]")).to_be_hidden()
    me.goto(demo.articles[1])
    line = me.surface("appeal").locator("[data-reads-line]")
    expect(line).to_be_visible()
    expect(line.locator("[data-reads-count]")).to_have_text("2")
    me.goto(demo.articles[0])
    expect(me.surface("appeal").locator("[data-reads-count]")).to_have_text("2")


def test_static_mirrors_send_no_counters(reader, demo):
    me = reader()
    me.rewrite(demo.articles[0], ("<head>", '<head><meta name="samizdat:mode" content="static">'))
    me.goto(demo.articles[0])
    assert me.shown("panel") is not None
    me.flush(expected=False)
    assert me.beacons == []


def test_without_local_storage_the_asks_still_work(reader, demo):
    me = reader()
    me.context.add_init_script(
        "Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('denied', 'SecurityError'); }});"
    )
    me.goto(demo.articles[0])
    assert None not in [me.shown(name) for name in SURFACES]
    me.flush()
    assert sorted(kind for _arm, kind in me.events()) == ["impression"] * 3


def test_a_reader_path_stays_on_the_origin_without_errors(reader, demo):
    me = reader()
    page = me.goto("/")
    with page.expect_navigation():
        page.locator(".lead-story .card__title a").click()
    if page.locator("#sz-asks").count() == 0:
        me.goto(demo.articles[0])
    assert page.locator("[data-ask-surface]:visible").count() >= 1
    # the 2-second flush goes out while the reader is still on the page
    wait_for(page, lambda: me.beacons, "the short-visit flush")
    assert me.beacons, "the short-visit flush did not happen"
    me.goto("/")
    # finish() (fixture teardown) checks the collected requests and console messages
