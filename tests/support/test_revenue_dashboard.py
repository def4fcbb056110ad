"""Support → Revenue in the admin: who may see it, what it shows for the seeded ledger of test_revenue_figures.py, the
CSV of every table agreeing with the page, and bad query strings answered with a message and a 400."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from support.revenue.period import Span, period_figures
from tests.support.revenue_ledger import NOW, at, expected_mrr

pytestmark = pytest.mark.django_db
URL = "/admin/support/revenue/"
TABLES = [
    "summary",
    "by-method",
    "by-frequency",
    "by-currency",
    "by-language",
    "by-ask",
    "by-article",
    "by-section",
    "by-referrer",
    "asks-en",
    "history",
    "cohorts",
]


def page(client, query=""):
    with at(NOW):
        response = client.get(URL + query)
    return response, BeautifulSoup(response.content, "html.parser")


def test_only_the_revenue_role_and_superusers_see_it(db, revenue):
    for name in ("editor", "contributor"):
        client = Client()
        assert client.login(username=name, password="samizdat-demo")
        assert client.get(URL).status_code in (302, 403)
        assert client.get(URL + "summary.csv").status_code in (302, 403)
    assert Client().get(URL).status_code == 302  # to the login page
    admin = Client()
    assert admin.login(username="admin", password="samizdat-demo")
    assert admin.get(URL).status_code == 200
    assert revenue.get(URL).status_code == 200


def test_the_page_shows_the_figures_of_the_ledger(seeded, revenue):
    _campaign, plans = seeded
    response, soup = page(revenue, "?month=2026-09&currency=EUR")
    assert response.status_code == 200
    end = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    assert soup.select_one("[data-figure=mrr]").contents[0].strip() == f"{expected_mrr(plans, end):.0f}"
    assert {t["data-revenue-table"] for t in soup.select("[data-revenue-table]")} >= set(TABLES) - {"by-article"}
    for chart in soup.select("svg[role=img]"):
        assert chart.find("title") is not None and chart.find("desc") is not None
    history = soup.select_one("[data-revenue-table=history]")
    assert len(history.select("tbody tr")) == 24


def test_every_table_downloads_as_csv_matching_the_figures(seeded, revenue):
    campaign, plans = seeded
    with at(NOW):
        figures = period_figures(campaign, Span.month_of(dt.date(2026, 9, 1)), now=NOW)
    for name in TABLES:
        with at(NOW):
            response = revenue.get(f"{URL}{name}.csv?month=2026-09")
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0], name
        if name == "summary":
            by_label = {row[0]: row for row in rows[1:]}
            assert Decimal(by_label["Recurring income (MRR) at the end"][2]) == figures.mrr_end.amount
            assert Decimal(by_label["Income received"][2]) == figures.income.amount
            assert int(by_label["Income received"][1]) == figures.payments
            assert Decimal(by_label["The gap"][2]) == figures.gap.amount
        if name == "by-method":
            total = sum(Decimal(row[2]) for row in rows[1:])
            assert abs(total - figures.income.amount) <= Decimal("0.05")
        if name == "history":
            assert len(rows) == 25
            september = next(row for row in rows if row[0] == "2026-09")
            assert Decimal(september[1]) == expected_mrr(plans, dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    assert revenue.get(f"{URL}nothing.csv").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?month=2026-13", "is not a month"),
        ("?month=x' OR 1=1", "is not a month"),
        ("?from=2026-05-01&to=2026-04-01", "ends before it starts"),
        ("?from=yesterday", "Dates are written like"),
        ("?from=2019-01-01&to=2026-01-01", "at most three years"),
        ("?currency=XYZ", "The currency must be one of"),
        ("?campaign=999999", "There is no campaign"),
    ],
)
def test_a_bad_query_gets_a_message_the_default_and_a_400(revenue, query, message):
    response, soup = page(revenue, query)
    assert response.status_code == 400
    assert message in soup.get_text()
    assert soup.select_one("[data-revenue-headline]") is not None
    assert revenue.get(f"{URL}summary.csv{query}").status_code == 400


def test_any_range_and_another_currency(seeded, revenue):
    response, soup = page(revenue, "?from=2026-05-10&to=2026-08-20&currency=USD")
    assert response.status_code == 200
    assert "USD" in soup.select_one("[data-figure=mrr]").get_text()


def test_the_page_speaks_russian(seeded):
    client = Client()
    assert client.login(username="revenue", password="samizdat-demo")
    from django.contrib.auth import get_user_model
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(get_user_model().objects.get(username="revenue"))
    profile.preferred_language = "ru"
    profile.save()
    response, soup = page(client, "?month=2026-09")
    assert response.status_code == 200
    assert "Ежемесячный" in soup.get_text() or "доход" in soup.get_text().lower()


def test_the_current_month_gives_the_gap_panels_figures(seeded, revenue):
    from support.figures import figures_for

    campaign, _plans = seeded
    with at(NOW):
        response = revenue.get(f"{URL}summary.csv")
        live = figures_for(campaign)
    by_label = {row[0]: row for row in csv.reader(io.StringIO(response.content.decode()))}
    assert Decimal(by_label["The gap"][2]) == live.gap.amount
    assert (
        Decimal(by_label["Income that covers it (MRR + one-time gifts of the last 30 days)"][2]) == live.income.amount
    )
