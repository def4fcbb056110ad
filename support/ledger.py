"""What the ledger says about income. Until contributions are recorded, nobody has given yet: income is zero.

Everything that shows money raised (the gap, percent covered, supporters, conversions) reads it through here.
"""

from core.money import Money


def monthly_recurring_income(campaign) -> Money:
    """Monthly recurring income of active contributions in the campaign's currency (annual ÷ 12)."""
    return Money.zero(campaign.currency)


def supporters_count(campaign) -> int:
    """People with an active recurring contribution, or a one-time gift in the last 30 days."""
    return 0


def conversions_by_arm(campaign, *, start=None, end=None) -> dict:
    """{arm: (conversions, revenue Money)} attributed to each ask variant, for contributions made from ``start`` to
    ``end`` (dates, inclusive; None means unbounded)."""
    return {}
