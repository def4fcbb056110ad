"""“Manage my support” for a monthly card gift, over HTTP against a real localstripe: change its amount (at Stripe first,
then in the ledger), and replace its card on a page of its own that alone, with the pay page's card step, loads
Stripe.js — behind the same signed link and signed form tokens as every other manage action."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup

from core.models import AuditEntry
from support.models import Contribution
from support.receipts import form_token, manage_token, read_manage_link
from tests.support import localstripe as fixtures
from tests.support.test_card_renewals import bill_renewal, subscribed
from tests.support.test_manage import form_data, private, section, start

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

ADDRESS = "card.manager.3b9a@example.org"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def card_gift(localstripe):
    _provider, contribution = subscribed(localstripe, amount="5", email=ADDRESS)
    return contribution


def manage_url(contribution):
    return f"/support/manage/{manage_token(contribution.supporter)}/"


def card_page_url(contribution):
    return f"{manage_url(contribution)}card/{contribution.pk}/"


def card_form_token(contribution, contribution_id=None):
    link = read_manage_link(manage_token(contribution.supporter))
    return form_token(link, "card", contribution.pk if contribution_id is None else contribution_id)


def test_the_amount_of_a_card_gift_changes_at_stripe_then_in_the_ledger(client, card_gift, localstripe):
    page = client.get(manage_url(card_gift))
    assert section(page, card_gift).select_one("form[data-amount-form]")
    assert "from the next payment on" in section(page, card_gift).get_text()

    for bad, message in [("0.5", "The smallest amount is"), ("7.555", "at most two decimals"), ("x", "such as 10")]:
        response = client.post(manage_url(card_gift), form_data(page, card_gift, "form[data-amount-form]", amount=bad))
        assert response.status_code == 400 and message in soup(response).select_one("[data-manage-message]").text

    changed = client.post(manage_url(card_gift), form_data(page, card_gift, "form[data-amount-form]", amount="9"))

    assert changed.status_code == 303 and changed["Location"].endswith("?done=amount_card")
    assert Contribution.objects.get(pk=card_gift.pk).amount == Decimal("9.00")
    subscription = localstripe.api.Subscription.retrieve(card_gift.provider_subscription_id)
    assert subscription["items"]["data"][0]["plan"]["amount"] == 900
    after = client.get(changed["Location"])
    assert "your card will be charged it from the next payment on" in after.content.decode()
    assert "€9" in section(after, card_gift).get_text()
    assert bill_renewal(localstripe, card_gift)["amount_paid"] == 900


def test_when_stripe_cannot_be_reached_the_amount_stays_and_the_supporter_is_told(client, card_gift, settings):
    page = client.get(manage_url(card_gift))
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    response = client.post(manage_url(card_gift), form_data(page, card_gift, "form[data-amount-form]", amount="9"))

    assert response.status_code == 400
    assert "cannot be reached. Nothing has changed" in soup(response).select_one("[data-manage-message]").text
    assert Contribution.objects.get(pk=card_gift.pk).amount == Decimal("5.00")
    assert not AuditEntry.objects.filter(action="contribution.amount_changed").exists()


def test_the_card_page_is_private_and_the_only_manage_page_that_lets_stripe_js_in(
    client, card_gift, localstripe_server, settings
):
    settings.STRIPE_JS_URL = f"{localstripe_server}/js.stripe.com/v3/"
    url = manage_url(card_gift)  # signed with the time: make it once
    listing = client.get(url)
    link = section(listing, card_gift).select_one("[data-card-link] a")
    assert link["href"] == f"{url}card/{card_gift.pk}/"
    assert localstripe_server not in listing["Content-Security-Policy"]
    assert localstripe_server not in listing.content.decode()

    page = client.get(link["href"])

    assert page.status_code == 200 and private(page) and page["Referrer-Policy"] == "no-referrer"
    assert soup(page).select_one("meta[name=robots]")["content"] == "noindex, nofollow"
    csp = page["Content-Security-Policy"]
    assert f"script-src 'self' {localstripe_server}" in csp
    assert f"frame-src {localstripe_server}" in csp
    assert "unsafe-inline" not in csp
    html = page.content.decode()
    assert f'<script src="{localstripe_server}/js.stripe.com/v3/"></script>' in html
    assert ADDRESS not in html and card_gift.provider_customer_id not in html
    root = soup(page).select_one("[data-card-checkout]")
    assert root["data-form-token"] and root["data-prepare-url"].endswith(f"/card/{card_gift.pk}/prepare/")
    assert root["data-done-url"] == url + "?done=card"
    assert "Replacing a card needs JavaScript" in soup(page).select_one("noscript").text
    assert soup(page).select_one(f"a[href='{url}']")  # cancel from there, or change the amount


def test_only_a_running_card_gift_has_a_card_page(client, card_gift, localstripe):
    monthly_bank = start("10", email=ADDRESS)
    listing = client.get(manage_url(card_gift))
    assert not section(listing, monthly_bank).select("[data-card-link]")
    response = client.get(f"{manage_url(card_gift)}card/{monthly_bank.pk}/")
    assert response.status_code == 404 and private(response)
    assert "Only the card of a running card contribution" in response.content.decode()
    # someone else's card gift, named through this supporter's link
    _provider, stranger = subscribed(localstripe, amount="6", email="stranger.card.9f@example.org")
    assert client.get(f"{manage_url(card_gift)}card/{stranger.pk}/").status_code == 404
    assert client.get(f"{manage_url(card_gift)}card/99999999999999999999/").status_code == 404
    # a tampered link
    assert client.get(f"/support/manage/nonsense/card/{card_gift.pk}/").status_code == 400
    # once cancelled, there is no card to replace
    Contribution.objects.filter(pk=card_gift.pk).update(status="cancelled")
    assert client.get(card_page_url(card_gift)).status_code == 404


def test_replacing_the_card_through_the_endpoints(client, card_gift, localstripe):
    token = card_form_token(card_gift)
    prepare, confirm = card_page_url(card_gift) + "prepare/", card_page_url(card_gift) + "confirm/"

    prepared = client.post(prepare, {"form_token": token})
    assert prepared.status_code == 200 and "no-store" in prepared["Cache-Control"]
    secret = prepared.json()["client_secret"]
    setup_intent = secret.split("_secret_")[0]
    new_card = localstripe.card()
    localstripe.api.SetupIntent.confirm(setup_intent, payment_method=new_card)  # Stripe.js, on the page

    confirmed = client.post(confirm, {"form_token": token, "setup_intent": setup_intent})

    assert confirmed.status_code == 200 and confirmed.json() == {"status": "succeeded"}
    customer = localstripe.api.Customer.retrieve(card_gift.provider_customer_id)
    assert customer["invoice_settings"]["default_payment_method"] == new_card
    assert AuditEntry.objects.filter(action="contribution.card_replaced").count() == 1
    done = client.get(manage_url(card_gift) + "?done=card")
    assert "Your new card is saved" in done.content.decode()
    invoice = bill_renewal(localstripe, card_gift)
    assert localstripe.api.PaymentIntent.retrieve(invoice["payment_intent"])["payment_method"] == new_card


def test_the_card_endpoints_need_the_link_and_the_pages_own_form_token(client, card_gift, localstripe):
    prepare, confirm = card_page_url(card_gift) + "prepare/", card_page_url(card_gift) + "confirm/"
    other = start("10", email=ADDRESS)
    before = localstripe.api.Customer.retrieve(card_gift.provider_customer_id)["invoice_settings"]
    link = read_manage_link(manage_token(card_gift.supporter))

    for data in (
        {},
        {"form_token": "forged"},
        {"form_token": card_form_token(card_gift, other.pk)},  # another contribution's button
        {"form_token": form_token(link, "cancel", card_gift.pk)},  # another action's
    ):
        for url in (prepare, confirm):
            response = client.post(url, {**data, "setup_intent": "seti_x"})
            assert response.status_code == 400, (url, data)
            assert "This form has expired or was changed" in response.json()["message"]
    forged_link = f"/support/manage/nonsense/card/{card_gift.pk}/prepare/"
    assert client.post(forged_link, {"form_token": card_form_token(card_gift)}).status_code == 400
    assert client.get(prepare).status_code == 405

    token = card_form_token(card_gift)
    assert client.post(confirm, {"form_token": token}).status_code == 400  # no SetupIntent named
    refused = client.post(confirm, {"form_token": token, "setup_intent": "seti_not_ours"})
    assert refused.status_code == 409 and "was not set up for this contribution" in refused.json()["message"]
    too_big = client.post(confirm, {"form_token": token, "setup_intent": "x" * 5000})
    assert too_big.status_code == 413

    assert localstripe.api.Customer.retrieve(card_gift.provider_customer_id)["invoice_settings"] == before
    assert not AuditEntry.objects.filter(action="contribution.card_replaced").exists()


def test_a_card_setup_that_stripe_cannot_make_gets_a_clear_answer(client, card_gift, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    response = client.post(card_page_url(card_gift) + "prepare/", {"form_token": card_form_token(card_gift)})
    assert response.status_code == 409 and "cannot be reached" in response.json()["message"]


def test_no_new_card_is_set_up_while_card_payments_are_paused(client, card_gift, localstripe):
    from support.cards.state import claim_pause

    setups_before = len(localstripe.api.SetupIntent.list(limit=100)["data"])
    assert claim_pause(failures=20, attempts=25) is not None

    response = client.post(card_page_url(card_gift) + "prepare/", {"form_token": card_form_token(card_gift)})

    assert response.status_code == 503 and response.json()["status"] == "paused"
    assert "Your card has not been replaced" in response.json()["message"]
    assert len(localstripe.api.SetupIntent.list(limit=100)["data"]) == setups_before
