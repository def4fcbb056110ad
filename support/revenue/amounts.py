"""Adding money of several currencies into one, at the newsroom's dated rates, without pretending.

A :class:`Total` collects exact Decimals per currency and per day they count for, and converts only when asked, into
the view's currency, each part at the rate of its day (``support.rates``). A part added without a day is converted at
the total's own day (:attr:`Total.on`, by default the day of its :class:`Rates`): MRR at a month's end is taken at
that month's rate, whatever was added into it. What has no rate is left out of the figure and named in ``missing``
and ``excluded``, so a page can say the figure is incomplete and by how much.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from core.money import Money
from support.models.tallies import RECURRING  # noqa: F401  (the revenue modules read it from here)
from support.rates import RateBook


def monthly_amount(amount: Decimal, frequency: str) -> Decimal:
    """What a regular contribution brings a month: an annual plan counts a twelfth of its amount."""
    return amount / 12 if frequency == "annual" else amount


@dataclass
class Rates:
    """The rates into one currency, read once for a whole page; ``on`` is the day an undated amount counts for."""

    currency: str
    book: RateBook
    on: dt.date

    @classmethod
    def into(cls, currency: str, on: dt.date | None = None) -> "Rates":
        return cls(currency, RateBook(currency), on or timezone.localdate())

    def rate(self, code: str, day: dt.date | None = None) -> Decimal | None:
        return self.book.rate(code, day or self.on)


@dataclass
class Total:
    """Exact amounts per (currency, day or None); :meth:`money` converts them into ``rates.currency``."""

    rates: Rates
    parts: dict = field(default_factory=dict)
    on: dt.date | None = None  # the day undated parts count for; the rates' day when None

    def add(self, currency: str, amount, day: dt.date | None = None) -> "Total":
        if amount:
            key = (currency, day)
            self.parts[key] = self.parts.get(key, Decimal(0)) + Decimal(amount)
        return self

    def __iadd__(self, other: "Total"):
        for (currency, day), amount in other.parts.items():
            # an undated part of ``other`` keeps ``other``'s own day when it has one
            self.add(currency, amount, day if day is not None else other.on)
        return self

    def copy(self) -> "Total":
        return Total(self.rates, dict(self.parts), self.on)

    def at(self, day: dt.date) -> "Total":
        """This total with its undated parts counting for ``day``."""
        self.on = day
        return self

    def _rate(self, code, day):
        return self.rates.rate(code, day if day is not None else self.on)

    @property
    def by_currency(self) -> dict:
        sums: dict = {}
        for (code, _day), amount in self.parts.items():
            sums[code] = sums.get(code, Decimal(0)) + amount
        return sums

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(
            sorted({code for (code, day), amount in self.parts.items() if amount and not self._has(code, day)})
        )

    def _has(self, code, day) -> bool:
        return self._rate(code, day) is not None

    @property
    def missing_days(self) -> dict:
        """{currency: (first day, last day)} of the parts left out for want of a rate."""
        found: dict = {}
        for (code, day), amount in self.parts.items():
            if amount and not self._has(code, day):
                day = day if day is not None else (self.on or self.rates.on)
                first, last = found.get(code, (day, day))
                found[code] = (min(first, day), max(last, day))
        return found

    @property
    def excluded(self) -> tuple[Money, ...]:
        """The money left out of :attr:`money` for want of a rate, in its own currencies."""
        sums: dict = {}
        for (code, day), amount in self.parts.items():
            if amount and not self._has(code, day):
                sums[code] = sums.get(code, Decimal(0)) + amount
        return tuple(Money(amount, code) for code, amount in sorted(sums.items()) if amount)

    @property
    def decimal(self) -> Decimal:
        total = Decimal(0)
        for (code, day), amount in self.parts.items():
            rate = self._rate(code, day)
            if rate is not None:
                total += amount * rate
        return total

    @property
    def money(self) -> Money:
        return Money(self.decimal, self.rates.currency)
