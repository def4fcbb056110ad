"""Ask statistics: the interval arithmetic, the counts per arm over a period, and the admin page that shows them."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone

from core.money import Money
from support import ledger, stats
from support.models import AskCounter, AskVariant, Campaign
from support.stats import (
    Z_95,
    Conversions,
    Counts,
    Interval,
    Rate,
    build_stats,
    counter_totals,
    difference_of_proportions,
    period_ending,
    wilson_interval,
)

STATS_URL = "/admin/support/stats/"


# --- the Wilson score interval


def wilson_by_quadratic(successes, trials, z=Z_95):
    """The Wilson bounds as the roots in p of (p̂ − p)² = z²·p(1 − p)/n — derived independently of the module."""
    p_hat = successes / trials
    a = 1 + z * z / trials
    b = -(2 * p_hat + z * z / trials)
    c = p_hat * p_hat
    root = math.sqrt(b * b - 4 * a * c)
    return ((-b - root) / (2 * a), (-b + root) / (2 * a))


def test_z_is_the_two_sided_95_percent_quantile():
    assert pytest.approx(1.959964, abs=1e-6) == Z_95


def test_no_trials_no_interval():
    assert wilson_interval(0, 0) is None
    rate = Rate.of(0, 0)
    assert rate.value is None and rate.interval is None and rate.reason == "no impressions"


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Published values (e.g. Newcombe 1998, table I; Brown, Cai & DasGupta 2001), to four places.
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (50, 100, 0.4038, 0.5962),
        (1, 1, 0.2065, 1.0),
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_wilson_interval_matches_published_values(successes, trials, low, high):
    interval = wilson_interval(successes, trials)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


@pytest.mark.parametrize(("successes", "trials"), [(0, 10), (5, 10), (50, 100), (3, 7), (999, 1000), (12, 40_000)])
def test_wilson_interval_is_the_root_pair_of_its_defining_quadratic(successes, trials):
    interval = wilson_interval(successes, trials)
    low, high = wilson_by_quadratic(successes, trials)
    assert interval.low == pytest.approx(max(low, 0.0), abs=1e-12)
    assert interval.high == pytest.approx(min(high, 1.0), abs=1e-12)
    assert 0 <= interval.low <= successes / trials <= interval.high <= 1


def test_zero_successes_have_the_closed_form_upper_bound():
    # With p̂ = 0 the quadratic gives low = 0 and high = z² / (n + z²).
    interval = wilson_interval(0, 10)
    assert interval.low == 0
    assert interval.high == pytest.approx(Z_95**2 / (10 + Z_95**2), abs=1e-12)


def test_impossible_proportions_are_refused_or_have_no_rate():
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
    with pytest.raises(ValueError):
        wilson_interval(-1, 10)
    rate = Rate.of(11, 10)  # readers without JavaScript convert without an impression
    assert rate.value is None and rate.reason == "more events than impressions"


# --- the difference of two proportions


def test_difference_of_proportions_by_hand():
    difference, interval = difference_of_proportions(30, 1000, 20, 1000)
    se = math.sqrt(0.03 * 0.97 / 1000 + 0.02 * 0.98 / 1000)
    assert difference == pytest.approx(0.01)
    assert interval.low == pytest.approx(0.01 - Z_95 * se)
    assert interval.high == pytest.approx(0.01 + Z_95 * se)
    assert interval.low == pytest.approx(-0.003678, abs=1e-6)  # the interval still holds zero: not a clear win


@pytest.mark.parametrize(
    "counts",
    [(0, 1000, 20, 1000), (30, 1000, 0, 1000), (0, 0, 5, 100), (5, 100, 0, 0), (5, 4, 5, 100), (10, 10, 10, 10)],
)
def test_difference_needs_data_on_both_sides(counts):
    assert difference_of_proportions(*counts) is None


# --- the period and the counts


def test_period_ending_counts_whole_days_including_today():
    period = period_ending(dt.date(2026, 3, 31), 30)
    assert (period.start, period.end, period.days) == (dt.date(2026, 3, 2), dt.date(2026, 3, 31), 30)
    assert period_ending(dt.date(2026, 3, 31), 1).start == dt.date(2026, 3, 31)
    with pytest.raises(ValueError):
        period_ending(dt.date(2026, 3, 31), 0)


@pytest.fixture
def campaign(db):
    # Each test counts from nothing: browser tests over the live demo may have committed counters of their own.
    AskCounter.objects.all().delete()
    return Campaign.objects.get(language="en", is_active=True)


@pytest.fixture
def today():
    return timezone.localdate()


def add_counts(campaign, day, arm, impressions=0, clicks=0, closes=0, reminders=0):
    AskCounter.objects.create(
        campaign=campaign, day=day, arm=arm, impressions=impressions, clicks=clicks, closes=closes, reminders=reminders
    )


def test_counter_totals_sum_the_days_of_the_period_only(campaign, today, django_assert_num_queries):
    other = Campaign.objects.get(language="ru", is_active=True)
    add_counts(campaign, today, "panel-gap", 100, 7, 3, 1)
    add_counts(campaign, today - dt.timedelta(days=29), "panel-gap", 50, 2, 1, 0)  # the first day of 30
    add_counts(campaign, today - dt.timedelta(days=30), "panel-gap", 1000, 100, 100, 100)  # the day before
    add_counts(campaign, today - dt.timedelta(days=3), "control:panel", 40)
    add_counts(other, today, "ru-panel-gap", 999, 999)
    with django_assert_num_queries(1):
        totals = counter_totals(campaign, period_ending(today, 30))
    assert totals == {
        "panel-gap": Counts(impressions=150, clicks=9, closes=4, reminders=1),
        "control:panel": Counts(impressions=40),
    }
    assert counter_totals(campaign, period_ending(today, 7)) == {
        "panel-gap": Counts(impressions=100, clicks=7, closes=3, reminders=1),
        "control:panel": Counts(impressions=40),
    }
    assert counter_totals(campaign, period_ending(today, 90))["panel-gap"].impressions == 1150


def conversions(by_arm, same_period=True):
    return Conversions(by_arm, same_period)


def test_build_stats_puts_every_arm_on_its_surface(campaign, today):
    variants = list(campaign.variants.all())
    counts = {
        "panel-gap": Counts(impressions=1000, clicks=40),
        "panel-readers": Counts(impressions=1000, clicks=55),
        "control:panel": Counts(impressions=1000),
        "holdback": Counts(impressions=500),
        "gone-variant": Counts(impressions=10),
    }
    eur = lambda amount: Money(Decimal(amount), "EUR")  # noqa: E731
    result = build_stats(
        campaign,
        period_ending(today),
        variants,
        counts,
        conversions(
            {
                "panel-gap": (30, eur("300.00")),
                "panel-readers": (20, eur("190.50")),
                "control:panel": (10, eur("50")),
                "holdback": (5, eur("25")),
            }
        ),
    )
    by_surface = {s.surface: [a.arm for a in s.arms] for s in result.surfaces}
    assert by_surface == {
        "panel": ["control:panel", "panel-gap", "panel-readers"],  # control first, then the default variant
        "notice": ["control:notice", "notice-banned"],
        "appeal": ["control:appeal", "appeal-favour", "appeal-gap"],
        "banner": ["control:banner", "banner-drive"],
        None: ["gone-variant"],
    }
    gap = result.arm("panel-gap")
    assert gap.revenue == eur("300.00") and isinstance(gap.revenue.amount, Decimal)
    assert gap.click_rate.value == pytest.approx(0.04)
    assert gap.conversion_rate.value == pytest.approx(0.03)
    assert gap.conversion_rate.interval == wilson_interval(30, 1000)
    assert gap.vs_control.baseline == "control:panel"
    expected, interval = difference_of_proportions(30, 1000, 10, 1000)
    assert gap.vs_control.value == pytest.approx(expected) and gap.vs_control.interval == interval
    assert gap.vs_holdback.value == pytest.approx(0.03 - 0.01)
    # The control is the baseline: compared only with the holdback. The holdback is compared with nothing.
    control = result.arm("control:panel")
    assert control.vs_control is None and control.vs_holdback.value == pytest.approx(0.0)
    assert result.holdback.vs_control is None and result.holdback.vs_holdback is None
    # No conversions on the notice yet: nothing to compare, said plainly.
    notice = result.arm("notice-banned")
    assert notice.conversions == 0 and notice.revenue == Money.zero("EUR")
    assert notice.conversion_rate.reason == "no impressions"
    assert notice.vs_control.value is None and notice.vs_control.reason == "not enough data"
    # A variant deleted since still shows its counts, and is compared with the holdback only.
    gone = result.arm("gone-variant")
    assert gone.kind == "unknown" and gone.vs_control is None and gone.vs_holdback.reason == "not enough data"


def test_campaign_stats_reads_the_ledger(campaign, today, monkeypatch):
    add_counts(campaign, today, "appeal-gap", impressions=200, clicks=10)
    add_counts(campaign, today, "control:appeal", impressions=200)
    monkeypatch.setattr(
        ledger, "conversions_by_arm", lambda c, **period: {"appeal-gap": (4, Money(Decimal("40"), "EUR"))}
    )
    result = stats.campaign_stats(campaign, period_ending(today))
    assert result.arm("appeal-gap").conversion_rate.value == pytest.approx(0.02)
    assert result.arm("appeal-gap").vs_control.reason == "not enough data"  # the control converted nobody

    seen = {}

    def by_period(c, *, start=None, end=None):
        seen.update(start=start, end=end)
        return {}

    monkeypatch.setattr(ledger, "conversions_by_arm", by_period)
    result = stats.campaign_stats(campaign, period_ending(today, 7))
    assert result.conversions_same_period is True
    assert seen == {"start": today - dt.timedelta(days=6), "end": today}


def test_campaign_stats_with_an_empty_ledger_has_no_rates_to_compare(campaign, today):
    add_counts(campaign, today, "panel-gap", impressions=10, clicks=1)
    result = stats.campaign_stats(campaign, period_ending(today))
    gap = result.arm("panel-gap")
    assert gap.conversions == 0 and gap.conversion_rate.value == 0.0
    assert gap.conversion_rate.interval == Interval(0.0, pytest.approx(Z_95**2 / (10 + Z_95**2)))
    assert gap.vs_control.reason == "not enough data"


# --- the admin page


def login(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def stats_tables(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return {
        table.find_previous("h2").get_text(strip=True): {
            row["data-arm"]: [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
            for row in table.select("tbody tr")
        }
        for table in soup.select("table[data-stats-table]")
    }


def test_superuser_sees_a_table_per_surface(campaign, today):
    add_counts(campaign, today, "panel-gap", impressions=1200, clicks=48, closes=30, reminders=2)
    add_counts(campaign, today - dt.timedelta(days=1), "panel-gap", impressions=800, clicks=12)
    add_counts(campaign, today, "control:panel", impressions=1000)
    add_counts(campaign, today, "holdback", impressions=300)
    response = login("admin").get(STATS_URL)
    assert response.status_code == 200
    tables = stats_tables(response)
    assert list(tables) == [
        "Holdback",
        "Panel inside the story",
        "Censorship notice",
        "Appeal at the end",
        "Site banner",
    ]
    arm, label, impressions, clicks, ctr, closes, reminders, conversions, revenue, rate, vs_control, vs_holdback = (
        tables["Panel inside the story"]["panel-gap"]
    )
    assert (arm, impressions, clicks, ctr, closes, reminders) == ("panel-gap", "2,000", "60", "3.00 %", "30", "2")
    assert "(default)" in label and "disabled all ads" in label
    assert (conversions, revenue) == ("0", "€0")
    assert rate.startswith("0.00 % [0.00–0.19 %]")  # 0 of 2,000: the Wilson upper bound is z²/(n+z²) = 0.19 %
    assert vs_control == "not enough data" and vs_holdback == "not enough data"
    assert tables["Panel inside the story"]["panel-readers"][2:5] == ["0", "0", "—"]
    assert tables["Holdback"]["holdback"][2] == "300"
    assert "Conversions and revenue are for all time" not in response.content.decode()


def test_the_page_shows_differences_once_conversions_exist(campaign, today, monkeypatch):
    add_counts(campaign, today, "panel-gap", impressions=1000)
    add_counts(campaign, today, "control:panel", impressions=1000)
    add_counts(campaign, today, "holdback", impressions=1000)
    eur = Money(Decimal("123.45"), "EUR")
    monkeypatch.setattr(
        ledger,
        "conversions_by_arm",
        lambda c, **period: {"panel-gap": (60, eur), "control:panel": (20, eur), "holdback": (55, eur)},
    )
    row = stats_tables(login("admin").get(STATS_URL))["Panel inside the story"]["panel-gap"]
    assert row[7:10] == ["60", "€123.45", "6.00 % [4.69–7.65 %]"]
    assert row[10] == "+4.00 pp [+2.29 to +5.71]"
    assert row[11] == "+0.50 pp [−1.54 to +2.54]"


def test_days_and_campaign_are_selectable(campaign, today):
    russian = Campaign.objects.get(language="ru", is_active=True)
    add_counts(campaign, today - dt.timedelta(days=10), "panel-gap", impressions=70)
    add_counts(russian, today, "ru-panel-gap", impressions=5)
    client = login("admin")
    assert stats_tables(client.get(STATS_URL, {"days": "7"}))["Panel inside the story"]["panel-gap"][2] == "0"
    assert stats_tables(client.get(STATS_URL, {"days": "30"}))["Panel inside the story"]["panel-gap"][2] == "70"
    response = client.get(STATS_URL, {"campaign": str(russian.pk), "days": "90"})
    assert response.status_code == 200
    assert stats_tables(response)["Panel inside the story"]["ru-panel-gap"][2] == "5"
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("select[name=campaign] option[selected]")["value"] == str(russian.pk)
    assert soup.select_one("select[name=days] option[selected]")["value"] == "90"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"days": "14"}, "The period must be 7, 30, 90 days, not “14”"),
        ({"days": "-1"}, "not “-1”"),
        ({"days": "thirty"}, "not “thirty”"),
        ({"campaign": "abc"}, "There is no campaign “abc”"),
        ({"campaign": "999999"}, "There is no campaign “999999”"),
        ({"campaign": "9" * 40}, "There is no campaign"),
        ({"campaign": "１"}, "There is no campaign"),  # a full-width digit is not an id
        ({"campaign": "1 OR 1=1", "days": "7.0"}, "There is no campaign"),
    ],
)
def test_bad_query_values_get_a_message_and_the_defaults(campaign, query, message):
    response = login("admin").get(STATS_URL, query)
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    soup = BeautifulSoup(content, "html.parser")
    assert "Panel inside the story" in [h.get_text(strip=True) for h in soup.select("h2")]


def test_a_newsroom_without_campaigns_gets_a_page_not_an_error(db):
    Campaign.objects.all().delete()
    response = login("admin").get(STATS_URL, {"campaign": "1"})
    assert response.status_code == 400
    assert "there are no campaigns yet" in response.content.decode()
    assert login("admin").get(STATS_URL).status_code == 200


def test_anonymous_readers_are_sent_to_the_login_page(db):
    response = Client().get(STATS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_editors_see_the_statistics(db):
    client = login("editor")
    assert client.get(STATS_URL).status_code == 200
    assert "ask-statistics" in client.get("/admin/").content.decode()


def test_contributors_may_not_see_the_statistics(db):
    client = login("contributor")
    response = client.get(STATS_URL)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "ask-statistics" not in client.get("/admin/").content.decode()


def test_the_view_permission_opens_the_page_and_the_menu(db):
    """Who may see statistics: admin users holding support.view_askcounter (the Editors group and the revenue person)."""
    user = get_user_model().objects.create_user("revenue-test", password="x")
    group = Group.objects.create(name="Revenue (test)")
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    assert client.get(STATS_URL).status_code == 302
    assert "ask-statistics" not in client.get("/admin/").content.decode()

    group.permissions.add(Permission.objects.get(content_type__app_label="support", codename="view_askcounter"))
    user = get_user_model().objects.get(pk=user.pk)  # forget the cached permissions
    client.force_login(user)
    assert client.get(STATS_URL).status_code == 200
    home = client.get("/admin/").content.decode()
    assert "ask-statistics" in home and "Ask statistics" in home


def test_ask_counters_are_not_an_admin_model():
    from wagtail.snippets.models import get_snippet_models

    assert AskCounter not in get_snippet_models()
    assert AskVariant in get_snippet_models()  # the copy is edited as a snippet; only the counters stay internal
