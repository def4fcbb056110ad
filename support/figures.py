"""The live figures of a campaign, derived from the ledger (never typed in), and the placeholders built on them."""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.utils import formats, translation
from django.utils.translation import gettext as _

from core.money import Money
from support import ledger


@dataclass(frozen=True)
class Figures:
    monthly_cost: Money
    income: Money
    gap: Money
    supporters: int
    percent: int  # of the monthly cost covered, 0–100 (income above cost still shows 100)
    excluded: tuple = ()  # income left out for want of an exchange rate, as Money in its own currencies


def percent_of(part: Decimal, whole: Decimal) -> int:
    """Whole percent of ``whole`` that ``part`` is, rounded down, 0–100 (income above the cost still shows 100)."""
    if not whole:
        return 0
    return int(min(Decimal(100), (part / whole * 100).to_integral_value(rounding=ROUND_FLOOR)))


def count_in(language: str, count: int) -> str:
    """A count of people as the page's language groups digits: “1,240” in English, “1 240” in Russian."""
    return f"{count:,}".replace(",", "\u00a0" if language == "ru" else ",")


def figures_for(campaign) -> Figures:
    cost = Money(campaign.monthly_cost, campaign.currency)
    total = ledger.monthly_income_total(campaign)
    income = total.money
    gap = (cost - income).clamp_at_zero()
    supporters = ledger.supporters_count(campaign)
    return Figures(cost, income, gap, supporters, percent_of(income.amount, cost.amount), total.excluded)


def excluded_text(figures, language) -> str:
    """“excludes $25 with no exchange rate” when the income leaves money out, else empty: never silently incomplete."""
    if not figures.excluded:
        return ""
    with translation.override(language):
        amounts = ", ".join(money.format(language) for money in figures.excluded)
        return _("excludes %(amounts)s with no exchange rate") % {"amounts": amounts}


def placeholder_values(campaign, figures, language):
    with translation.override(language):
        ad_free_since = formats.date_format(campaign.ad_free_since, "j E Y" if language == "ru" else "j F Y")
    return {
        "monthly_cost": figures.monthly_cost.format(language),
        "gap": figures.gap.format(language),
        "ad_free_since": ad_free_since,
        "country": campaign.banned_in,
        "min_monthly": Money(campaign.min_monthly, campaign.currency).format(language),
        "supporters": count_in(language, figures.supporters),
        "percent": f"{figures.percent}",
        "excluded": excluded_text(figures, language),
    }


def goal_document(campaign):
    """The public figures of one campaign, as /support/goal.json gives them."""
    figures = figures_for(campaign)
    return {
        "campaign": campaign.pk,
        "language": campaign.language,
        "currency": campaign.currency,
        "monthly_cost": str(figures.monthly_cost.amount),
        "income": str(figures.income.amount),
        "gap": str(figures.gap.amount),
        "percent": figures.percent,
        "supporters": figures.supporters,
        "excluded": [{"amount": str(money.amount), "currency": money.currency} for money in figures.excluded],
        "text": placeholder_values(campaign, figures, campaign.language),
    }
