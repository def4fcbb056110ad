"""“Manage my support”, end to end over HTTP and real SMTP: ask for a link, the same answer for every address, the link
mailed only to a supporter we know, their contributions, cancel, change the amount, erase — and then the address is
in no table."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core import signing

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import confirm_payment, start_contribution
from support.models import Contribution, Reminder, Supporter
from support.receipts import MANAGE_SALT, manage_token
from support.reminders import email_digest
from tests.support.conftest import body_of, links_in, path_of
from tests.support.test_ledger import tables_holding

pytestmark = pytest.mark.django_db

ADDRESS = "manage.reader.41d7@example.org"
START = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def start(amount="10", frequency="monthly", method="bank_transfer", email=ADDRESS, pay=True):
    contribution = start_contribution(
        actor=Actor.reader(), amount=Money(Decimal(amount), "EUR"), frequency=frequency, method=method, email=email
    )
    if pay:
        confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk, transaction_reference="x")
    return contribution


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def audit(action):
    return list(AuditEntry.objects.filter(action=action))


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    def post(email, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/support/manage/", {"email": email}, **extra)

    return post


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def page_url(supporter):
    return f"/support/manage/{manage_token(supporter)}/"


def section(response, contribution):
    return soup(response).select_one(f"[data-contribution={contribution.reference}]")


def form_data(response, owner, selector, **data):
    form = section(response, owner).select_one(selector)
    return {field["name"]: field.get("value", "") for field in form.select("input")} | data


def private(response):
    cache = response["Cache-Control"]
    return "no-store" in cache and "private" in cache and "noindex" in response["X-Robots-Tag"]


def test_the_request_form_keeps_the_readers_language(client, django_capture_on_commit_callbacks):
    page = client.get("/support/manage/?lang=ru")
    assert page.status_code == 200 and page["Content-Language"] == "ru"
    assert soup(page).select_one("form input[name=lang]")["value"] == "ru"  # not the language's whole description

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/support/manage/", {"email": "nobody.here@example.org", "lang": "ru"})
    assert answer.status_code == 200 and answer["Content-Language"] == "ru"


def test_the_whole_path_request_list_cancel_change_and_erase(client, ask, mailbox, clock):
    monthly = start("10")
    gift = start("30", frequency="once")
    stranger = start("5", email="someone.else@example.net")
    supporter = Supporter.objects.get(email=ADDRESS)

    # The form, then the same answer for a known and an unknown address.
    form_page = client.get("/support/manage/")
    assert form_page.status_code == 200 and private(form_page)
    assert soup(form_page).select_one("form[action='/support/manage/'] input[name=email]")
    known = ask(ADDRESS.upper())
    unknown = ask("nobody.here@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert b"If we know this address" in known.content and private(known)

    # Only the known address got a mail: neutral subject, one link that works for an hour.
    [mail] = mailbox.messages
    assert mail.envelope_to == [ADDRESS] and mail["Subject"] == "Your link"
    assert "60 minutes" in body_of(mail)
    [url] = links_in(mail)
    assert path_of(url).startswith("/support/manage/")
    assert [entry.subject_id for entry in audit("supporter.manage_link_requested")] == [str(supporter.pk)]

    # The page behind the link: private, marks the browser as a supporter's, lists only their contributions.
    page = client.get(path_of(url))
    assert page.status_code == 200 and private(page) and page["Referrer-Policy"] == "no-referrer"
    assert soup(page).select_one("[data-sz-mark-supporter]") is not None
    assert soup(page).select_one("meta[name=robots]")["content"] == "noindex, nofollow"
    listed = [node["data-contribution"] for node in soup(page).select("[data-contribution]")]
    assert sorted(listed) == sorted([monthly.reference, gift.reference])
    assert stranger.reference not in page.content.decode() and ADDRESS not in page.content.decode().lower()
    text = section(page, monthly).get_text(" ", strip=True)
    assert "€10" in text and "monthly" in text and "bank transfer" in text and "active" in text
    assert "succeeded" in section(page, monthly).select_one("table[data-payments]").get_text()
    # A one-time gift has nothing to cancel or change.
    assert not section(page, gift).select("form")

    # Change the amount: bad amounts are refused with a message, and nothing changes.
    for bad, message in [
        ("abc", "Enter an amount such as 10 or 7.50."),
        ("", "Enter an amount such as 10 or 7.50."),
        ("-5", "Enter an amount such as 10 or 7.50."),
        ("0.5", "The smallest amount is"),
        ("10001", "The largest amount is"),
        ("1e99", "Enter an amount such as 10 or 7.50."),  # no exponents
        ("7.555", "at most two decimals"),
    ]:
        response = client.post(path_of(url), form_data(page, monthly, "form[data-amount-form]", amount=bad))
        assert response.status_code == 400, bad
        assert message in soup(response).select_one("[data-manage-message]").get_text(), bad
    assert Contribution.objects.get(pk=monthly.pk).amount == Decimal("10")
    assert audit("contribution.amount_changed") == []

    changed = client.post(path_of(url), form_data(page, monthly, "form[data-amount-form]", amount="15,50"))
    assert changed.status_code == 303
    assert Contribution.objects.get(pk=monthly.pk).amount == Decimal("15.50")
    [entry] = audit("contribution.amount_changed")
    assert entry.data == {"before": "10.00", "after": "15.50", "currency": "EUR"} and entry.actor_kind == "reader"
    after = client.get(changed["Location"])
    assert "The new amount is recorded" in after.content.decode()
    assert "€15.50" in section(after, monthly).get_text()

    # A button's token works only for its own contribution and action.
    stolen = form_data(page, monthly, "form[data-cancel-form]", contribution=str(gift.pk))
    response = client.post(path_of(url), stolen)
    assert response.status_code == 400 and "This form has expired or was changed" in response.content.decode()
    other = form_data(page, monthly, "form[data-cancel-form]", action="amount", amount="20")
    assert client.post(path_of(url), other).status_code == 400
    assert Contribution.objects.get(pk=monthly.pk).status == "active"

    # Cancel.
    cancelled = client.post(path_of(url), form_data(page, monthly, "form[data-cancel-form]"))
    assert cancelled.status_code == 303
    assert Contribution.objects.get(pk=monthly.pk).status == "cancelled"
    [entry] = audit("contribution.cancelled")
    assert entry.subject_id == str(monthly.pk) and entry.actor_kind == "reader"
    after = client.get(cancelled["Location"])
    assert "stop your standing order at your bank" in after.content.decode()
    assert not section(after, monthly).select("form")
    again = client.post(path_of(url), form_data(page, monthly, "form[data-cancel-form]"))  # a second click
    assert again.status_code == 303 and "unchanged" in again["Location"]
    assert len(audit("contribution.cancelled")) == 1

    # Erase: a confirmation first, then nothing is kept anywhere.
    request_reminder_for_the_same_address()
    assert set(tables_holding(ADDRESS)) == {"support_supporter", "support_reminder"}
    erase_form = soup(after).select_one("form[data-erase-form]")
    data = {field["name"]: field["value"] for field in erase_form.select("input")}
    confirm_page = client.post(path_of(url), data)
    assert confirm_page.status_code == 200 and private(confirm_page)
    assert Supporter.objects.filter(pk=supporter.pk).exists()  # not yet
    confirm_form = soup(confirm_page).select_one("form[data-erase-confirm-form]")
    data = {field["name"]: field["value"] for field in confirm_form.select("input")}
    erased = client.post(path_of(url), data)
    assert erased.status_code == 200
    assert soup(erased).select_one("[data-manage-outcome]")["data-manage-outcome"] == "erased"
    assert "in none of our records" in erased.content.decode()
    assert tables_holding(ADDRESS) == [] and tables_holding("manage.reader.41d7") == []
    assert not Reminder.objects.exists() and not Supporter.objects.filter(pk=supporter.pk).exists()
    assert Contribution.objects.filter(pk__in=[monthly.pk, gift.pk], supporter__isnull=True).count() == 2
    assert len(audit("supporter.erased")) == 1

    # The link now leads to nothing, and a second click on “erase” changes nothing.
    gone = client.get(path_of(url))
    assert gone.status_code == 200 and b"Nothing is kept" in gone.content
    assert client.post(path_of(url), data).status_code == 200
    assert len(audit("supporter.erased")) == 1


def request_reminder_for_the_same_address():
    from support.actions.reminders import request_reminder

    request_reminder(actor=Actor.reader(), email=ADDRESS, when="week")  # no mail: on-commit hooks are not run here


def test_a_crypto_amount_can_change_and_a_card_contribution_is_stopped_at_its_provider_first(client, monkeypatch):
    crypto = start("10", method="crypto")
    card = start("10", method="card", pay=False)
    supporter = Supporter.objects.get(email=ADDRESS)
    page = client.get(page_url(supporter))
    assert section(page, crypto).select_one("form[data-amount-form]")
    assert section(page, card).select_one("form[data-cancel-form]")
    # a card gift whose first payment has not gone through has no subscription yet: no amount to change, no card
    assert not section(page, card).select("form[data-amount-form]") and not section(page, card).select(
        "[data-card-link]"
    )

    # A card provider without a way to stop its subscriptions: nothing changes, and the supporter is told.
    monkeypatch.setattr("support.actions.manage.get_provider", lambda key: object())
    response = client.post(page_url(supporter), form_data(page, card, "form[data-cancel-form]"))
    assert response.status_code == 400 and "cannot stop card payments" in response.content.decode()
    assert Contribution.objects.get(pk=card.pk).status == "pending"

    # With the hook, it is stopped at the provider first, then in the ledger.
    stopped = []

    class Card:
        def cancel_recurring(self, contribution):
            stopped.append(contribution.pk)

    monkeypatch.setattr("support.actions.manage.get_provider", lambda key: Card())
    response = client.post(page_url(supporter), form_data(page, card, "form[data-cancel-form]"))
    assert response.status_code == 303 and stopped == [card.pk]
    assert Contribution.objects.get(pk=card.pk).status == "cancelled"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("nonsense", "This link is not valid"),
        ("x" * 500, "This link is not valid"),
        (signing.dumps({"s": 1, "e": "x", "l": "en"}, salt="samizdat.reminder.cancel"), "This link is not valid"),
    ],
)
def test_a_tampered_link_gets_a_clear_400(client, token, message):
    response = client.get(f"/support/manage/{token}/")
    assert response.status_code == 400 and message in response.content.decode() and private(response)
    assert client.post(f"/support/manage/{token}/", {"action": "erase"}).status_code == 400


def test_a_changed_or_expired_link_gets_a_clear_400(client, clock):
    start()
    supporter = Supporter.objects.get(email=ADDRESS)
    token = manage_token(supporter)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/support/manage/{forged}/").status_code == 400
    clock.shift(dt.timedelta(minutes=59))
    assert client.get(f"/support/manage/{token}/").status_code == 200
    clock.shift(dt.timedelta(minutes=2))
    response = client.get(f"/support/manage/{token}/")
    assert response.status_code == 400 and "This link has expired" in response.content.decode()


def test_a_link_for_an_address_that_is_not_the_ids_any_more_shows_nothing(client):
    start()
    supporter = Supporter.objects.get(email=ADDRESS)
    token = signing.dumps({"s": supporter.pk, "e": email_digest("other@example.org"), "l": "en"}, salt=MANAGE_SALT)
    response = client.get(f"/support/manage/{token}/")
    assert response.status_code == 200 and b"Nothing is kept" in response.content
    assert ADDRESS.encode() not in response.content


def test_bad_addresses_get_a_message_and_send_nothing(ask, mailbox):
    start()
    for bad in ["", "not-an-address", "a" * 250 + "@example.org"]:
        response = ask(bad)
        assert response.status_code == 400 and b"Nothing has been sent" in response.content
    assert mailbox.messages == []


def test_limits_per_address_and_per_ip(ask, mailbox):
    start()
    for _ in range(3):
        assert ask(ADDRESS).status_code == 200
    limited = ask(ADDRESS)
    assert limited.status_code == 429 and b"several requests for this address" in limited.content
    assert len(mailbox.messages) == 3
    # An unknown address counts the same way: the limit tells nobody which addresses we know.
    for _ in range(3):
        assert ask("unknown.limit@example.org").status_code == 200
    assert ask("unknown.limit@example.org").status_code == 429
    # Per connection: ten requests an hour, whatever the addresses (eight were made above).
    assert ask("first.of.many@example.org", REMOTE_ADDR="203.0.113.9").status_code == 200
    for number in range(9):
        ask(f"many.{number}@example.org", REMOTE_ADDR="203.0.113.9")
    response = ask("one.more@example.org", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429 and b"Too many requests from your connection" in response.content
    assert ask("one.more@example.org", REMOTE_ADDR="198.51.100.7").status_code == 200
