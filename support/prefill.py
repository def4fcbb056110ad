"""What a Support link may prefill: frequency, amount, currency and attribution — validated, never trusted."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.money import Money, MoneyError, parse_amount
from support.arms import valid_arms

FREQUENCIES = ("monthly", "once", "annual")
MAX_AMOUNT = Decimal(10_000)


@dataclass(frozen=True)
class Prefill:
    frequency: str
    amount: Money
    arm: str
    article_id: int | None
    problems: tuple  # what was in the link but could not be used, for a short note to the reader


def minimum(campaign, frequency):
    return campaign.min_one_time if frequency == "once" else campaign.min_monthly


def read_prefill(query, campaign):
    problems = []
    frequency = query.get("frequency", "monthly")
    if frequency not in FREQUENCIES:
        problems.append(_("the frequency"))
        frequency = "monthly"
    default = minimum(campaign, frequency)
    amount = default
    if "amount" in query:
        try:
            amount = parse_amount(query["amount"][:20])
        except MoneyError:
            problems.append(_("the amount"))
            amount = default
        else:
            if amount < default or amount > MAX_AMOUNT:
                problems.append(_("the amount"))
                amount = default
    currency = query.get("currency", campaign.currency)
    if currency != campaign.currency:
        problems.append(_("the currency"))
    arm = query.get("variant", "")
    if arm and arm not in valid_arms(campaign):
        problems.append(_("the link's origin"))
        arm = ""
    article_raw = query.get("article", "")
    article_id = int(article_raw) if article_raw.isdigit() and len(article_raw) < 12 else None
    return Prefill(frequency, Money(amount, campaign.currency), arm, article_id, tuple(problems))
