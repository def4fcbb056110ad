"""The review list of statement lines that matched nothing: kept once however often the statement comes back, never
with the payer's name, and resolved by staff — attached to a contribution, counted as an anonymous gift or dismissed —
each a named, audited action that refuses what the import itself would refuse and then changes nothing."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support import ledger
from support.actions.bank_statements import import_bank_statement
from support.actions.contributions import start_contribution
from support.models import Campaign, Contribution, Payment, UnmatchedTransfer
from support.statements import read_statement

LIST_URL = "/admin/support/statements/unmatched/"
STAFF = Actor("staff", "7")


def act_url(transfer, action):
    return f"{LIST_URL}{transfer.pk}/{action}/"


def start(amount="25", frequency="once"):
    return start_contribution(
        actor=Actor.reader(), amount=Money(Decimal(amount), "EUR"), frequency=frequency, method="bank_transfer"
    )


def statement(*lines):
    today = timezone.localdate()
    body = "".join(f"{today:%Y-%m-%d};{amount};EUR;{text}\n" for amount, text in lines)
    return read_statement(("Date;Amount;Currency;Description\n" + body).encode())


@pytest.fixture
def unmatched(db):
    """A statement with a mistyped reference, no reference at all, and a short transfer for a real gift."""
    gift = start("25")
    parsed = statement(
        ("25,00", "Spende SZ-ZZZZ-ZZZZ Maria Petrova"),
        ("12,00", "for your reporting, Ivan Sidorov"),
        ("20,00", f"{gift.reference} Olga K."),
        ("-80,00", "office rent"),
    )
    report = import_bank_statement(actor=STAFF, rows=parsed.lines)
    assert report.counts()["unknown_reference"] == report.counts()["no_reference"] == 1
    assert report.counts()["amount_differs"] == 1
    lines = {line.reason: line for line in UnmatchedTransfer.objects.all()}
    return gift, parsed, lines


def test_what_matches_nothing_is_kept_once_without_the_payers_name(unmatched):
    _gift, parsed, lines = unmatched
    assert set(lines) == {"unknown_reference", "no_reference", "amount_differs"}  # the rent is ours going out
    assert lines["unknown_reference"].references == "SZ-ZZZZ-ZZZZ"
    assert lines["amount_differs"].note == "Expected 25.00 EUR."
    assert all(line.status == "open" for line in lines.values())
    stored = " ".join(str(value) for row in UnmatchedTransfer.objects.values() for value in row.values())
    for name in ("Maria", "Petrova", "Ivan", "Sidorov", "Olga"):
        assert name not in stored

    import_bank_statement(actor=STAFF, rows=parsed.lines)  # the same statement again
    assert UnmatchedTransfer.objects.count() == 3


def test_a_dry_run_keeps_nothing(db):
    import_bank_statement(actor=STAFF, rows=statement(("9,00", "no reference here")).lines, dry_run=True)
    assert not UnmatchedTransfer.objects.exists()


def test_staff_see_the_list_and_attach_a_line_to_the_contribution_it_pays(unmatched, revenue):
    gift, parsed, lines = unmatched
    page = BeautifulSoup(revenue.get(LIST_URL).content, "html.parser")
    assert {int(row["data-transfer"]) for row in page.select("[data-open] tr[data-transfer]")} == {
        line.pk for line in lines.values()
    }
    mistyped = lines["unknown_reference"]
    response = revenue.post(act_url(mistyped, "attach"), {"reference": gift.reference.lower()})
    assert response.status_code == 302 and response["Location"] == LIST_URL
    gift.refresh_from_db()
    mistyped.refresh_from_db()
    assert gift.status == "completed" and gift.payments.get().status == "succeeded"
    assert mistyped.status == "attached" and mistyped.payment.contribution_id == gift.pk
    assert mistyped.resolved_by.username == "revenue" and mistyped.resolved_at is not None
    entry = AuditEntry.objects.get(action="bank_statement.line_attached")
    assert entry.subject_id == str(mistyped.pk) and entry.data == {"contribution_id": gift.pk, "outcome": "confirmed"}

    # the same statement again: the attached line is recorded, nothing is added to the list or the ledger
    again = import_bank_statement(actor=STAFF, rows=parsed.lines)
    assert len(again.outcomes["already_recorded"]) == 1 and not again.outcomes["unknown_reference"]
    assert Payment.objects.filter(contribution=gift).count() == 1
    page = BeautifulSoup(revenue.get(LIST_URL).content, "html.parser")
    assert page.select_one(f"[data-resolved] tr[data-transfer='{mistyped.pk}']")["data-status"] == "attached"


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("", "Enter one contribution reference"),
        ("SZ-AB2C-DE3F SZ-XY7Z-QQ9R", "Enter one contribution reference"),
        ("SZ-AB2C-DE3F", "No contribution has the reference SZ-AB2C-DE3F."),
    ],
)
def test_attaching_to_a_wrong_reference_is_refused_and_changes_nothing(unmatched, revenue, reference, message):
    gift, _parsed, lines = unmatched
    mistyped = lines["unknown_reference"]
    response = revenue.post(act_url(mistyped, "attach"), {"reference": reference})
    assert response.status_code == 400 and message in response.content.decode()
    mistyped.refresh_from_db()
    assert mistyped.status == "open" and not AuditEntry.objects.filter(action__startswith="bank_statement.line")
    assert Contribution.objects.get(pk=gift.pk).status == "pending"


def test_an_amount_that_differs_is_not_attached(unmatched, revenue):
    gift, _parsed, lines = unmatched
    short = lines["amount_differs"]
    response = revenue.post(act_url(short, "attach"), {"reference": gift.reference})
    assert response.status_code == 400 and "Expected 25.00 EUR." in response.content.decode()
    short.refresh_from_db()
    assert short.status == "open" and Contribution.objects.get(pk=gift.pk).status == "pending"


def test_a_line_counted_as_anonymous_reaches_the_gap_once(unmatched, revenue):
    _gift, _parsed, lines = unmatched
    campaign = Campaign.objects.get(language="en", is_active=True)
    before = ledger.recent_one_time_income(campaign)
    nameless = lines["no_reference"]
    assert revenue.post(act_url(nameless, "anonymous")).status_code == 302
    nameless.refresh_from_db()
    assert nameless.status == "anonymous" and nameless.payment.contribution.supporter_id is None
    assert ledger.recent_one_time_income(campaign) == before + Money(Decimal("12.00"), "EUR")
    assert AuditEntry.objects.filter(action="bank_statement.line_counted_anonymous").count() == 1

    # a second click (two staff at once, or a reload) is told, and counts nothing more
    response = revenue.post(act_url(nameless, "anonymous"))
    assert response.status_code == 400 and "already resolved" in response.content.decode()
    assert ledger.recent_one_time_income(campaign) == before + Money(Decimal("12.00"), "EUR")


def test_a_dismissed_line_counts_nowhere(unmatched, revenue):
    gift, _parsed, lines = unmatched
    campaign = Campaign.objects.get(language="en", is_active=True)
    before = ledger.recent_one_time_income(campaign)
    payments = Payment.objects.count()
    nameless = lines["no_reference"]
    assert revenue.post(act_url(nameless, "dismiss")).status_code == 302
    nameless.refresh_from_db()
    assert nameless.status == "dismissed" and nameless.payment is None
    assert Payment.objects.count() == payments and ledger.recent_one_time_income(campaign) == before
    assert AuditEntry.objects.filter(action="bank_statement.line_dismissed", subject_id=str(nameless.pk)).exists()
    assert revenue.post(act_url(nameless, "attach"), {"reference": gift.reference}).status_code == 400


@pytest.mark.parametrize(
    "path",
    ["999999/dismiss/", "99999999999999999999/dismiss/", "1/explode/"],
)
def test_no_such_line_or_action_is_a_clear_404(unmatched, revenue, path):
    response = revenue.post(LIST_URL + path)
    assert response.status_code == 404 and "data-problem" in response.content.decode()
    assert UnmatchedTransfer.objects.filter(status="open").count() == 3


@pytest.mark.parametrize("username", ["editor", "contributor"])
def test_only_the_revenue_role_resolves(unmatched, username):
    _gift, _parsed, lines = unmatched
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    assert client.get(LIST_URL).status_code == 302
    assert client.post(act_url(lines["no_reference"], "dismiss")).status_code == 302
    assert UnmatchedTransfer.objects.filter(status="open").count() == 3
