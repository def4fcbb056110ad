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
    currency: str
    amount: Money | None  # None: the link named no usable amount (the checkout then preselects its suggestion)
    arm: str
    article_id: int | None
    problems: tuple  # what was in the link but could not be used, for a short note to the reader


def minimum(campaign, frequency):
    return campaign.min_one_time if frequency == "once" else campaign.min_monthly


def read_prefill(query, campaign, currencies=None):
    """``currencies``: those the checkout offers (the campaign's own currency if not given)."""
    currencies = tuple(currencies or (campaign.currency,))
    problems = []
    frequency = query.get("frequency", "monthly")
    if frequency not in FREQUENCIES:
        problems.append(_("the frequency"))
        frequency = "monthly"
    currency = query.get("currency", currencies[0])
    if currency not in currencies:
        problems.append(_("the currency"))
        currency = currencies[0]
    amount = None
    if "amount" in query:
        try:
            amount = parse_amount(query["amount"][:20], campaign.language, currency)
        except MoneyError:
            problems.append(_("the amount"))
        else:
            if amount < minimum(campaign, frequency) or amount > MAX_AMOUNT:
                problems.append(_("the amount"))
                amount = None
    arm = query.get("variant", "")
    if arm and arm not in valid_arms(campaign):
        problems.append(_("the link's origin"))
        arm = ""
    article_raw = query.get("article", "")
    article_id = int(article_raw) if article_raw.isdigit() and len(article_raw) < 12 else None
    money = None
    if amount is not None:
        money = Money(amount, currency)
        if money.amount != amount:  # more decimals than the currency has
            problems.append(_("the amount"))
            money = None
    return Prefill(frequency, currency, money, arm, article_id, tuple(problems))
