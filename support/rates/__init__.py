"""Exchange rates as dated data, and the one rule that picks the rate a figure is converted at.

A rate (:class:`~support.models.ExchangeRate`) says what one unit of a currency was worth in another on a day. It is
entered in the admin (*Snippets → Exchange rates*) or imported from the ECB's euro reference rates
(``manage.py import_rates``, :mod:`support.rates.ecb`). Converting ``amount`` of ``code`` into ``currency`` for a day
uses the latest rate **on or before** that day, found in this order:

1. the pair itself (``code`` → ``currency``);
2. the pair the other way round (``currency`` → ``code``), inverted — the ECB publishes euro → dollar, and a dollar gift
   counts in euros at one over it;
3. through one other currency both have a rate with on that day (dollar → pound through the euro).

Before the first rate of a pair there is none: the amount is left out of the figure and named, never guessed.
Which day a figure counts for is the figures' business (``docs/revenue.md``, *Exchange rates*).
"""

import bisect
import datetime as dt
from decimal import Decimal

from django.utils import timezone


class RateBook:
    """Every rate touching ``currency``, read once (a year of daily rates of a few pairs is a few hundred rows), with
    lookups by day memoised: a page asks for the same few (currency, day) pairs many times."""

    def __init__(self, currency: str, rows=None):
        self.currency = currency
        if rows is None:
            from support.models import ExchangeRate

            rows = ExchangeRate.objects.values_list("from_currency", "to_currency", "day", "rate").order_by("day")
        self.series: dict = {}  # {(from, to): ([days ascending], [rates])}
        for source, target, day, rate in rows:
            days, rates = self.series.setdefault((source, target), ([], []))
            index = bisect.bisect_right(days, day)
            if index and days[index - 1] == day:
                rates[index - 1] = Decimal(rate)
            else:
                days.insert(index, day)
                rates.insert(index, Decimal(rate))
        self._memo: dict = {}

    def _leg(self, source: str, target: str, day: dt.date) -> Decimal | None:
        """A direct or inverted rate of one pair on ``day`` (the latest on or before it)."""
        for pair, invert in (((source, target), False), ((target, source), True)):
            found = self.series.get(pair)
            if found:
                index = bisect.bisect_right(found[0], day)
                if index:
                    rate = found[1][index - 1]
                    return Decimal(1) / rate if invert else rate
        return None

    def rate(self, code: str, day: dt.date) -> Decimal | None:
        """What one unit of ``code`` is worth in the book's currency on ``day``; None without a rate."""
        if code == self.currency:
            return Decimal(1)
        key = (code, day)
        if key not in self._memo:
            found = self._leg(code, self.currency, day)
            if found is None:
                others = {c for pair in self.series for c in pair} - {code, self.currency}
                for other in sorted(others):
                    first, second = self._leg(code, other, day), self._leg(other, self.currency, day)
                    if first is not None and second is not None:
                        found = first * second
                        break
            self._memo[key] = found
        return self._memo[key]

    def first_day(self, code: str) -> dt.date | None:
        """The first day ``code`` has a rate into the book's currency (directly, inverted or through another)."""
        candidates = sorted({days[0] for (source, target), (days, _r) in self.series.items() if days})
        for day in candidates:
            if self.rate(code, day) is not None:
                return day
        return None

    def latest_day(self, code: str) -> dt.date | None:
        """The day of the newest rate ``code`` is converted at today (None without one)."""
        today = timezone.localdate()
        if self.rate(code, today) is None:
            return None
        days = [
            found[0][bisect.bisect_right(found[0], today) - 1]
            for pair, found in self.series.items()
            if code in pair and bisect.bisect_right(found[0], today)
        ]
        return max(days) if days else None


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def month_rate_day(day: dt.date, today: dt.date | None = None) -> dt.date:
    """The day whose rate is "the month's rate" for ``day``'s month: its last day, or today in the current month."""
    return min(month_end(day), today or timezone.localdate())


def rate_day(moment: dt.datetime) -> dt.date:
    """The day whose rate a figure taken at ``moment`` uses: the day the moment closes (a month's end, the first
    moment of the next month, is its last day)."""
    return timezone.localtime(moment - dt.timedelta(microseconds=1)).date()


def month_number_rate_day(month: int, today: dt.date | None = None) -> dt.date:
    """:func:`month_rate_day` of a month counted as ``support.models.tallies.month_number`` counts it."""
    return month_rate_day(dt.date(month // 12, month % 12 + 1, 1), today)
