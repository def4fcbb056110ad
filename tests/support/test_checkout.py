"""The checkout at /support/: a plain form that works without JavaScript; bad input gets a 400 with a message and
stores nothing; a good one starts exactly one pending contribution and leads to its pay page."""

import re
import uuid
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client, override_settings

from core.errors import DomainError
from core.models import AuditEntry
from support.models import Contribution, Payment, Supporter
from support.providers.crypto import Crypto

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r"^SZ-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
PAY_PATH = re.compile(r"^/support/pay/([0-9a-f-]{36})/$")


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def form_fields(response):
    """What a browser would send from the checkout form as it stands (hidden fields, checked boxes, selected options)."""
    form = soup_of(response).select_one("form.checkout-form[method=post][action='/support/']")
    assert form is not None
    data = {}
    for field in form.select("input"):
        kind = field.get("type", "text")
        if field.has_attr("disabled"):
            continue
        if kind in ("radio", "checkbox") and not field.has_attr("checked"):
            continue
        data[field["name"]] = field.get("value", "on")
    for select in form.select("select"):
        selected = select.select_one("option[selected]") or select.select_one("option")
        data[select["name"]] = selected["value"]
    return data


def checkout_form(client=None, query="frequency=monthly&amount=10&currency=EUR", **extra):
    """GET the checkout and return (client, fields) ready to send."""
    client = client or Client()
    response = client.get("/support/?" + query, **extra)
    assert response.status_code == 200
    return client, form_fields(response)


def send(client, fields, **changes):
    """POST the form with ``changes`` (a value of None leaves the field out, as an unchecked radio would)."""
    data = {**fields, **changes}
    return client.post("/support/", {name: value for name, value in data.items() if value is not None})


def rows():
    return (
        Contribution.objects.count(),
        Payment.objects.count(),
        Supporter.objects.count(),
        AuditEntry.objects.count(),
    )


def pay_path(response):
    assert response.status_code == 303, response.content[:500]
    location = response["Location"]
    assert PAY_PATH.match(location), location
    return location


def contribution_of(location):
    return Contribution.objects.get(public_id=PAY_PATH.match(location).group(1))


def alert(response):
    return soup_of(response).select_one("[role=alert]").get_text(" ", strip=True)


def errors(response):
    return [p.get_text(" ", strip=True) for p in soup_of(response).select("form .form-error")]


# --- The page ---------------------------------------------------------------------------------------------------------


def test_the_form_is_private_sets_no_cookie_and_has_a_fresh_token_each_time():
    client = Client()
    first = client.get("/support/?frequency=monthly&amount=10")
    second = client.get("/support/?frequency=monthly&amount=10")
    for response in (first, second):
        assert response.status_code == 200
        assert not response.cookies and not response.has_header("Set-Cookie")
        assert b"csrfmiddlewaretoken" not in response.content
        cache_control = response["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control
        assert response["Content-Language"] == "en"
    assert form_fields(first)["token"] != form_fields(second)["token"]
    assert client.head("/support/").status_code == 200


def test_the_form_offers_the_campaigns_amounts_currencies_and_methods():
    soup = soup_of(Client().get("/support/?frequency=monthly"))
    assert [a.get_text() for a in soup.select(".checkout__frequencies a")] == ["Monthly", "Once", "Annual"]
    assert soup.select_one(".checkout__frequencies a[aria-current=page]").get_text() == "Monthly"
    assert [i["value"] for i in soup.select("input[name=amount_EUR]")] == ["5", "10", "20", "other"]
    assert [i["value"] for i in soup.select("input[name=currency]")] == ["EUR", "USD", "GBP"]
    methods = {i["value"]: i.has_attr("disabled") for i in soup.select("input[name=method]")}
    assert methods == {"card": True, "bank_transfer": False, "crypto": False}
    assert "card payment is not available yet" in soup.select_one(".checkout__method--card").get_text()
    assert soup.select_one("input[name=cover_fees][type=checkbox]") is not None
    assert "Add 3 % to cover" in soup.get_text() and "(€0.30 on €10)" in soup.get_text()  # the suggestion: €10
    assert not soup.select_one("input[name=email]").has_attr("required")
    annual = soup_of(Client().get("/support/?frequency=annual&amount=120"))
    assert [i["value"] for i in annual.select("input[name=amount_EUR]")] == ["60", "120", "240", "other"]
    assert annual.select_one("input[name=amount_EUR][value='120']").has_attr("checked")
    once = soup_of(Client().get("/support/?frequency=once&amount=25"))
    assert [i["value"] for i in once.select("input[name=amount_EUR]")] == ["10", "25", "50", "other"]
    assert "(€0.75 on €25)" in once.get_text(" ", strip=True)


def test_frequency_tabs_keep_the_attribution(article):
    soup = soup_of(Client().get(f"/support/?frequency=monthly&variant=appeal-favour&article={article.pk}"))
    once = next(a["href"] for a in soup.select(".checkout__frequencies a") if a.get_text() == "Once")
    assert once.startswith("/support/?")
    assert f"article={article.pk}" in once and "variant=appeal-favour" in once and "frequency=once" in once


def test_no_reading_page_carries_the_checkout_form_or_a_token(article):
    response = Client().get(article.url)
    assert response.status_code == 200
    assert b'name="token"' not in response.content and b"csrfmiddlewaretoken" not in response.content
    assert not soup_of(response).select("form[action='/support/']")


# --- A good submission ------------------------------------------------------------------------------------------------


def test_a_bank_transfer_starts_one_pending_contribution_and_shows_how_to_pay(article):
    client, fields = checkout_form(
        query=f"frequency=monthly&amount=10&currency=EUR&variant=appeal-favour&article={article.pk}"
    )
    before = rows()
    location = pay_path(send(client, fields, method="bank_transfer"))
    assert rows() == (before[0] + 1, before[1] + 1, before[2], before[3] + 1)
    contribution = contribution_of(location)
    assert REFERENCE.match(contribution.reference)
    assert (contribution.amount, contribution.currency, contribution.frequency) == (Decimal("10.00"), "EUR", "monthly")
    assert (contribution.method, contribution.status, contribution.covers_fees) == ("bank_transfer", "pending", False)
    assert (contribution.arm, contribution.article_id, contribution.referrer_host) == ("appeal-favour", article.pk, "")
    assert contribution.supporter is None and contribution.language == "en"
    assert contribution.campaign.language == "en"
    [payment] = contribution.payments.all()
    assert (payment.status, payment.provider, payment.amount, payment.currency) == (
        "pending",
        "bank_transfer",
        Decimal("10.00"),
        "EUR",
    )
    assert payment.succeeded_at is None

    page = client.get(location)
    assert page.status_code == 200
    assert "private" in page["Cache-Control"] and "no-store" in page["Cache-Control"]
    assert page["X-Robots-Tag"].startswith("noindex")
    assert "X-Page-Cache" not in client.get(location).headers  # never kept by the page cache
    assert not page.cookies
    soup = soup_of(page)
    assert soup.select_one("[data-pay-reference]").get_text() == contribution.reference
    assert soup.select_one("[data-pay-iban]").get_text() == "XX00 0000 0000 0000 0000 00"
    assert "DEMO" in soup.select_one("[data-pay-holder]").get_text()
    assert soup.select_one("[data-pay-amount]").get_text() == "€10 every month"
    assert "standing order" in soup.get_text()


def test_each_contribution_gets_its_own_reference():
    references = set()
    for _ in range(3):
        client, fields = checkout_form()
        references.add(contribution_of(pay_path(send(client, fields, method="bank_transfer"))).reference)
    assert len(references) == 3


def test_a_one_time_crypto_gift_shows_the_addresses_and_their_qr_codes():
    client, fields = checkout_form(query="frequency=once&amount=25&currency=EUR")
    location = pay_path(send(client, fields, method="crypto"))
    contribution = contribution_of(location)
    assert (contribution.method, contribution.frequency, contribution.amount) == ("crypto", "once", Decimal("25.00"))
    soup = soup_of(client.get(location))
    wallets = {w["data-pay-wallet"]: w for w in soup.select("[data-pay-wallet]")}
    assert list(wallets) == list(settings.PAYMENT_PROVIDERS["crypto"]["addresses"])
    btc = wallets["BTC"]
    assert btc.select_one("[data-pay-address]").get_text() == "bc1q-DEMO-not-a-real-address"
    assert btc.select_one("img")["src"] == "/support/qr/btc.png" and "BTC" in btc.select_one("img")["alt"]
    assert wallets["USDT (TRC-20)"].select_one("img")["src"] == "/support/qr/usdt-trc-20.png"
    assert soup.select_one("[data-pay-reference]").get_text() == contribution.reference
    assert "€25" in soup.get_text()
    for img in soup.select("img"):
        assert client.get(img["src"])["Content-Type"] == "image/png"


def test_covering_the_fees_adds_the_exact_percentage():
    client, fields = checkout_form(query="frequency=once&amount=7.77&currency=GBP")
    contribution = contribution_of(pay_path(send(client, fields, method="bank_transfer", cover_fees="1")))
    assert (contribution.amount, contribution.currency, contribution.covers_fees) == (Decimal("8.00"), "GBP", True)
    assert contribution.payments.get().amount == Decimal("8.00")  # 7.77 + 0.2331 rounded to 0.23


def test_another_amount_and_currency():
    client, fields = checkout_form(query="frequency=annual")
    location = pay_path(send(client, fields, method="crypto", amount="other", other_amount="99,50", currency="USD"))
    contribution = contribution_of(location)
    assert (contribution.amount, contribution.currency, contribution.frequency) == (Decimal("99.50"), "USD", "annual")


def test_an_email_is_kept_for_the_receipt_and_never_shown():
    client, fields = checkout_form()
    location = pay_path(send(client, fields, method="bank_transfer", email="Reader@Example.org"))
    contribution = contribution_of(location)
    assert contribution.supporter.email == "reader@example.org"
    page = client.get(location)
    assert b"example.org" not in page.content.lower()
    assert "example.org" not in str(AuditEntry.objects.filter(subject_id=str(contribution.pk)).values_list("data"))


def test_the_referrer_is_the_other_sites_host_only():
    client, fields = checkout_form(HTTP_REFERER="https://Friends.Example.net/a/path?who=me")
    contribution = contribution_of(pay_path(send(client, fields, method="bank_transfer")))
    assert contribution.referrer_host == "friends.example.net"
    for referer in ("http://testserver/news/x/", "not a url", "https://exa mple.org/", "http://[::1/"):
        client, fields = checkout_form(HTTP_REFERER=referer)
        assert contribution_of(pay_path(send(client, fields, method="bank_transfer"))).referrer_host == ""


def test_unknown_attribution_is_dropped_never_an_error():
    client, fields = checkout_form()
    location = pay_path(send(client, fields, method="bank_transfer", variant="made-up", article="999999999"))
    contribution = contribution_of(location)
    assert (contribution.arm, contribution.article_id) == ("", None)


def test_russian_checkout_and_pay_page(russian_article):
    query = f"frequency=monthly&amount=5&currency=EUR&variant=ru-appeal-favour&article={russian_article.pk}"
    client, fields = checkout_form(query=query)
    assert fields["lang"] == "ru"
    location = pay_path(send(client, fields, method="bank_transfer"))
    contribution = contribution_of(location)
    assert (contribution.language, contribution.arm, contribution.campaign.language) == ("ru", "ru-appeal-favour", "ru")
    page = client.get(location)
    assert page["Content-Language"] == "ru" and soup_of(page).html["lang"] == "ru"
    assert "5\u00a0€" in soup_of(page).select_one("[data-pay-amount]").get_text()


# --- Bad input: a clear message, a 400, nothing stored ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": None}, "Choose how you want to pay."),
        ({"method": "card"}, "Card payment is not available yet."),
        ({"method": "paypal"}, "Choose one of the ways to pay shown."),
        ({"amount": None, "other_amount": ""}, "Choose an amount, or enter another one."),
        ({"amount": "other", "other_amount": ""}, "Enter the amount you want."),
        ({"amount": "other", "other_amount": "1"}, "The smallest amount is €2."),
        ({"amount": "1.99"}, "The smallest amount is €2."),
        ({"amount": "other", "other_amount": "10001"}, "The largest amount this form takes is €10,000."),
        ({"amount": "other", "other_amount": "1e99"}, "Enter an amount such as 10 or 7.50."),  # no exponents
        ({"amount": "other", "other_amount": "ten"}, "Enter an amount such as 10 or 7.50."),
        ({"amount": "other", "other_amount": "NaN"}, "Enter an amount such as 10 or 7.50."),
        ({"amount": "other", "other_amount": "-5"}, "Enter an amount such as 10 or 7.50."),
        ({"amount": "other", "other_amount": "10.123"}, "Enter an amount with at most two decimals"),
        ({"amount": "other", "other_amount": "1" * 21}, "Enter an amount such as 10 or 7.50."),
        ({"currency": "XYZ"}, "Choose one of the currencies shown."),
        ({"currency": "RUB"}, "Choose one of the currencies shown."),
        ({"currency": None}, "Choose a currency."),
        ({"frequency": "hourly"}, "Choose how often you want to give."),
        ({"frequency": None}, "Choose how often you want to give."),
        ({"email": "not-an-address"}, "Enter a valid email address"),
        ({"email": "a" * 250 + "@example.org"}, "Enter a valid email address"),
    ],
)
def test_a_bad_field_is_a_400_with_its_message_and_stores_nothing(changes, message):
    client, fields = checkout_form()
    fields["method"] = "bank_transfer"
    before = rows()
    response = send(client, fields, **changes)
    assert response.status_code == 400
    assert alert(response) == "Please correct the form below. Nothing has been saved."
    assert any(message in error for error in errors(response)), errors(response)
    assert rows() == before
    assert "no-store" in response["Cache-Control"] and not response.cookies
    # the form comes back as it was sent, with a new token, ready to be corrected
    again = form_fields(response)
    assert again["token"] != fields["token"]
    assert again.get("email", "") == changes.get("email", fields.get("email", ""))[:254]


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (None, "This form is incomplete."),
        ("", "This form is incomplete."),
        ("forged:token:value", "This form is incomplete."),
        ("x" * 1000, "This form is incomplete."),
    ],
)
def test_a_missing_or_forged_token_is_a_400_and_stores_nothing(token, message):
    client, fields = checkout_form()
    before = rows()
    response = send(client, fields, method="bank_transfer", token=token)
    assert response.status_code == 400
    assert message in alert(response)
    assert rows() == before
    assert form_fields(response)["token"]  # a fresh one: sending again works
    assert pay_path(send(client, form_fields(response)))


def test_a_form_left_open_too_long_asks_to_send_it_again():
    with time_machine.travel("2026-03-01 10:00", tick=False) as traveller:
        client, fields = checkout_form()
        traveller.shift(settings.SUPPORT_CHECKOUT_FORM_MAX_AGE + 5)
        before = rows()
        response = send(client, fields, method="bank_transfer")
        assert response.status_code == 400
        assert "open for a long time" in alert(response)
        assert rows() == before
        assert pay_path(send(client, form_fields(response)))


@override_settings(
    PAYMENT_PROVIDERS={
        **settings.PAYMENT_PROVIDERS,
        "bank_transfer": {**settings.PAYMENT_PROVIDERS["bank_transfer"], "currencies": ["EUR"]},
    }
)
def test_a_method_refuses_a_currency_it_does_not_take():
    client, fields = checkout_form()
    before = rows()
    response = send(client, fields, method="bank_transfer", currency="USD")
    assert response.status_code == 400
    assert "Bank transfer takes only EUR." in errors(response)
    assert rows() == before
    assert pay_path(send(client, fields, method="crypto", currency="USD"))


def test_a_body_larger_than_the_form_is_refused():
    client, fields = checkout_form()
    before = rows()
    response = send(client, fields, method="bank_transfer", email="x" * 5000)
    assert response.status_code == 413
    assert rows() == before


# --- Nothing configured (production by default) ---------------------------------------------------------------------


@override_settings(PAYMENT_PROVIDERS={})
def test_without_providers_the_checkout_says_so_and_takes_nothing():
    client = Client()
    response = client.get("/support/?frequency=monthly&amount=10")
    soup = soup_of(response)
    assert "Payment is not available at the moment." in soup.get_text()
    assert soup.select_one("form.checkout-form button") is None
    assert all(i.has_attr("disabled") for i in soup.select("input[name=method]"))
    before = rows()
    response = send(client, form_fields(response), method="bank_transfer")
    assert response.status_code == 400
    assert "Bank transfer is not available at the moment." in " ".join(errors(response))
    assert rows() == before


# --- The pay page ---------------------------------------------------------------------------------------------------


def test_an_unknown_pay_page_is_the_sites_404():
    for path in (f"/support/pay/{uuid.uuid4()}/", "/support/pay/not-a-uuid/", "/support/pay/"):
        response = Client().get(path)
        assert response.status_code == 404, path
        assert "We could not find that page" in soup_of(response).get_text(), path


def test_a_paid_contribution_shows_thanks_and_an_ended_one_says_so():
    from core.actions import Actor
    from support.actions.contributions import cancel_contribution, confirm_payment

    client, fields = checkout_form()
    location = pay_path(send(client, fields, method="bank_transfer"))
    contribution = contribution_of(location)
    confirm_payment(actor=Actor.system("test"), payment_id=contribution.payments.get().pk)
    page = soup_of(client.get(location))
    assert "Thank you for supporting us" in page.get_text()
    assert page.select_one("[data-pay-iban]") is None
    cancel_contribution(actor=Actor.system("test"), contribution_id=contribution.pk)
    page = soup_of(client.get(location))
    assert f"The support with reference {contribution.reference} has ended." in page.get_text(" ", strip=True)


def test_the_pay_page_of_a_provider_switched_off_asks_to_start_again():
    client, fields = checkout_form()
    location = pay_path(send(client, fields, method="crypto"))
    with override_settings(PAYMENT_PROVIDERS={"bank_transfer": settings.PAYMENT_PROVIDERS["bank_transfer"]}):
        page = client.get(location)
    assert page.status_code == 200
    assert "not available any more" in soup_of(page).get_text()
    assert urlsplit(soup_of(page).select_one("main a[href^='/support/']")["href"]).path == "/support/"


# --- When something else goes wrong ---------------------------------------------------------------------------------


def test_without_an_active_campaign_there_is_no_form():
    from support.models import Campaign

    client, fields = checkout_form()
    Campaign.objects.filter(language="en").update(is_active=False)
    response = client.get("/support/")
    assert response.status_code == 200
    assert "We are not asking for support right now." in soup_of(response).get_text()
    assert soup_of(response).select_one("form.checkout-form") is None
    before = rows()
    assert send(client, fields, method="bank_transfer").status_code == 400
    assert rows() == before


def test_a_contribution_that_cannot_be_started_stores_nothing_and_the_form_can_be_sent_again(monkeypatch):
    from support.actions import contributions

    client, fields = checkout_form()
    taken = contribution_of(pay_path(send(client, fields, method="bank_transfer"))).reference
    _client, fields = checkout_form(client)
    monkeypatch.setattr(contributions, "new_reference", lambda: taken)  # the one-in-a-billion clash, five times
    before = rows()
    response = send(client, fields, method="bank_transfer")
    assert response.status_code == 503
    assert "please try again" in alert(response)
    assert rows() == before
    monkeypatch.undo()
    assert pay_path(send(client, fields, method="bank_transfer"))  # the token was given back


class CryptoGatewayDown(Crypto):
    def start(self, contribution, request):
        raise DomainError("The gateway is down.")


@override_settings(
    PAYMENT_PROVIDERS={
        "crypto": {**settings.PAYMENT_PROVIDERS["crypto"], "class": "tests.support.test_checkout.CryptoGatewayDown"}
    }
)
def test_a_provider_that_cannot_prepare_still_leads_to_the_contributions_page():
    client, fields = checkout_form()
    location = pay_path(send(client, fields, method="crypto"))
    assert contribution_of(location).method == "crypto"
    assert pay_path(send(client, fields, method="crypto")) == location
