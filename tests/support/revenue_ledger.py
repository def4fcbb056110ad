"""A seeded ledger for the revenue tests, and the plain record it is checked against.

A seeded ledger of eight months is written through the real actions, each at its own simulated moment: monthly and
annual plans in EUR, USD and GBP, renewals, amount changes up and down, cancellations, lapses, refunds, a dispute and
one-time gifts. Alongside, the test keeps its own plain record of what it did, and computes from that record alone —
by walking every contribution, never through a query — what each figure must be. The dashboard's functions must agree
to the cent.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from core.actions import Actor
from core.money import Money
from support.actions.contributions import (
    cancel_contribution,
    confirm_payment,
    record_renewal,
    refund_payment,
    start_contribution,
)
from support.actions.manage import change_contribution_amount
from support.demo_history import Clock, simulated_now
from support.models import Campaign, ExchangeRate

STAFF = Actor("staff", "1")
PROVIDER = Actor("provider", "stripe")
RATES = {"EUR": Decimal(1), "USD": Decimal("0.92"), "GBP": Decimal("1.17")}
TZ = dt.UTC
FIRST_MONTH = dt.datetime(2026, 4, 1, tzinfo=TZ)
NOW = dt.datetime(2026, 11, 17, 15, 30, tzinfo=TZ)

EVER = dt.date(2000, 1, 1)  # a rate from before any money: it converts every figure


def at(moment):
    """Make the actions (and auto_now fields) see ``moment`` as the time: the demo history's own clock."""
    return simulated_now(Clock(moment))


@dataclass
class Plan:
    """The test's own record of one contribution."""

    pk: int
    currency: str
    frequency: str
    amount: Decimal  # as it started
    started: dt.datetime | None = None
    ended: dt.datetime | None = None
    reason: str = ""
    supporter: str = ""
    language: str = "en"
    changes: list = field(default_factory=list)  # (moment, before, after)
    payments: list = field(default_factory=list)  # [moment, amount, standing]

    def amount_at(self, moment):
        amount = self.amount
        for changed, _before, after in self.changes:
            if changed < moment:
                amount = after
        return amount

    def runs_at(self, moment):
        return self.started is not None and self.started < moment and (self.ended is None or self.ended >= moment)

    def monthly_at(self, moment):
        amount = self.amount_at(moment)
        return amount / 12 if self.frequency == "annual" else amount


def eur(currency, amount):
    return amount * RATES[currency]


def money(amount):
    return Money(amount, "EUR").amount


@pytest.fixture
def seeded(db):
    campaign = Campaign.objects.get(language="en")
    ExchangeRate.objects.all().delete()
    for code in ("USD", "GBP"):
        ExchangeRate.objects.create(from_currency=code, to_currency="EUR", day=EVER, rate=RATES[code])
    ru = Campaign.objects.filter(language="ru").first()
    randomness = random.Random(13)
    plans = []

    def moment(day_offset, hour=10):
        return FIRST_MONTH + dt.timedelta(days=day_offset, hours=hour, minutes=randomness.randrange(60))

    days = (NOW - FIRST_MONTH).days
    for index in range(70):
        currency = randomness.choice(["EUR", "EUR", "USD", "GBP"])
        frequency = randomness.choice(["monthly", "monthly", "monthly", "annual", "once", "once"])
        amount = Decimal(randomness.choice([5, 7, 10, 15, 25, 60, 120]))
        begun = moment(randomness.randrange(-40, days - 2))
        email = f"reader{index % 50}@example.org" if index % 3 else ""
        language = "ru" if index % 5 == 0 and ru else "en"
        with at(begun):
            contribution = start_contribution(
                actor=Actor.reader(),
                amount=Money(amount, currency),
                frequency=frequency,
                method=randomness.choice(["card", "bank_transfer", "crypto"]),
                campaign=ru if language == "ru" else campaign,
                email=email,
                language=language,
            )
        plan = Plan(contribution.pk, currency, frequency, amount, supporter=email, language=language)
        plans.append(plan)
        if index % 11 == 4:
            continue  # never paid
        paid_at = begun + dt.timedelta(hours=2)
        if paid_at >= NOW:
            continue
        with at(paid_at):
            confirm_payment(actor=STAFF, payment_id=contribution.payments.get().pk, provider_id=f"first-{index}")
        plan.started = paid_at
        plan.payments.append([paid_at, amount, True])
        if frequency == "once":
            if index % 9 == 0:
                refunded = paid_at + dt.timedelta(days=3)
                if refunded < NOW:
                    with at(refunded):
                        refund_payment(actor=STAFF, payment_id=contribution.payments.get().pk, dispute=index % 2 == 0)
                    plan.payments[0][2] = False
                    plan.ended, plan.reason = refunded, "refunded"
            continue
        step = 1 if frequency == "monthly" else 12
        period = 0
        fate = randomness.random()
        stop_after = randomness.randrange(1, 8) if fate < 0.45 else None
        while True:
            period += step
            due = paid_at + dt.timedelta(days=30 * period)
            if due >= NOW or (stop_after is not None and period >= stop_after):
                break
            change = {2: Decimal(5), 4: Decimal(-2)}.get(period) if contribution.method != "card" else None
            if (
                change and index % 3 and plan.amount_at(due) + change >= 5
            ):  # up before the 2nd renewal, down before the 4th
                after = plan.amount_at(due) + change
                with at(due - dt.timedelta(days=1)):
                    change_contribution_amount(actor=STAFF, contribution_id=plan.pk, amount=after)
                plan.changes.append((due - dt.timedelta(days=1), plan.amount_at(due), after))
            renewal = plan.amount_at(due)
            with at(due):
                record_renewal(
                    actor=PROVIDER,
                    contribution_id=plan.pk,
                    amount=Money(renewal, currency),
                    provider_id=f"renewal-{index}-{period}",
                )
            plan.payments.append([due, renewal, True])
        if stop_after is not None:
            stopped = paid_at + dt.timedelta(days=30 * stop_after - 5)
            if stopped < NOW:
                lapsed = fate < 0.15
                with at(stopped):
                    cancel_contribution(actor=PROVIDER, contribution_id=plan.pk, lapsed=lapsed)
                plan.ended, plan.reason = stopped, "lapsed" if lapsed else "cancelled"
    return campaign, plans


def expected_mrr(plans, moment):
    return money(
        sum(
            (eur(p.currency, p.monthly_at(moment)) for p in plans if p.frequency != "once" and p.runs_at(moment)),
            Decimal(0),
        )
    )


def expected_one_time(plans, start, end):
    return sum(
        (
            eur(p.currency, amount)
            for p in plans
            if p.frequency == "once"
            for when, amount, standing in p.payments
            if standing and start <= when < end
        ),
        Decimal(0),
    )
