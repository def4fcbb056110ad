"""A reader's gift from start to end, JavaScript on: an article's ask, the checkout, localstripe's Stripe.js and card
4242, the thank-you page; then the receipt over SMTP, the ledger, and what the next reader of the article sees.

The gap is the monthly cost less this month's income (docs/payments.md): recurring income plus the one-time gifts of
the last 30 days, so either kind of gift narrows it by its amount and counts one more supporter. Both are followed here.

The reading server runs in this process, so the localstripe and mail settings apply to it for each test's duration.
Everything the test makes is taken away again, so the other browser tests keep the demo's figures.
"""

import json
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from tests.browser.test_asks_without_javascript import english_article_path
from tests.browser.test_checkout_without_javascript import contribution_ids, forget_contributions_since
from tests.support import conftest as mail_fixtures
from tests.support import localstripe as fixtures
from tests.support.conftest import body_of
from tests.support.localstripe import CARD_OK
from tests.waiting import EVENT_MS

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe
smtp_server, mailbox = mail_fixtures.smtp_server, mail_fixtures.mailbox

pytestmark = pytest.mark.browser

EMAIL = "gift-end-to-end@example.org"
PAY_PATH = re.compile(r"^/support/pay/([0-9a-f-]{36})/$")


def _euros(text):
    """“€48,000” → Decimal("48000"): the English figures the page shows."""
    return Decimal(re.sub(r"[^0-9.]", "", text))


@pytest.fixture
def gift(localstripe, localstripe_server, mailbox, reading_server, django_db_blocker):
    """Card payments through the test localstripe and its Stripe.js, mail to the test SMTP server; afterwards the
    contributions, payments, audit entries, supporter and provider events the gift left are deleted."""
    from support.models import ProviderEvent, Supporter

    existing = contribution_ids(django_db_blocker)
    with django_db_blocker.unblock():
        assert not Supporter.objects.filter(email=EMAIL).exists()
        events = set(ProviderEvent.objects.values_list("pk", flat=True))
    with override_settings(STRIPE_JS_URL=f"{localstripe_server}/js.stripe.com/v3/"):
        yield mailbox
    forget_contributions_since(django_db_blocker, existing)
    with django_db_blocker.unblock():
        from core.models import AuditEntry

        supporters = list(Supporter.objects.filter(email=EMAIL).values_list("pk", flat=True))
        AuditEntry.objects.filter(subject_type="support.supporter", subject_id__in=map(str, supporters)).delete()
        Supporter.objects.filter(pk__in=supporters).delete()
        ProviderEvent.objects.exclude(pk__in=events).delete()
    assert contribution_ids(django_db_blocker) == existing


class Reader:
    """One browser context. Ask counters are answered here: they are not what this test is about, and the stats
    other tests read stay as they were."""

    def __init__(self, chromium, origin, stripe):
        self.origin = origin
        self.allowed = {urlsplit(origin).netloc, urlsplit(stripe).netloc}  # Stripe.js, on the card step only
        self.context = chromium.new_context()
        self.errors = []
        self.foreign = []
        self.context.route("**/support/events/", lambda route: route.fulfill(status=204))
        self.context.on("request", self._request)
        self.page = self.context.new_page()
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _request(self, request):
        if urlsplit(request.url).netloc not in self.allowed:
            self.foreign.append(request.url)

    def open_article(self, path):
        """Open an article and wait for the reader script's live figures (goal.json) to be on the page."""
        with self.page.expect_response(lambda response: urlsplit(response.url).path == "/support/goal.json") as goal:
            response = self.page.goto(self.origin + path)
        assert response.ok
        assert goal.value.ok
        self.page.wait_for_load_state("networkidle")
        return response

    def shown_gap(self):
        panel = self.page.locator("[data-ask-surface=panel]")
        assert panel.is_visible()
        return _euros(panel.locator(".ask__variant .ask__meter [data-figure=gap]").inner_text())

    def goal(self):
        response = self.context.request.get(self.origin + "/support/goal.json")
        assert response.ok
        return json.loads(response.body())["campaigns"]["en"]

    def close(self):
        self.context.close()
        assert self.foreign == [], self.foreign
        assert not [error for error in self.errors if "Content Security Policy" in error], self.errors


def _type_card(page, number):
    widget = page.locator("[data-card-element]")
    widget.locator("input[placeholder=number]").fill(number)
    widget.locator("input[placeholder=exp_month]").fill("12")
    widget.locator("input[placeholder=exp_year]").fill("34")
    widget.locator("input[placeholder=cvc]").fill("123")
    widget.locator("input[placeholder=postal_code]").fill("10115")
    page.get_by_role("button", name="Pay by card").click()


def _give(reader, path, *, frequency, amount):
    """From the article's appeal to the thank-you page: returns the pay page's contribution id."""
    page = reader.page
    appeal = page.locator("[data-ask-surface=appeal] .ask__variant")
    label = f"€{amount} a month" if frequency == "monthly" else f"€{amount} once"
    appeal.get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == "/support/"
    query = parse_qs(urlsplit(page.url).query)
    assert (query["frequency"], query["amount"], query["currency"]) == ([frequency], [str(amount)], ["EUR"])

    form = page.locator("form.checkout-form")
    assert form.locator(f"input[name=amount_EUR][value='{amount}']").is_checked()
    assert form.locator("input[name=currency][value=EUR]").is_checked()  # the campaign's currency: no conversion
    form.locator("input[name=email]").fill(EMAIL)
    form.locator("input[name=method][value=card]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    match = PAY_PATH.match(urlsplit(page.url).path)
    assert match, page.url

    page.locator("[data-card-form]").wait_for(state="visible")
    _type_card(page, CARD_OK)
    page.get_by_role("heading", name="Thank you for supporting us").wait_for(timeout=EVENT_MS)
    # the thanks page marks this browser as a supporter's once the reader script has run (it is deferred: on a busy
    # machine the heading shows first), and only then may the test leave the page
    page.wait_for_function("() => localStorage.getItem('sz:supporter') !== null")
    assert page.locator("[data-demo-mailbox]").count() == 0  # the demo's mailbox exists only in the demo
    return match.group(1)


def _ledger(django_db_blocker, public_id):
    from support.models import Contribution, Payment

    with django_db_blocker.unblock():
        contribution = Contribution.objects.select_related("supporter").get(public_id=public_id)
        payments = list(contribution.payments.values_list("status", "amount", "currency"))
        succeeded = Payment.objects.filter(contribution=contribution, status=Payment.Status.SUCCEEDED).count()
        return contribution, payments, succeeded


@pytest.mark.parametrize(
    ("frequency", "amount", "status"),
    [("once", 25, "completed"), ("monthly", 10, "active")],
    ids=["one-time", "monthly"],
)
def test_a_gift_by_card_from_the_article_to_the_receipt_and_the_figures(
    chromium, reading_server, localstripe_server, gift, django_db_blocker, frequency, amount, status
):
    path = english_article_path(django_db_blocker)
    supporter = Reader(chromium, reading_server, localstripe_server)
    try:
        supporter.open_article(path)
        gap_before = supporter.shown_gap()
        goal_before = supporter.goal()
        assert _euros(goal_before["text"]["gap"]) == gap_before == Decimal(goal_before["gap"])

        public_id = _give(supporter, path, frequency=frequency, amount=amount)

        # the receipt, over SMTP, to the address given at checkout: the reading server sends it after the payment
        # commits, in the request that charged the card, while the browser may already show the thanks
        messages = gift.wait_for(1)
        assert len(messages) == 1, [m["Subject"] for m in messages]
        receipt = messages[0]
        assert receipt.envelope_to == [EMAIL]
        text = body_of(receipt)
        assert f"€{amount}" in text

        # the ledger: one promise, paid exactly once
        contribution, payments, succeeded = _ledger(django_db_blocker, public_id)
        assert contribution.supporter.email == EMAIL
        assert (contribution.status, contribution.frequency) == (status, frequency)
        assert (contribution.amount, contribution.currency) == (Decimal(amount), "EUR")
        assert payments == [("succeeded", Decimal(amount), "EUR")] and succeeded == 1
        assert contribution.reference in text

        # the supporter's own browser now thanks instead of asking
        supporter.page.goto(reading_server + path)
        appeal = supporter.page.locator("[data-ask-surface=appeal]")
        appeal.locator(".ask__thanks").wait_for(state="visible")
        assert supporter.page.locator("[data-ask-surface=panel]").is_hidden()
    finally:
        supporter.close()

    # The next reader gets the article from the page cache, rendered before the gift; the reader script's live
    # figures come from goal.json, which the payment made the server forget, so the gap shown is today's.
    other = Reader(chromium, reading_server, localstripe_server)
    try:
        response = other.open_article(path)
        assert response.headers.get("x-page-cache") == "hit"
        goal_after = other.goal()
        expected_gap = gap_before - amount
        assert other.shown_gap() == expected_gap
        assert Decimal(goal_after["gap"]) == expected_gap
        assert goal_after["supporters"] == goal_before["supporters"] + 1
    finally:
        other.close()
    assert len(gift.messages) == 1  # nothing else was mailed, nothing twice
