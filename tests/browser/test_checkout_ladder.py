"""The checkout's amount ladder in Chromium, with JavaScript on and off: only the chosen currency's ladder shows,
switching currency swaps it (the stylesheet does it, no script), and the form sends that currency with that amount."""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_checkout_without_javascript import contribution_ids, forget_contributions_since

pytestmark = pytest.mark.browser

PAY_PATH = re.compile(r"^/support/pay/([0-9a-f-]{36})/$")


def ladder(form, currency):
    return form.locator(f".checkout__for-currency[data-currency={currency}] .checkout__ladder")


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_switching_currency_swaps_the_ladder_and_gives_in_that_currency(
    chromium, reading_server, django_db_blocker, javascript
):
    from support.models import Contribution

    existing = contribution_ids(django_db_blocker)
    context = chromium.new_context(java_script_enabled=javascript)
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    try:
        page.goto(reading_server + "/support/?frequency=monthly")
        form = page.locator("form.checkout-form")
        expect(ladder(form, "EUR")).to_be_visible()
        expect(ladder(form, "USD")).to_be_hidden()
        expect(ladder(form, "GBP")).to_be_hidden()
        assert [text.strip() for text in ladder(form, "EUR").locator("label").all_inner_texts()[:3]] == [
            "€5",
            "€10",
            "€20",
        ]
        expect(form.get_by_label("€10", exact=True)).to_be_checked()  # the suggestion, not the minimum
        expect(form.get_by_label("Another amount", exact=True).first).not_to_be_checked()
        expect(form.get_by_text("(€0.30 on €10)")).to_be_visible()

        form.get_by_label("USD", exact=True).check()
        expect(ladder(form, "USD")).to_be_visible()
        expect(ladder(form, "EUR")).to_be_hidden()
        assert [text.strip() for text in ladder(form, "USD").locator("label").all_inner_texts()[:3]] == [
            "$6",
            "$12",
            "$25",
        ]
        expect(form.get_by_label("$12", exact=True)).to_be_checked()  # its own suggestion
        expect(form.get_by_text("($0.36 on $12)")).to_be_visible()
        expect(form.get_by_text("(€0.30 on €10)")).to_be_hidden()
        expect(form.get_by_text("At least $2.")).to_be_visible()

        form.get_by_label("GBP", exact=True).check()
        expect(ladder(form, "GBP")).to_be_visible()
        expect(ladder(form, "USD")).to_be_hidden()
        form.get_by_label("USD", exact=True).check()  # and back: the dollar ladder as it was left
        expect(ladder(form, "USD")).to_be_visible()

        form.get_by_label("$25", exact=True).check()
        form.locator("input[name=method][value=bank_transfer]").check()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state("load")

        match = PAY_PATH.match(urlsplit(page.url).path)
        assert match, page.url
        assert page.locator("[data-pay-amount]").inner_text() == "$25 every month"
        with django_db_blocker.unblock():
            contribution = Contribution.objects.get(public_id=match.group(1))
            assert (contribution.amount, contribution.currency, contribution.frequency) == (
                Decimal("25.00"),
                "USD",
                "monthly",
            )
        origin = urlsplit(reading_server).netloc
        assert [url for url in requests if urlsplit(url).netloc != origin] == []
    finally:
        context.close()
        forget_contributions_since(django_db_blocker, existing)
    assert contribution_ids(django_db_blocker) == existing


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript-on", "javascript-off"])
def test_another_amount_in_the_chosen_currency(chromium, reading_server, django_db_blocker, javascript):
    from support.models import Contribution

    existing = contribution_ids(django_db_blocker)
    context = chromium.new_context(java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(reading_server + "/support/?frequency=once")
        form = page.locator("form.checkout-form")
        expect(form.get_by_label("€25", exact=True)).to_be_checked()
        form.get_by_label("GBP", exact=True).check()
        gbp = form.locator("div.checkout__for-currency[data-currency=GBP]")
        expect(gbp).to_be_visible()
        gbp.get_by_label("Another amount", exact=True).check()
        gbp.get_by_label("Another amount in GBP").fill("13,50")
        form.locator("input[name=method][value=crypto]").check()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state("load")

        match = PAY_PATH.match(urlsplit(page.url).path)
        assert match, page.url
        with django_db_blocker.unblock():
            contribution = Contribution.objects.get(public_id=match.group(1))
            assert (contribution.amount, contribution.currency, contribution.frequency) == (
                Decimal("13.50"),
                "GBP",
                "once",
            )
    finally:
        context.close()
        forget_contributions_since(django_db_blocker, existing)
