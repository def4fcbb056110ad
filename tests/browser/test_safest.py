"""Tor Browser's Safest level, emulated in Chromium (REACH R4.5, R4 check 6): JavaScript off, and every font, media
and SVG request refused. What a reader must still see, as text: the story with its photo's caption, credit and
licence, the asks with their figures, and on /support/ the bank and crypto instructions with PNG QR codes."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


class SafestBrowser:
    """A JavaScript-off context that refuses fonts, media and SVG, and remembers what it refused."""

    def __init__(self, browser):
        self.refused = []
        self.context = browser.new_context(java_script_enabled=False, service_workers="block")
        self.context.route("**/*", self._route)

    def _refuse(self, route):
        self.refused.append(route.request.url)
        route.abort()

    def _route(self, route):
        request = route.request
        if request.resource_type in ("font", "media") or urlsplit(request.url).path.lower().endswith(".svg"):
            return self._refuse(route)
        if request.resource_type == "document":
            return route.continue_()
        # An SVG may hide behind any address: look at what actually comes back.
        response = route.fetch()
        if "image/svg+xml" in response.headers.get("content-type", ""):
            return self._refuse(route)
        return route.fulfill(response=response)

    def open(self, url):
        page = self.context.new_page()
        response = page.goto(url, wait_until="load")
        assert response.status == 200, url
        return page

    def close(self):
        self.context.close()


def visible_text(page, selector):
    locator = page.locator(selector).first
    assert locator.is_visible(), selector
    return " ".join(locator.inner_text().split())


def first_paragraph(article):
    from bs4 import BeautifulSoup

    for block in article.body:
        if block.block_type == "paragraph":
            return " ".join(BeautifulSoup(str(block.value), "html.parser").get_text(" ").split())
    raise AssertionError("the article has no paragraph")


def reader_facts(article):
    """What the Safest reader must find on the article page, read from the database."""
    from core.money import Money
    from support.models import Campaign

    campaign = Campaign.objects.get(language=article.language, is_active=True)
    image = article.lead_image
    return {
        "title": article.title,
        "standfirst": " ".join(article.standfirst.split()),
        "paragraph": first_paragraph(article)[:80],
        "caption": image.caption,
        "credit": image.credit,
        "licence": image.licence.name,
        "monthly_cost": Money(campaign.monthly_cost, campaign.currency).format(article.language),
        "banned_in": campaign.banned_in,
        "minimum": Money(campaign.min_monthly, campaign.currency).format(article.language),
    }


def assert_article_survives_safest(page, facts):
    assert visible_text(page, "h1") == facts["title"]
    assert visible_text(page, ".article__standfirst") == facts["standfirst"]
    assert facts["paragraph"] in visible_text(page, ".article__body")
    figure = visible_text(page, "figure.figure--lead figcaption")
    for key in ("caption", "credit", "licence"):
        assert facts[key] in figure, key
    assert facts["monthly_cost"] in visible_text(page, "[data-ask-surface=panel]")
    assert facts["banned_in"] in visible_text(page, "[data-ask-surface=notice]")
    appeal = visible_text(page, "[data-ask-surface=appeal]")
    assert facts["minimum"] in appeal
    for method in ("Card", "Bank transfer", "Crypto"):
        assert method in appeal, method
    assert "Remind me later" in appeal


def assert_support_survives_safest(page):
    from support.providers.registry import enabled_providers

    text = visible_text(page, "main")
    bank = enabled_providers()["bank_transfer"]
    crypto = enabled_providers()["crypto"]
    assert bank.options["iban"] in text
    assert bank.options["account_holder"] in text
    qr_codes = page.locator("img[src$='.png']")
    assert qr_codes.count() >= 1
    for asset, address in crypto.options["addresses"].items():
        assert address in text, asset
    for index in range(qr_codes.count()):
        qr = qr_codes.nth(index)
        assert qr.get_attribute("alt"), "a QR code needs its alt text"
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0"), qr.get_attribute("src")


def test_the_article_and_support_page_read_at_safest_on_the_origin(
    chromium, reading_server, article, django_db_blocker
):
    facts = reader_facts(article)
    safest = SafestBrowser(chromium)
    try:
        page = safest.open(reading_server + article.url)
        assert_article_survives_safest(page, facts)
        # The lead photo is a raster rendition, so it still shows.
        assert page.locator("figure.figure--lead img").evaluate("img => img.complete && img.naturalWidth > 0")
        with django_db_blocker.unblock():
            assert_support_survives_safest(safest.open(reading_server + "/support/"))
    finally:
        safest.close()
    # Nothing the pages need was refused: they use no font, media or SVG at all.
    assert safest.refused == []


def test_the_article_and_support_page_read_at_safest_on_a_static_export(chromium, export_server, article):
    facts = reader_facts(article)
    safest = SafestBrowser(chromium)
    try:
        assert_article_survives_safest(safest.open(export_server + article.url), facts)
        assert_support_survives_safest(safest.open(export_server + "/support/"))
    finally:
        safest.close()
    assert safest.refused == []
