"""The demo newsroom's ledger history: about two years of readers' support, written through the ledger's own named
actions — never raw rows — so the gap panel, the revenue dashboard and the admin show a newsroom that has lived.

What it writes at ``scale=1`` (``scale`` multiplies how many readers start giving; ``0.05`` is a small history for
tests, written in a few seconds):

* a few thousand supporters (``reader1234@example.org``, some anonymous) giving monthly, yearly or once, in EUR,
  USD and GBP, by card, bank transfer or crypto, in English and Russian — each contribution through the campaign of
  its language, attributed to one of that campaign's asks (or none: the support page reached directly), often to an
  article, with the host the reader came from;
* new regular supporters at a rate that grows over the 24 months, year-end drives in December; cancellations (a few
  per cent a month), card renewals that fail until the provider gives up (lapsed), standing orders that stop, amount
  changes up and down (bank transfers and crypto: a card's amount is changed at the card provider, which the history
  cannot reach);
* one-time gifts, with spikes on the days of the demo's big stories (``BIG_STORIES``);
* bank transfers confirmed from the statements staff import twice a week (``import_bank_statement``, with the
  statement's other lines: bank fees, anonymous gifts quoting SUPPORT, transfers short of the promise that staff then
  confirm by hand), crypto confirmed by staff, card payments confirmed and renewed as the card provider's webhooks do,
  a few refunds and a dispute (a chargeback).

How:

* **Back-dated.** :func:`simulated_now` makes ``django.utils.timezone.now()`` return the simulated moment while the
  history is written, so every timestamp the actions write (created, started, ended, succeeded, changed, audited) is
  the moment it happened.
* **No mail.** Written within :func:`~support.actions.contributions.without_receipts`: no receipt task is enqueued.
* **Deterministic.** Seeded random; the history ends at the start of the day it is loaded (``until``), so the live
  figures' last 30 days have their gifts. The same database and the same ``until`` give the same history (only the
  references and public ids, which the actions draw themselves, differ).
* **Once.** An audit entry (``MARKER``) records the load; loading again adds nothing.
* **Quick.** Each simulated month is one transaction (a savepoint within ``load_demo``'s); the full history takes
  about half a minute on SQLite.

``load_history(scale=…)`` is the entry point; the demo receiver (``support/signals.py``) calls it with
``settings.DEMO_HISTORY`` (1 in the demo, 0 — no history — elsewhere).
"""

import bisect
import calendar
import datetime as dt
import math
import random
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.actions import Actor, record
from core.models import AuditEntry
from core.money import Money
from support.actions.bank_statements import import_bank_statement
from support.actions.contributions import (
    cancel_contribution,
    confirm_payment,
    fail_payment,
    record_renewal,
    refund_payment,
    start_contribution,
    without_receipts,
)
from support.actions.manage import change_contribution_amount, stop_recurring
from support.actions.offline_payments import confirm_offline_payment, fail_offline_payment
from support.actions.rates import import_rates
from support.models import AskVariant, Campaign, Payment
from support.rates.demo import demo_rates
from support.statements import StatementLine

MARKER = "demo.history_loaded"
SEED = "samizdat demo history"
DAYS = 730  # two years
#: Rates the newsroom set for counting other currencies towards the euro cost (kept if an editor changed them).
#: The demo's stories that readers answered with money (their slugs): gifts spike on the day each was published.
BIG_STORIES = (
    "inspectorate-blocks-43-more-vpn-services",
    "brenitsa-courier-reporters-go-on-trial",
    "upper-selva-dam-cracks-painted-over",
    "tallovar-opposition-candidates-struck-off-ballot",
    "kvadrat-location-data-security-directorate",
    "kak-chitateli-obkhodyat-blokirovki",
    "insulin-shortages-four-regions-import-rules",
    "the-phantom-voters-of-district-9",
)
SPIKE = (5.0, 2.6, 1.6, 1.2)  # how many times the usual gifts on a big story's day and the days after
LANGUAGES = (("en", 0.78), ("ru", 0.22))
CURRENCY_SHARES = {
    "en": (("EUR", 0.66), ("USD", 0.2), ("GBP", 0.14)),
    "ru": (("EUR", 0.8), ("USD", 0.17), ("GBP", 0.03)),
}
METHOD_SHARES = {
    "recurring": (("card", 0.74), ("bank_transfer", 0.2), ("crypto", 0.06)),
    "once": (("card", 0.72), ("bank_transfer", 0.13), ("crypto", 0.15)),
}
# Amounts readers choose, by currency and plan: (amounts, weights). Now and then someone types their own.
LADDERS = {
    "monthly": {
        "EUR": ((5, 10, 15, 20, 30, 50, 100), (23, 34, 8, 20, 5, 7, 3)),
        "USD": ((6, 12, 18, 25, 35, 60, 120), (23, 34, 8, 20, 5, 7, 3)),
        "GBP": ((4, 8, 12, 16, 25, 40, 80), (23, 34, 8, 20, 5, 7, 3)),
    },
    "annual": {
        "EUR": ((60, 100, 120, 240, 500, 1000), (20, 25, 20, 20, 10, 5)),
        "USD": ((72, 120, 150, 300, 600, 1200), (20, 25, 20, 20, 10, 5)),
        "GBP": ((50, 80, 100, 200, 400, 800), (20, 25, 20, 20, 10, 5)),
    },
    "once": {
        "EUR": ((10, 25, 50, 100, 250, 500), (25, 35, 22, 12, 4, 2)),
        "USD": ((12, 30, 60, 120, 300, 600), (25, 35, 22, 12, 4, 2)),
        "GBP": ((8, 20, 40, 80, 200, 400), (25, 35, 22, 12, 4, 2)),
    },
}
REFERRERS = {
    "en": (
        ("", 33),
        ("www.google.com", 24),
        ("duckduckgo.com", 8),
        ("t.me", 11),
        ("facebook.com", 10),
        ("mail.google.com", 14),
    ),
    "ru": (
        ("", 30),
        ("www.google.com", 14),
        ("duckduckgo.com", 6),
        ("t.me", 34),
        ("facebook.com", 4),
        ("mail.google.com", 12),
    ),
    "story": (
        ("", 18),
        ("www.google.com", 12),
        ("duckduckgo.com", 4),
        ("t.me", 30),
        ("facebook.com", 24),
        ("mail.google.com", 12),
    ),
}
SURFACE_WEIGHTS = {"appeal": 4, "panel": 3, "notice": 1.5, "banner": 2}
# What happens to a regular contribution in each period (a month, or a year for annual plans).
CANCEL = {"monthly": 0.02, "annual": 0.13}  # the supporter stops
CARD_RENEWAL_FAILS = {"monthly": 0.03, "annual": 0.07}  # the card is declined on the due day
CARD_RETRIES = (3, 5, 7)  # days after the due day the provider tries again
CARD_RETRY_SUCCEEDS = 0.35
STANDING_ORDER_STOPS = 0.012  # a bank transfer or crypto supporter stops paying without telling us
AMOUNT_CHANGES = 0.04  # a bank transfer or crypto supporter changes their amount (up, mostly)
CARD_DECLINED = 0.06  # a first card payment that fails
NEVER_ARRIVES = {"bank_transfer": 0.08, "crypto": 0.1}  # an offline promise whose money never comes
TRANSFER_SHORT = 0.03  # a first transfer that arrives with a bank's fee taken off
ANONYMOUS = {"card": 0.0, "bank_transfer": 0.08, "crypto": 0.45}  # gifts without an address
REPEAT_GIFT = 0.12  # a one-time gift from someone who gave before
#: Refunds and disputes (chargebacks) at scale 1; at least one of each at any scale.
REFUNDS, DISPUTES = 14, 2

STRIPE = Actor("provider", "stripe")
READER = Actor.reader()


# -- the clock -----------------------------------------------------------------------------------------------------


@dataclass
class Clock:
    """The simulated moment: what ``timezone.now()`` returns within :func:`simulated_now`."""

    moment: dt.datetime

    def now(self):
        return self.moment


@contextmanager
def simulated_now(clock: Clock):
    """Within this block, ``django.utils.timezone.now()`` — which the actions, the state moves and every
    ``auto_now``/``auto_now_add`` field call — returns ``clock.moment``; the real clock is back when it ends, however
    it ends. It swaps a module attribute, so it holds for the whole process: only for the demo loader, which runs
    alone in its command (never in a server)."""
    real_now = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real_now


# -- the plan of one regular contribution ---------------------------------------------------------------------------


@dataclass
class Plan:
    contribution_id: int
    reference: str
    frequency: str
    method: str
    currency: str
    amount: Decimal
    language: str
    supporter_id: int | None
    anchor: dt.date  # the day of the month (and month, for annual plans) it is paid on
    periods: int = 0  # periods paid so far
    running: bool = True

    def due(self, periods):
        months = periods * (12 if self.frequency == "annual" else 1)
        return add_months(self.anchor, months)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _pick(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class Summary:
    created: bool
    contributions: int = 0
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)


# -- the history ---------------------------------------------------------------------------------------------------


class History:
    def __init__(self, *, scale, until, seed=SEED):
        self.rng = random.Random(f"{seed} {scale}")
        self.scale = scale
        self.until = until
        self.first_day = until.date() - dt.timedelta(days=DAYS)
        self.clock = Clock(until - dt.timedelta(days=DAYS))
        self.agenda = defaultdict(list)  # day → [(seconds into the day, sequence, function, args)]
        self.sequence = 0
        self.counts = defaultdict(int)
        self.next_reader = 1001
        self.emails = []  # addresses that gave before (for repeat gifts)
        self.statement = []  # bank lines waiting for the next import: (date, amount, currency, reference, plan)
        self.recent_card_gifts = []  # (day index, payment id) of one-time card gifts, for refunds and disputes
        self.recent_renewals = []  # (day index, payment id) of card renewals
        self.campaigns = {c.language: c for c in Campaign.objects.filter(is_active=True).order_by("pk")}
        self.arms = {}
        for language, campaign in self.campaigns.items():
            variants = AskVariant.objects.filter(campaign=campaign).values_list("key", "surface")
            self.arms[language] = [(key, SURFACE_WEIGHTS.get(surface, 1), surface) for key, surface in variants]
        self.articles = self._articles()
        self.spikes = self._spikes()
        user = get_user_model().objects.filter(username="revenue").first()
        self.staff = Actor.staff(user) if user else Actor.system("demo revenue desk")

    # -- what the demo gives it
    def _articles(self):
        from publishing.models import ArticlePage

        rows = ArticlePage.objects.live().values_list("pk", "slug", "language", "first_published_at")
        by_language = defaultdict(list)
        for pk, slug, language, published in sorted(rows, key=lambda row: (row[3], row[0])):
            if published is not None:
                by_language[language].append((published, pk, slug))
        return by_language

    def _spikes(self):
        spikes = {}
        for language, articles in self.articles.items():
            for published, pk, slug in articles:
                if slug not in BIG_STORIES:
                    continue
                start = (published.date() - self.first_day).days
                for offset, factor in enumerate(SPIKE):
                    if 0 <= start + offset < DAYS:
                        spikes.setdefault(start + offset, []).append((factor, language, pk))
        return spikes

    # -- the agenda
    def at(self, day: int, seconds: int, function, *args):
        """Do ``function(*args)`` on simulated day ``day`` (0 is the first), ``seconds`` into it."""
        if day < DAYS:
            self.sequence += 1
            self.agenda[day].append((seconds, self.sequence, function, args))

    def moment(self, day, seconds):
        start = dt.datetime.combine(self.first_day + dt.timedelta(days=day), dt.time(), tzinfo=dt.UTC)
        return start + dt.timedelta(seconds=seconds)

    def day_of(self, date: dt.date) -> int:
        return (date - self.first_day).days

    def daytime(self):
        """Seconds into a day when readers give: mostly daytime and evening (UTC)."""
        hour = _pick(self.rng, [(h, 1 + 3 * math.sin(math.pi * max(0, h - 5) / 19)) for h in range(24)])
        return hour * 3600 + self.rng.randrange(3600)

    def office_hours(self):
        return self.rng.randrange(9 * 3600, 18 * 3600)

    # -- the run
    def write(self):
        """Plan who starts giving on each day, then live the days in order, one transaction per simulated month."""
        for day in range(DAYS):
            self.plan_day(day)
        months = defaultdict(list)
        for day in range(DAYS):
            date = self.first_day + dt.timedelta(days=day)
            months[(date.year, date.month)].append(day)
        with simulated_now(self.clock), without_receipts():
            for _month, days in sorted(months.items()):
                with transaction.atomic():
                    for day in days:
                        self.live(day)

    def live(self, day):
        self.plan_day_office(day)
        events = sorted(self.agenda.pop(day, []), key=lambda event: event[:2])
        while events:
            seconds, _sequence, function, args = events.pop(0)
            # never back in time: a thing planned for the morning of a day that began at night is done next
            self.clock.moment = max(self.moment(day, seconds), self.clock.moment)
            function(day, *args)
            late = self.agenda.pop(day, [])
            if late:  # something done today asked for more today
                events = sorted(events + late, key=lambda event: event[:2])

    def growth(self, day):
        return day / DAYS

    def plan_day(self, day):
        """Readers who start giving on ``day``: regular supporters at a growing rate, gifts, and the spikes."""
        x = self.growth(day)
        date = self.first_day + dt.timedelta(days=day)
        drive = date.month == 12
        spike = self.spikes.get(day, [])
        boost = max([factor for factor, _language, _pk in spike], default=1.0)
        recurring = self.scale * (0.6 + 2.9 * x**1.3) * (1.7 if drive else 1.0) * (1 + (boost - 1) / 3)
        once = self.scale * (1.0 + 2.0 * x**1.2) * (1.4 if drive else 1.0) * boost
        for _ in range(self._poisson(recurring)):
            frequency = "annual" if self.rng.random() < 0.25 else "monthly"
            self.at(day, self.daytime(), self.start, frequency, self._story(spike), drive)
        for _ in range(self._poisson(once)):
            self.at(day, self.daytime(), self.start, "once", self._story(spike), drive)

    def plan_day_office(self, day):
        """What staff do: import the bank statement on Mondays and Thursdays; refunds and disputes on their days."""
        date = self.first_day + dt.timedelta(days=day)
        if date.weekday() in (0, 3):
            self.at(day, 10 * 3600 + self.rng.randrange(3600), self.import_statement)
        refunds, disputes = max(1, round(REFUNDS * self.scale)), max(1, round(DISPUTES * self.scale))
        if day in {round((i + 0.6) * DAYS / refunds) for i in range(refunds)}:
            self.at(day, self.office_hours(), self.refund, False)
        if day in {round((i + 0.75) * DAYS / disputes) for i in range(disputes)}:
            self.at(day, self.office_hours(), self.refund, True)

    def _poisson(self, mean):
        # Knuth's method: a handful of draws for the small means of one day
        limit, k, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            k += 1
            product *= self.rng.random()
        return k

    def _story(self, spike):
        if not spike or self.rng.random() < 0.25:
            return None
        _factor, language, pk = max(spike)
        return (language, pk)

    # -- one reader starts giving
    def start(self, day, frequency, story, drive):
        language = story[0] if story else _pick(self.rng, LANGUAGES)
        if language not in self.campaigns:
            language = next(iter(self.campaigns))
        currency = _pick(self.rng, CURRENCY_SHARES[language])
        method = _pick(self.rng, METHOD_SHARES["once" if frequency == "once" else "recurring"])
        amount = self._amount(frequency, currency)
        email = self._email(method, frequency)
        arm, article_id, referrer = self._attribution(language, story, drive)
        covers_fees = method == "card" and self.rng.random() < 0.3
        if covers_fees:
            amount = (amount * Decimal("1.03")).quantize(Decimal("0.01"))
        contribution = start_contribution(
            actor=READER,
            amount=Money(amount, currency),
            frequency=frequency,
            method=method,
            campaign=self.campaigns[language],
            email=email,
            language=language,
            covers_fees=covers_fees,
            arm=arm,
            article_id=article_id,
            referrer_host=referrer,
        )
        self.counts["contributions"] += 1
        payment_id = Payment.objects.filter(contribution=contribution).values_list("pk", flat=True).get()
        now = self._seconds()
        if method == "card":
            self.at(day, now + self.rng.randrange(20, 120), self.card_paid, contribution, payment_id)
        elif method == "bank_transfer":
            if self.rng.random() < NEVER_ARRIVES[method]:
                self.at(day + 21, self.office_hours(), self.give_up, payment_id)
            else:
                arrives = self.first_day + dt.timedelta(days=day + self.rng.randint(1, 6))
                short = self.rng.random() < TRANSFER_SHORT
                received = amount - Decimal("1.50") if short and amount > 5 else amount
                self.statement.append((arrives, received, currency, contribution, payment_id))
        else:
            if self.rng.random() < NEVER_ARRIVES[method]:
                self.at(day + 14, self.office_hours(), self.give_up, payment_id)
            else:
                self.at(day + self.rng.randint(0, 2), self.office_hours(), self.crypto_paid, contribution, payment_id)

    def _seconds(self):
        moment = self.clock.moment
        return moment.hour * 3600 + moment.minute * 60 + moment.second

    def _amount(self, frequency, currency):
        amounts, weights = LADDERS[frequency][currency]
        amount = self.rng.choices(amounts, weights)[0]
        if self.rng.random() < 0.08:  # their own amount
            amount = max(2, round(amount * self.rng.uniform(0.6, 1.8)))
        return Decimal(amount)

    def _email(self, method, frequency):
        if frequency == "once" and self.rng.random() < ANONYMOUS[method]:
            return ""
        if frequency == "once" and self.emails and self.rng.random() < REPEAT_GIFT:
            return self.rng.choice(self.emails)
        email = f"reader{self.next_reader}@example.org"
        self.next_reader += 1
        self.emails.append(email)
        return email

    def _attribution(self, language, story, drive):
        referrer = _pick(self.rng, REFERRERS["story" if story else language])
        if self.rng.random() < 0.2:
            return "", None, referrer  # the support page, reached directly or from a link
        if self.rng.random() < 0.03:
            return "holdback", None, referrer  # a reader shown no ask, who found the support page anyway
        arms = [
            (key, weight * (4 if drive and surface == "banner" else 1)) for key, weight, surface in self.arms[language]
        ]
        arm = _pick(self.rng, arms)
        if story:
            return arm, story[1], referrer
        article = self._recent_article(language)
        return arm, article, referrer

    def _recent_article(self, language):
        """An article of ``language`` published in the 45 days before now (the newer, the likelier), or None."""
        articles = self.articles.get(language, [])
        now = self.clock.moment
        end = bisect.bisect_right(articles, (now, math.inf, ""))
        recent = [
            (pk, 1 / (1 + (now - published).days))
            for published, pk, _slug in articles[:end]
            if now - published < dt.timedelta(days=45)
        ]
        if not recent or self.rng.random() < 0.25:
            return None
        return _pick(self.rng, recent)

    # -- money arrives (or does not)
    def card_paid(self, day, contribution, payment_id):
        if self.rng.random() < CARD_DECLINED:
            fail_payment(actor=STRIPE, payment_id=payment_id, message="Your card was declined.")
            self.counts["declined"] += 1
            return
        confirm_payment(actor=STRIPE, payment_id=payment_id, provider_id=self._stripe_id("pi"))
        self.counts["payments"] += 1
        if contribution.is_recurring:
            self.begin(day, contribution)
        else:
            self.recent_card_gifts.append((day, payment_id))

    def crypto_paid(self, day, contribution, payment_id):
        confirm_offline_payment(actor=self.staff, payment_id=payment_id, transaction_reference=self._tx())
        self.counts["payments"] += 1
        if contribution.is_recurring:
            self.begin(day, contribution)

    def give_up(self, day, payment_id):
        fail_offline_payment(actor=self.staff, payment_id=payment_id, reason="no money arrived")
        self.counts["never_arrived"] += 1

    def import_statement(self, day):
        """Staff import the bank's statement: every line dated before today, with the bank's own lines."""
        today = self.first_day + dt.timedelta(days=day)
        due = [entry for entry in self.statement if entry[0] < today]
        self.statement = [entry for entry in self.statement if entry[0] >= today]
        if not due:
            return
        rows, subjects = [], {}
        for number, (date, amount, currency, subject, payment_id) in enumerate(due, start=2):
            rows.append(StatementLine(number, date, amount, currency, (subject.reference,)))
            subjects[number] = (subject, payment_id, amount)
        number = len(due) + 2
        rows.append(StatementLine(number, today - dt.timedelta(days=1), Decimal("-4.90"), "EUR"))  # the bank's fee
        if self.rng.random() < 0.3:
            gift = Decimal(self.rng.choice((10, 20, 25, 50, 100)))
            rows.append(StatementLine(number + 1, today - dt.timedelta(days=2), gift, "EUR", general_gift=True))
        report = import_bank_statement(actor=self.staff, rows=rows)
        self.counts["statements"] += 1
        # an anonymous gift quoting SUPPORT becomes a contribution of its own, with its payment
        self.counts["contributions"] += len(report.outcomes["general_gift"])
        self.counts["payments"] += len(report.outcomes["general_gift"])
        for outcome in ("confirmed", "renewed"):
            for line in report.outcomes[outcome]:
                self.counts["payments"] += 1
                subject, _payment_id, _amount = subjects[line.line]
                if outcome == "confirmed" and not isinstance(subject, Plan) and subject.is_recurring:
                    self.begin(day, subject, anchor=rows[line.line - 2].date)
        for line in report.outcomes["amount_differs"]:
            subject, payment_id, amount = subjects[line.line]
            if not isinstance(subject, Plan) and payment_id:  # a first transfer short of the promise: staff accept it
                self.at(day + 1, self.office_hours(), self.confirm_short, subject, payment_id, rows[line.line - 2].key)

    def confirm_short(self, day, contribution, payment_id, key):
        if confirm_offline_payment(actor=self.staff, payment_id=payment_id, transaction_reference=key):
            self.counts["payments"] += 1
            if contribution.is_recurring:
                self.begin(day, contribution)

    # -- a regular contribution runs
    def begin(self, day, contribution, anchor=None):
        plan = Plan(
            contribution_id=contribution.pk,
            reference=contribution.reference,
            frequency=contribution.frequency,
            method=contribution.method,
            currency=contribution.currency,
            amount=contribution.amount,
            language=contribution.language,
            supporter_id=contribution.supporter_id,
            anchor=anchor or self.first_day + dt.timedelta(days=day),
        )
        self.counts[f"plans_{plan.frequency}"] += 1
        self.next_period(plan)

    def next_period(self, plan):
        """Plan the plan's next period: its payment on the due day, and what the supporter does before it."""
        plan.periods += 1
        due = self.day_of(plan.due(plan.periods))
        today = self.day_of(self.clock.moment.date())
        if self.rng.random() < CANCEL[plan.frequency]:
            self.at(self.rng.randint(today + 1, max(today + 1, due - 1)), self.daytime(), self.cancel, plan)
            return
        offline = plan.method != "card"
        if offline and self.rng.random() < AMOUNT_CHANGES:
            self.at(self.rng.randint(today + 1, max(today + 1, due - 2)), self.daytime(), self.change_amount, plan)
        if offline and self.rng.random() < STANDING_ORDER_STOPS:
            self.at(due + 45, self.office_hours(), self.stopped_paying, plan)
            return
        self.at(due, self.office_hours() if plan.method == "crypto" else 6 * 3600, self.renew, plan, 0)

    def renew(self, day, plan, retry):
        if not plan.running:
            return
        if plan.method == "bank_transfer":  # the standing order pays; the statement tells
            self.statement.append((self.first_day + dt.timedelta(days=day), plan.amount, plan.currency, plan, None))
            self.next_period(plan)
            return
        if plan.method == "card":
            fails = CARD_RENEWAL_FAILS[plan.frequency] if retry == 0 else 1 - CARD_RETRY_SUCCEEDS
            if self.rng.random() < fails:
                if retry < len(CARD_RETRIES):
                    self.at(
                        day + CARD_RETRIES[retry] - (CARD_RETRIES[retry - 1] if retry else 0),
                        6 * 3600,
                        self.renew,
                        plan,
                        retry + 1,
                    )
                else:
                    self.lapse(day, plan)
                return
            provider_id, reference = self._stripe_id("pi"), ""
            actor = STRIPE
        else:
            reference = self._tx()
            provider_id, actor = f"crypto {reference}", self.staff
        payment = record_renewal(
            actor=actor,
            contribution_id=plan.contribution_id,
            amount=Money(plan.amount, plan.currency),
            provider_id=provider_id,
            transaction_reference=reference,
        )
        self.counts["payments"] += 1
        self.counts["renewals"] += 1
        if plan.method == "card" and plan.frequency == "monthly":
            self.recent_renewals.append((day, payment.pk))
        self.next_period(plan)

    def lapse(self, day, plan):
        plan.running = False
        cancel_contribution(
            actor=STRIPE, contribution_id=plan.contribution_id, reason="stripe subscription canceled", lapsed=True
        )
        self.counts["lapsed"] += 1

    def cancel(self, day, plan):
        if not plan.running:
            return
        plan.running = False
        if plan.method == "card" or plan.supporter_id is None:
            # the supporter cancelled at the card provider (or from its mail): its webhook stops the contribution
            cancel_contribution(
                actor=STRIPE, contribution_id=plan.contribution_id, reason="stripe subscription canceled"
            )
        else:
            stop_recurring(actor=READER, supporter_id=plan.supporter_id, contribution_id=plan.contribution_id)
        self.counts["cancelled"] += 1

    def stopped_paying(self, day, plan):
        """A standing order or wallet that stopped paying without a word: staff end it after six weeks."""
        if not plan.running:
            return
        plan.running = False
        cancel_contribution(actor=self.staff, contribution_id=plan.contribution_id, reason="no payment for six weeks")
        self.counts["cancelled"] += 1

    def change_amount(self, day, plan):
        if not plan.running:
            return
        amounts = LADDERS[plan.frequency][plan.currency][0]
        up = self.rng.random() < 0.65
        higher = [a for a in amounts if a > plan.amount]
        lower = [a for a in amounts if a < plan.amount]
        choices = (higher or lower) if up else (lower or higher)
        new = Decimal(choices[0] if choices is higher else choices[-1])
        if change_contribution_amount(actor=READER, contribution_id=plan.contribution_id, amount=new):
            plan.amount = new
            self.counts["amount_changes"] += 1

    # -- money given back
    def refund(self, day, dispute):
        """Give back a recent card gift (asked by its giver), or lose one to a chargeback; a refund now and then is
        a renewal charged twice."""
        pool = self.recent_card_gifts
        if not dispute and self.recent_renewals and self.rng.random() < 0.3:
            pool = self.recent_renewals
        candidates = [(d, pk) for d, pk in pool if day - 20 <= d < day]
        if not candidates:
            self.at(day + 1, self.office_hours(), self.refund, dispute)  # none to give back yet: try tomorrow
            return
        _day, payment_id = self.rng.choice(candidates)
        pool.remove((_day, payment_id))
        if dispute:
            refund_payment(
                actor=STRIPE,
                payment_id=payment_id,
                provider_id=self._stripe_id("du"),
                reason="fraudulent",
                dispute=True,
            )
            self.counts["disputes"] += 1
        else:
            refund_payment(
                actor=self.staff,
                payment_id=payment_id,
                provider_id=self._stripe_id("re"),
                reason="asked by the supporter: given twice by mistake",
            )
            self.counts["refunds"] += 1

    # -- ids the providers would give
    def _stripe_id(self, prefix):
        return f"{prefix}_demo{self.rng.getrandbits(96):024x}"

    def _tx(self):
        return f"{self.rng.getrandbits(256):064x}"


def _set_rates(until):
    """Business-day euro reference rates for USD and GBP over the whole history (two years, and a week before it),
    imported as the ECB's file would be: every gift and plan of the demo has the rate of its day and month."""
    last = timezone.localtime(until).date()
    first = last - dt.timedelta(days=DAYS + 7)
    with simulated_now(Clock(until - dt.timedelta(seconds=1))):  # the history's own time, as every entry of it
        import_rates(actor=Actor.system("load_demo"), rates=demo_rates(first, last), source="demo")


def load_history(*, scale=1.0, until=None) -> Summary:
    """Write the demo's ledger history (see the module's note) unless it was written before. ``scale`` multiplies the
    number of readers who start giving; ``until`` is when the history ends (by default the start of today, UTC).
    Needs the demo campaigns (``support.demo.load_campaigns``) and, for attribution, the demo articles."""
    if AuditEntry.objects.filter(action=MARKER).exists():
        return Summary(created=False)
    if not Campaign.objects.filter(is_active=True).exists():
        raise RuntimeError("No active campaign: load the demo campaigns first (support.demo.load_campaigns).")
    if until is None:
        until = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    started = time.monotonic()
    _set_rates(until)
    history = History(scale=scale, until=until)
    history.write()
    with transaction.atomic():
        record(
            actor=Actor.system("load_demo"),
            action=MARKER,
            scale=str(scale),
            until=until.isoformat(),
            **{name: history.counts[name] for name in sorted(history.counts)},
        )
    return Summary(
        created=True,
        contributions=history.counts["contributions"],
        seconds=time.monotonic() - started,
        counts=dict(history.counts),
    )
