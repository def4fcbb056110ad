"""Dated exchange rates: the ECB file imported by one command, and every figure in mixed currencies converted at its
documented rate (``docs/revenue.md``, *Exchange rates*) — one-time gifts in the gap at their day's rate, MRR and a
month's income at the month's — against sums worked out by hand below. A missing rate is never silent."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.test import Client

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support import ledger
from support.actions.contributions import confirm_payment, record_renewal, start_contribution
from support.figures import figures_for, goal_document
from support.models import Campaign, ExchangeRate
from support.rates import RateBook
from support.revenue.period import Span, period_figures
from support.stats import Period, campaign_stats
from tests.support.revenue_ledger import at

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
CSV = FIXTURES / "eurofxref-hist-small.csv"
XML = FIXTURES / "eurofxref-hist-small.xml"
STAFF = Actor("staff", "1")
NOW = dt.datetime(2026, 11, 17, 15, 30, tzinfo=dt.UTC)

# The fixture file's rates, 1 EUR in each, and by hand what 1 unit is in euros (exact inverses on purpose):
#   from 1 Sep: USD 1.25 → 0.8,  GBP 0.8 → 1.25
#   from 1 Oct: USD 1.60 → 0.625, GBP 0.5 → 2
#   from 2 Nov: USD 1.28 → 0.78125, GBP 0.625 → 1.6


def moment(month, day, hour=10):
    return dt.datetime(2026, month, day, hour, tzinfo=dt.UTC)


def give(amount, currency, frequency, when, arm=""):
    with at(when):
        contribution = start_contribution(
            actor=Actor.reader(),
            amount=Money(Decimal(amount), currency),
            frequency=frequency,
            method="bank_transfer",
            arm=arm,
            campaign=Campaign.objects.get(language="en", is_active=True),
        )
        assert confirm_payment(actor=STAFF, payment_id=contribution.payments.get().pk)
    return contribution


def renew(contribution, when):
    with at(when):
        record_renewal(
            actor=STAFF, contribution_id=contribution.pk, amount=contribution.money, provider_id=f"renewal-{when:%m%d}"
        )


@pytest.fixture
def campaign():
    return Campaign.objects.get(language="en", is_active=True)


@pytest.fixture
def rates():
    ExchangeRate.objects.all().delete()
    call_command("import_rates", str(CSV))


@pytest.fixture
def mixed(rates):
    euro = give("10", "EUR", "monthly", moment(9, 10))
    renew(euro, moment(10, 10))
    renew(euro, moment(11, 10))
    dollars = give("20", "USD", "monthly", moment(10, 5), arm="panel-gap")
    renew(dollars, moment(11, 5))
    give("120", "GBP", "annual", moment(9, 15))  # 10 a month
    give("50", "USD", "once", moment(10, 12))  # October's income, outside the gap's 30 days
    give("25", "USD", "once", moment(11, 1))  # a Sunday: the rate of 1 October is the latest
    give("40", "GBP", "once", moment(11, 3), arm="panel-gap")
    give("30", "EUR", "once", moment(11, 10))


# --- the rate book


def test_the_latest_rate_on_or_before_the_day_inverted_or_through_the_euro(rates):
    book = RateBook("EUR")
    assert book.rate("USD", dt.date(2026, 8, 31)) is None  # before the first rate: none, never a guess
    assert book.rate("USD", dt.date(2026, 9, 1)) == Decimal("0.8")
    assert book.rate("USD", dt.date(2026, 10, 31)) == Decimal("0.625")
    assert book.rate("GBP", dt.date(2026, 12, 25)) == Decimal("1.6")
    assert book.rate("EUR", dt.date(1990, 1, 1)) == 1
    pounds = RateBook("GBP")  # dollars into pounds: through the euro
    assert pounds.rate("USD", dt.date(2026, 10, 2)) == Decimal("0.625") * Decimal("0.5")


# --- the gap readers see


def test_the_gap_counts_every_currency_at_its_documented_rate(mixed, campaign):
    with at(NOW):
        figures = figures_for(campaign)
        document = goal_document(campaign)
    # MRR at this month's rate (2 Nov): 10 + 20 × 0.78125 + 10 × 1.6 = 41.625
    # gifts of the last 30 days at their days' rates: 25 × 0.625 (1 Nov) + 40 × 1.6 (3 Nov) + 30 = 109.625
    assert figures.income == Money(Decimal("151.25"), "EUR")
    assert figures.excluded == ()
    assert figures.gap == (Money(campaign.monthly_cost, "EUR") - Money(Decimal("151.25"), "EUR")).clamp_at_zero()
    assert document["income"] == "151.25" and document["excluded"] == [] and document["text"]["excluded"] == ""


def test_a_missing_rate_is_left_out_and_said(mixed, campaign):
    ExchangeRate.objects.filter(to_currency="GBP").delete()
    with at(NOW):
        figures = figures_for(campaign)
        document = goal_document(campaign)
        page = Client().get("/support/transparency/")
    assert figures.income == Money(Decimal("71.25"), "EUR")  # 151.25 − 16 − 64
    assert figures.excluded == (Money(Decimal("50"), "GBP"),)  # the annual plan's 10 a month and the £40 gift
    assert "£50" in document["text"]["excluded"] and "no exchange rate" in document["text"]["excluded"]
    assert document["excluded"] == [{"amount": "50.00", "currency": "GBP"}]
    text = BeautifulSoup(page.content, "html.parser").select_one("[data-transparency=excluded]").get_text()
    assert "£50" in text and "no exchange rate" in text


# --- the dashboard


def test_each_months_income_at_that_months_rate(mixed, campaign):
    with at(NOW):
        september = period_figures(campaign, Span.month_of(dt.date(2026, 9, 1)), now=NOW)
        october = period_figures(campaign, Span.month_of(dt.date(2026, 10, 1)), now=NOW)
        november = period_figures(campaign, Span.month_of(dt.date(2026, 11, 1)), now=NOW)
        autumn = period_figures(campaign, Span(dt.date(2026, 9, 1), dt.date(2026, 10, 31)), now=NOW)
        in_dollars = period_figures(campaign, Span.month_of(dt.date(2026, 10, 1)), currency="USD", now=NOW)
    assert september.income == Money(Decimal("160.00"), "EUR")  # 10 + 120 × 1.25
    assert october.income == Money(Decimal("53.75"), "EUR")  # 10 + (20 + 50) × 0.625
    assert november.income == Money(Decimal("139.16"), "EUR")  # 10 + 30 + (20 + 25) × 0.78125 + 40 × 1.6
    assert autumn.income == Money(Decimal("213.75"), "EUR")  # each month at its own rate: 160 + 53.75
    assert october.mrr_end == Money(Decimal("42.50"), "EUR")  # at 31 Oct: 10 + 20 × 0.625 + 10 × 2
    assert september.mrr_end == Money(Decimal("22.50"), "EUR")  # 10 + 10 × 1.25
    assert in_dollars.income == Money(Decimal("86.00"), "USD")  # 10 × 1.6 + 70
    assert october.by_currency["USD"] == (2, Money(Decimal("70"), "USD"), Money(Decimal("43.75"), "EUR"))
    assert not october.missing and not november.excluded


def test_the_dashboard_names_the_currency_and_days_without_a_rate(mixed, campaign):
    # the pound's first rate only on 20 October: September's £120 has none
    ExchangeRate.objects.filter(to_currency="GBP", day__gte=dt.date(2026, 10, 1)).delete()
    ExchangeRate.objects.filter(to_currency="GBP").update(day=dt.date(2026, 10, 20))
    client = Client()
    assert client.login(username="revenue", password="samizdat-demo")
    with at(NOW):
        response = client.get("/admin/support/revenue/?month=2026-09")
        figures = period_figures(campaign, Span.month_of(dt.date(2026, 9, 1)), now=NOW)
    assert figures.income == Money(Decimal("10.00"), "EUR") and figures.missing == ("GBP",)
    soup = BeautifulSoup(response.content, "html.parser")
    assert response.status_code == 200
    assert "GBP" in soup.select_one("[data-missing-rate=GBP]").get_text()
    assert figures.missing_days["GBP"][0] <= dt.date(2026, 9, 30)


# --- the ask statistics


def test_ask_revenue_at_the_rate_of_the_month_paid(mixed, campaign):
    with at(NOW):
        found = ledger.conversions_by_arm(campaign)
    # 20 USD in Oct × 0.625 + 20 USD in Nov × 0.78125 + 40 GBP in Nov × 1.6 = 92.125
    assert found["panel-gap"] == (2, Money(Decimal("92.13"), "EUR"))
    assert found.excluded == ()
    ExchangeRate.objects.filter(to_currency="USD").delete()
    with at(NOW):
        found = ledger.conversions_by_arm(campaign)
        stats = campaign_stats(campaign, Period(dt.date(2026, 9, 1), dt.date(2026, 11, 17)))
    assert found["panel-gap"] == (2, Money(Decimal("64.00"), "EUR")) and found.excluded == (Money(40, "USD"),)
    assert stats.revenue_excluded == (Money(40, "USD"),)


# --- the import


def test_importing_the_csv_then_the_xml_of_the_same_days_changes_nothing(campaign):
    ExchangeRate.objects.all().delete()
    call_command("import_rates", str(CSV))
    stored = set(ExchangeRate.objects.values_list("from_currency", "to_currency", "day", "rate"))
    # USD, GBP and CHF (ours) on three days; JPY is not a currency of ours, RUB is N/A
    assert len(stored) == 9 and ("EUR", "USD", dt.date(2026, 10, 1), Decimal("1.6")) in stored
    call_command("import_rates", str(XML))
    assert set(ExchangeRate.objects.values_list("from_currency", "to_currency", "day", "rate")) == stored
    [first, second] = AuditEntry.objects.filter(action="rates.imported").order_by("pk")
    assert first.data["created"] == 9 and second.data["created"] == 0 and second.data["updated"] == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (b"Datum,USD\n2026-11-02,1.1\n", "header"),
        (b"Date,USD,GBP,\n2026-11-02,1.1,0.8,\n2026-13-02,1.1,0.8,\n", "Line 3"),
        (b"Date,USD,GBP,\n2026-11-02,1.1,-0.8,\n", "not a rate"),
        (b"Date,USD,GBP,\n2026-11-02,abc,0.8,\n", "not a rate"),
        (b"<Envelope><Cube><Cube time='2026-11-02'><Cube currency='USD' rate='x'/></Cube></Cube></Envelope>", "rate"),
        (b"<Envelope><Cube>", "XML"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"Date,JPY,\n2026-11-02,180,\n", "no rate"),
    ],
)
def test_a_malformed_file_is_refused_with_its_line_and_nothing_changes(tmp_path, content, message, rates):
    before = set(ExchangeRate.objects.values_list("from_currency", "to_currency", "day", "rate"))
    path = tmp_path / "rates.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_rates", str(path))
    assert set(ExchangeRate.objects.values_list("from_currency", "to_currency", "day", "rate")) == before
    assert AuditEntry.objects.filter(action="rates.imported").count() == 1  # the fixture's own import


def test_a_file_that_is_not_there_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_rates", str(tmp_path / "missing.csv"))


def test_the_admin_lists_rates_and_warns_of_a_missing_one(campaign):
    ExchangeRate.objects.all().delete()
    client = Client()
    assert client.login(username="admin", password="samizdat-demo")
    response = client.get("/admin/snippets/support/exchangerate/")
    assert response.status_code == 200
    assert b"No exchange rate from USD into EUR" in response.content
    home = client.get("/admin/")
    assert b"data-rates-panel" in home.content and b"No exchange rate from GBP into EUR" in home.content
    call_command("import_rates", str(CSV))
    with at(moment(11, 5)):
        home = client.get("/admin/")
    assert b"data-rates-panel" not in home.content


def test_the_revenue_role_keeps_the_rates_and_editors_do_not(campaign):
    revenue, editor = Client(), Client()
    assert revenue.login(username="revenue", password="samizdat-demo")
    assert editor.login(username="editor", password="samizdat-demo")
    assert revenue.get("/admin/snippets/support/exchangerate/").status_code == 200
    assert revenue.get("/admin/snippets/support/exchangerate/add/").status_code == 200
    assert editor.get("/admin/snippets/support/exchangerate/").status_code in (302, 403)
