"""Adding money of several currencies into one, at the newsroom's rates, without pretending.

A :class:`Total` collects exact Decimals per currency and converts only when asked, into the view's currency; what
has no rate is left out of the figure and named in ``missing``, so a page can say the figure is incomplete.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from core.money import Money
from support.ledger import rates_to
from support.models.tallies import RECURRING  # noqa: F401  (the revenue modules read it from here)


def monthly_amount(amount: Decimal, frequency: str) -> Decimal:
    """What a regular contribution brings a month: an annual plan counts a twelfth of its amount."""
    return amount / 12 if frequency == "annual" else amount


@dataclass
class Rates:
    """The rates into one currency, read once for a whole page."""

    currency: str
    rates: dict = field(default_factory=dict)

    @classmethod
    def into(cls, currency: str) -> "Rates":
        return cls(currency, rates_to(currency))


@dataclass
class Total:
    """Exact amounts per currency; :meth:`money` converts them into ``rates.currency``."""

    rates: Rates
    by_currency: dict = field(default_factory=dict)

    def add(self, currency: str, amount) -> "Total":
        if amount:
            self.by_currency[currency] = self.by_currency.get(currency, Decimal(0)) + Decimal(amount)
        return self

    def __iadd__(self, other: "Total"):
        for currency, amount in other.by_currency.items():
            self.add(currency, amount)
        return self

    def copy(self) -> "Total":
        return Total(self.rates, dict(self.by_currency))

    @property
    def missing(self) -> tuple[str, ...]:
        rates = self.rates.rates
        return tuple(sorted(code for code, amount in self.by_currency.items() if amount and code not in rates))

    @property
    def decimal(self) -> Decimal:
        rates = self.rates.rates
        return sum((amount * rates[code] for code, amount in self.by_currency.items() if code in rates), Decimal(0))

    @property
    def money(self) -> Money:
        return Money(self.decimal, self.rates.currency)
