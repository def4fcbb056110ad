"""The win-back ask in headless Chromium (on the live site and on a page the static export renders): a variant for
former supporters only is drawn by browsers the reader script knows were supporters and are no longer (the manage page
of someone whose regular contributions all ended marks it), never by anyone else; a supporter still sees thanks; with
JavaScript off the ordinary default shows.

The demo's second appeal variant ("appeal-gap") is served marked as a win-back one (the page rewritten in the browser,
as test_asks_js.py does for other settings), so the session's demo data stays as every other browser test expects it.
"""

import datetime as dt
import time

import pytest
from playwright.sync_api import expect

from tests.browser import test_asks_js as asks
from tests.browser.test_asks_js import DAY, reader_id

demo, reader = asks.demo, asks.reader  # the fixtures of the reader script's tests

pytestmark = pytest.mark.browser

WIN_BACK = "appeal-gap"
ORDINARY = "appeal-favour"  # the appeal's default
MARKED = (f'<template data-ask-variant="{WIN_BACK}"', f'<template data-audience="former" data-ask-variant="{WIN_BACK}"')
# this bucket would draw the win-back variant among all of them: only a former supporter may get it
HIGH = reader_id(appeal=lambda b: b >= 0.5)
LOW = reader_id(appeal=lambda b: b < 0.5)


def now_ms():
    return int(time.time() * 1000)


def settled(*readers):
    """Wait until the counters each page sent have arrived, so that no beacon is in flight as its browser closes."""
    for one in readers:
        one.flush(expected=False)


def test_only_a_former_supporters_browser_draws_the_win_back_variant(reader, demo):
    assert demo.variants["appeal"] == [ORDINARY, WIN_BACK]
    everyone = reader()
    everyone.rewrite(demo.articles[0], MARKED)
    everyone.seed(id=HIGH)
    everyone.goto(demo.articles[0])
    assert everyone.shown("appeal") == ORDINARY

    former = reader()
    former.rewrite(demo.articles[0], MARKED)
    former.seed(id=LOW, former=now_ms() - 3 * DAY)
    former.goto(demo.articles[0] + "?ask-debug=1")
    assert former.shown("appeal") == WIN_BACK
    assert "variant=appeal-gap" in former.surface("appeal").get_by_role("link", name="€5 a month").get_attribute("href")
    # a surface without a win-back variant shows a former supporter its ordinary draw
    assert former.shown("panel") in demo.variants["panel"]

    # a supporter again (the thank-you page, "I already support"): thanks, not the win-back ask
    again = reader()
    again.rewrite(demo.articles[0], MARKED)
    again.seed(id=LOW, former=now_ms() - 3 * DAY, supporter=now_ms() + 300 * DAY)
    again.goto(demo.articles[0])
    expect(again.surface("appeal").locator(".ask__thanks")).to_be_visible()
    settled(everyone, former, again)


def test_the_manage_page_of_a_former_supporter_marks_the_browser(reader, demo, django_db_blocker):
    from support.models import Contribution, Supporter
    from support.receipts import manage_token

    with django_db_blocker.unblock():
        supporter = Supporter.objects.create(email="left.us.3f7e@example.org", language="en")
        Contribution.objects.create(
            reference="WB-BROWSER-1",
            supporter=supporter,
            amount=5,
            currency="EUR",
            frequency="monthly",
            method="bank_transfer",
            status="cancelled",
            end_reason="cancelled",
            started_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            ended_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        )
        token = manage_token(supporter)
    try:
        me = reader()
        me.rewrite(demo.articles[0], MARKED)
        me.seed(id=LOW, supporter=now_ms() + 200 * DAY)  # the thank-you page marked it when they gave
        me.goto(f"/support/manage/{token}/")
        assert me.storage("former") > 0 and me.storage("supporter") == 0
        me.goto(demo.articles[0])
        assert me.shown("appeal") == WIN_BACK
        # giving again (the thank-you page or "I already support") ends it
        me.goto("/support/already/")
        assert me.storage("former") == 0
        me.goto(demo.articles[0])
        expect(me.surface("appeal").locator(".ask__thanks")).to_be_visible()
        settled(me)
    finally:
        with django_db_blocker.unblock():
            supporter.delete()
            Contribution.objects.filter(reference="WB-BROWSER-1").delete()


def test_without_javascript_the_ordinary_ask_shows(reader, demo):
    me = reader(java_script_enabled=False)
    me.rewrite(demo.articles[0], MARKED)
    page = me.goto(demo.articles[0])
    appeal = me.surface("appeal")
    expect(appeal).to_be_visible()
    assert appeal.locator(".ask__variant").get_attribute("data-ask-variant") == ORDINARY
    assert page.locator(f'template[data-ask-variant="{WIN_BACK}"][data-audience=former]').count() == 1


@pytest.mark.django_db
def test_a_win_back_variant_on_a_static_export_page(chromium, tmp_path, settings, article):
    """The export's own renderer writes an article with a real win-back variant, served by the plainest static host:
    the reader script draws it for a former supporter's browser only."""
    import shutil
    from pathlib import Path
    from urllib.parse import urlsplit

    import support
    from mirrors.export.render import Renderer
    from support.models import AskVariant, Campaign
    from tests.static_host import static_host

    campaign = Campaign.objects.get(language="en", is_active=True)
    AskVariant.objects.create(
        campaign=campaign, surface="appeal", key="come-back", audience="former", weight=1000, body="Come back to us."
    )
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, urlsplit(settings.CANONICAL_URL).hostname]
    renderer = Renderer(settings.CANONICAL_URL)
    for path, name in ((article.url, "index.html"), ("/support/goal.json", "")):
        response, body = renderer.get(path)
        assert response.status_code == 200, path
        target = tmp_path / path.strip("/") / name if name else tmp_path / path.strip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    assert b'data-audience="former"' in (tmp_path / article.url.strip("/") / "index.html").read_bytes()
    # the page's own assets (the site's and the support app's), as the export copies them
    shutil.copytree(Path(settings.BASE_DIR) / "static", tmp_path / "static")
    shutil.copytree(Path(support.__file__).parent / "static", tmp_path / "static", dirs_exist_ok=True)
    (tmp_path / "robots.txt").write_text("User-agent: *\n")
    with static_host(tmp_path) as base:
        origin = base.rstrip("/")
        former = asks.Reader(chromium, origin)
        fresh = asks.Reader(chromium, origin)
        try:
            former.seed(id=LOW, former=now_ms() - DAY)
            former.goto(article.url)
            assert former.shown("appeal") == "come-back"
            expect(former.surface("appeal")).to_contain_text("Come back to us.")
            fresh.seed(id=LOW)
            fresh.goto(article.url)
            assert fresh.shown("appeal") != "come-back"
        finally:
            former.finish()
            fresh.finish()
