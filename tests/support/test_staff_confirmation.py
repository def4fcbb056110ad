"""Staff confirm bank transfers and crypto in the admin: the list of what waits, one contribution's page, and the two
buttons — through HTTP, as the revenue person and the other roles."""

import datetime as dt
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import confirm_payment, start_contribution
from support.models import Contribution, Payment

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/support/contributions/"
ADDRESS = "someone.at.risk@example.org"


def detail_url(contribution):
    return f"{LIST_URL}{contribution.pk}/"


def start(amount="10", frequency="monthly", method="bank_transfer", currency="EUR", **extra):
    return start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal(amount), currency),
        frequency=frequency,
        method=method,
        **extra,
    )


def login(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def listed(response):
    return [row["data-reference"] for row in soup(response).select("table[data-contributions] tbody tr")]


def flash(response):
    """The messages waiting to be shown (they pile up while a test does not follow the redirects)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def confirm(client, contribution, payment=None, **data):
    payment = payment or contribution.payments.get()
    return client.post(f"{detail_url(contribution)}confirm/", {"payment": payment.pk, **data})


def fail(client, contribution, payment=None, **data):
    payment = payment or contribution.payments.get()
    return client.post(f"{detail_url(contribution)}fail/", {"payment": payment.pk, **data})


def state(contribution):
    stored = Contribution.objects.get(pk=contribution.pk)
    return stored.status, [payment.status for payment in stored.payments.order_by("pk")]


def confirmations(contribution):
    return AuditEntry.objects.filter(
        action="payment.confirmed",
        subject_type="support.payment",
        subject_id__in=[str(pk) for pk in contribution.payments.values_list("pk", flat=True)],
    )


# --- the list


def test_the_list_shows_what_waits_for_staff_and_no_address(revenue):
    bank = start("25", frequency="once", email=ADDRESS)
    crypto = start("0.50", method="crypto", email=ADDRESS)
    card = start("10", method="card")
    paid = start("10")
    confirm_payment(actor=Actor.system(), payment_id=paid.payments.get().pk)
    Contribution.objects.filter(pk=bank.pk).update(created_at=timezone.now() - dt.timedelta(days=3, hours=1))
    response = revenue.get(LIST_URL)
    assert response.status_code == 200
    assert listed(response) == [bank.reference, crypto.reference]  # the oldest waits longest: first
    assert card.reference not in listed(response) and paid.reference not in listed(response)
    cells = [
        cell.get_text(" ", strip=True) for cell in soup(response).select(f"tr[data-reference={bank.reference}] td")
    ]
    assert cells == [bank.reference, "€25", "once", "bank transfer", "pending", "3 days"]
    assert ADDRESS not in response.content.decode()
    assert "example.org" not in response.content.decode()


def test_the_list_filters_by_method_status_and_reference(revenue):
    bank = start()
    crypto = start(method="crypto")
    failed = start()
    Payment.objects.filter(contribution=failed).update(status="failed")
    Contribution.objects.filter(pk=failed.pk).update(status="failed")
    assert listed(revenue.get(LIST_URL, {"method": "crypto"})) == [crypto.reference]
    assert listed(revenue.get(LIST_URL, {"method": "bank_transfer"})) == [bank.reference]
    assert listed(revenue.get(LIST_URL, {"status": "failed"})) == [failed.reference]
    assert set(listed(revenue.get(LIST_URL, {"status": "all"}))) >= {bank.reference, crypto.reference, failed.reference}
    spoken = bank.reference.lower().replace("-", " ")  # as read out over the phone: “sz abcd efgh”
    assert listed(revenue.get(LIST_URL, {"q": spoken})) == [bank.reference]
    assert listed(revenue.get(LIST_URL, {"q": bank.reference[-4:]})) == [bank.reference]
    response = revenue.get(LIST_URL, {"q": "SZ-ZZZZ-ZZZZ"})
    assert response.status_code == 200 and listed(response) == [] and soup(response).select_one("[data-empty]")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"method": "cheque"}, "There is no method “cheque”"),
        ({"status": "paid"}, "There is no status “paid”"),
        ({"p": "0"}, "There is no page “0”"),
        ({"p": "abc"}, "There is no page “abc”"),
        ({"p": "99"}, "There is no page “99”"),
        ({"p": "9" * 40}, "There is no page"),
        ({"method": "x" * 500, "status": "'; DROP TABLE x; --"}, "There is no method"),
    ],
)
def test_bad_filters_get_a_message_and_the_defaults(revenue, query, message):
    waiting = start()
    response = revenue.get(LIST_URL, query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert waiting.reference in listed(response)


def test_the_list_pages_through_many(revenue, monkeypatch):
    monkeypatch.setattr("support.admin.contributions.PER_PAGE", 2)
    made = [start().reference for _ in range(5)]
    first = revenue.get(LIST_URL)
    assert listed(first)[:2] == listed(first) and len(listed(first)) == 2
    next_link = soup(first).select_one("a[rel=next]")["href"]
    assert "p=2" in next_link
    everything = []
    page = 1
    while True:
        response = revenue.get(LIST_URL, {"p": page})
        everything += listed(response)
        if not soup(response).select_one("a[rel=next]"):
            break
        page += 1
    assert [reference for reference in everything if reference in made] == made


# --- one contribution


def test_the_detail_shows_the_promise_its_payments_and_history_but_not_the_address(revenue):
    contribution = start("25", frequency="once", email=ADDRESS)
    response = revenue.get(detail_url(contribution))
    assert response.status_code == 200
    page = soup(response)
    text = page.get_text(" ", strip=True)
    assert contribution.reference in text and "€25" in text
    assert "An email address is on file (not shown here)." in text
    assert ADDRESS not in response.content.decode()
    assert page.select_one("form[data-confirm-form] input[name=csrfmiddlewaretoken]")
    assert page.select_one("form[data-fail-form]")
    assert page.select_one("form[data-confirm-form] input[name=transaction_reference]").get("required") is None
    assert "contribution.started" in page.select_one("table[data-history]").get_text()


def test_a_crypto_contribution_asks_for_the_transaction_id(revenue):
    contribution = start(method="crypto")
    page = soup(revenue.get(detail_url(contribution)))
    field = page.select_one("form[data-confirm-form] input[name=transaction_reference]")
    assert field.get("required") is not None
    assert "Transaction id" in page.select_one("form[data-confirm-form]").get_text()


@pytest.mark.parametrize("path", ["999999999/", "0/", "99999999999999999999999/", "abc/", "-1/"])
def test_a_contribution_that_does_not_exist_is_not_found(revenue, path):
    assert revenue.get(LIST_URL + path).status_code == 404
    assert revenue.post(LIST_URL + path + "confirm/", {"payment": "1"}).status_code == 404


def test_a_card_contribution_has_no_buttons_and_cannot_be_confirmed_by_hand(revenue):
    card = start(method="card")
    page = soup(revenue.get(detail_url(card)))
    assert not page.select("form[data-confirm-form], form[data-fail-form]")
    assert "confirmed by the card provider" in page.get_text()
    response = confirm(revenue, card)
    assert response.status_code == 302 and response["Location"] == detail_url(card)
    assert "Nothing was changed: Card payments are confirmed by the card provider, never by hand." in flash(response)
    assert state(card) == ("pending", ["pending"])


# --- confirming


def test_confirming_a_bank_transfer_records_the_money_once(revenue):
    contribution = start("25", frequency="once")
    response = confirm(revenue, contribution, transaction_reference="  2026-03-02   line 14 ")
    assert response.status_code == 302 and response["Location"] == LIST_URL
    assert f"{contribution.reference}: the money is recorded as received." in flash(response)
    assert state(contribution) == ("completed", ["succeeded"])
    assert contribution.payments.get().transaction_reference == "2026-03-02 line 14"
    [entry] = confirmations(contribution)
    assert (entry.actor_kind, entry.actor_id) == ("staff", str(get_user_model().objects.get(username="revenue").pk))
    assert contribution.reference not in listed(revenue.get(LIST_URL))

    again = confirm(revenue, contribution, transaction_reference="another line")  # a double click, a reload
    assert again.status_code == 302 and again["Location"] == detail_url(contribution)
    assert f"{contribution.reference}: that payment was already confirmed; nothing changed." in flash(again)
    assert confirmations(contribution).count() == 1
    assert contribution.payments.get().transaction_reference == "2026-03-02 line 14"


def test_a_monthly_bank_transfer_becomes_active(revenue):
    contribution = start(frequency="monthly")
    assert confirm(revenue, contribution).status_code == 302
    assert state(contribution) == ("active", ["succeeded"])


def test_a_crypto_payment_is_confirmed_by_its_transaction_and_one_transaction_pays_once(revenue):
    first = start(method="crypto")
    second = start(method="crypto")
    response = confirm(revenue, first)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert state(first) == ("pending", ["pending"])
    assert confirm(revenue, first, transaction_reference="0xabc123").status_code == 302
    assert state(first) == ("active", ["succeeded"])
    response = confirm(revenue, second, transaction_reference="0xabc123")
    assert response.status_code == 302
    assert f"Nothing was changed: Transaction 0xabc123 already confirmed the payment of {first.reference}." in flash(
        response
    )
    assert state(second) == ("pending", ["pending"])
    assert confirm(revenue, second, transaction_reference="0XABC123").status_code == 302  # hex ids ignore case
    assert state(second) == ("pending", ["pending"])
    # The first one again, as a double submit: already confirmed, not a clash with itself.
    again = confirm(revenue, first, transaction_reference="0xabc123")
    assert any("already confirmed; nothing changed" in message for message in flash(again))


def test_a_late_transfer_can_be_confirmed_after_it_was_marked_failed(revenue):
    contribution = start(frequency="once")
    assert fail(revenue, contribution).status_code == 302
    page = soup(revenue.get(detail_url(contribution)))
    assert "Confirm it if the money arrived after all." in page.get_text()
    assert not page.select("form[data-fail-form]")
    assert confirm(revenue, contribution).status_code == 302
    assert state(contribution) == ("completed", ["succeeded"])


# --- failing


def test_marking_as_failed_and_again(revenue):
    contribution = start()
    response = fail(revenue, contribution, reason="no transfer within 30 days")
    assert response.status_code == 302 and response["Location"] == LIST_URL
    assert f"{contribution.reference}: marked as failed." in flash(response)
    assert state(contribution) == ("failed", ["failed"])
    assert contribution.payments.get().failure_message == "no transfer within 30 days"
    assert AuditEntry.objects.filter(action="payment.failed").count() == 1
    again = fail(revenue, contribution)
    assert any("already marked as failed; nothing changed" in message for message in flash(again))
    assert AuditEntry.objects.filter(action="payment.failed").count() == 1


def test_money_received_cannot_be_marked_as_failed(revenue):
    contribution = start()
    confirm(revenue, contribution)
    response = fail(revenue, contribution)
    assert response.status_code == 302 and response["Location"] == detail_url(contribution)
    assert "Nothing was changed: A payment cannot go from succeeded to failed." in flash(response)
    assert state(contribution) == ("active", ["succeeded"])


# --- forms that are stale, forged or wrong


@pytest.mark.parametrize("payment", ["", "abc", "-3", "0", "99999999999999999999999", "1.5"])
def test_a_garbled_payment_id_is_a_form_error(revenue, payment):
    contribution = start()
    response = revenue.post(f"{detail_url(contribution)}confirm/", {"payment": payment})
    assert response.status_code == 400
    assert "Please correct the form below." in response.content.decode()
    assert state(contribution) == ("pending", ["pending"])


def test_a_payment_of_another_contribution_is_refused(revenue):
    contribution, other = start(), start()
    response = confirm(revenue, contribution, payment=other.payments.get())
    assert response.status_code == 302
    assert "That payment is not one of this contribution's; nothing was changed." in flash(response)
    assert state(contribution) == ("pending", ["pending"]) and state(other) == ("pending", ["pending"])


def test_buttons_are_posts_with_a_csrf_token(revenue):
    contribution = start()
    assert revenue.get(f"{detail_url(contribution)}confirm/").status_code == 405
    careful = Client(enforce_csrf_checks=True)
    careful.force_login(get_user_model().objects.get(username="revenue"))
    assert confirm(careful, contribution).status_code == 403
    assert state(contribution) == ("pending", ["pending"])


# --- who may


def test_anonymous_visitors_are_sent_to_the_login_page():
    contribution = start()
    for response in (Client().get(LIST_URL), confirm(Client(), contribution)):
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert state(contribution) == ("pending", ["pending"])


@pytest.mark.parametrize("username", ["editor", "contributor"])
def test_editors_and_contributors_do_not_handle_money(username):
    contribution = start()
    client = login(username)
    for response in (
        client.get(LIST_URL),
        client.get(detail_url(contribution)),
        confirm(client, contribution),
        fail(client, contribution),
    ):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert state(contribution) == ("pending", ["pending"])
    assert "offline-contributions" not in client.get("/admin/").content.decode()


def test_the_revenue_role_and_superusers_see_the_menu(revenue):
    for client in (revenue, login("admin")):
        home = client.get("/admin/").content.decode()
        assert "offline-contributions" in home and "statement-import" in home
    assert login("admin").get(LIST_URL).status_code == 200


def test_seeing_is_not_confirming():
    """``support.view_contribution`` opens the list and the page; confirming also needs ``support.change_payment``."""
    user = get_user_model().objects.create_user("auditor", password="x")
    group = Group.objects.create(name="Auditors (test)")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        Permission.objects.get(content_type__app_label="support", codename="view_contribution"),
    )
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    contribution = start()
    assert client.get(LIST_URL).status_code == 200
    page = soup(client.get(detail_url(contribution)))
    assert not page.select("form[data-confirm-form]")
    assert confirm(client, contribution).status_code == 302
    assert state(contribution) == ("pending", ["pending"])
    assert "statement-import" not in client.get("/admin/").content.decode()


def test_every_contribution_card_included_is_listed_by_method_and_found_by_provider_id(revenue):
    card = start(method="card", email="Card.Giver@Example.org", frequency="once")
    payment = card.payments.get()
    confirm_payment(actor=Actor.system(), payment_id=payment.pk, provider_id="pi_3Found1t")
    bank = start(email="bank.giver@example.org")
    Contribution.objects.filter(pk=card.pk).update(provider_customer_id="cus_Fnd7Me")

    assert card.reference not in listed(revenue.get(LIST_URL))  # the worklist: money confirmed by hand
    assert listed(revenue.get(LIST_URL, {"method": "card", "status": "all"})) == [card.reference]
    assert set(listed(revenue.get(LIST_URL, {"method": "any", "status": "all"}))) >= {card.reference, bank.reference}
    for provider_id in ("pi_3Found1t", "cus_Fnd7Me"):
        assert listed(revenue.get(LIST_URL, {"method": "any", "status": "all", "q": provider_id})) == [card.reference]
    assert listed(revenue.get(LIST_URL, {"method": "any", "status": "all", "q": "pi_NoSuchIntent"})) == []
    page = revenue.get(detail_url(card))
    assert page.status_code == 200 and card.reference in page.content.decode()
    assert not soup(page).select("form[action$='/confirm/']")  # no hand confirmation for a card
