"""Money is a Decimal amount with a currency, quantized to the currency's minor unit. Never a float.

Amounts become integer minor units only at a payment provider's boundary (:meth:`Money.minor_units`).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


@dataclass(frozen=True)
class Currency:
    code: str
    symbol: str
    exponent: int  # digits after the decimal point
    name: str


CURRENCIES = {
    currency.code: currency
    for currency in (
        Currency("USD", "$", 2, "US dollar"),
        Currency("EUR", "€", 2, "Euro"),
        Currency("GBP", "£", 2, "Pound sterling"),
        Currency("CHF", "CHF", 2, "Swiss franc"),
        Currency("SEK", "kr", 2, "Swedish krona"),
        Currency("RUB", "₽", 2, "Russian rouble"),
    )
}
CURRENCY_CHOICES = [(code, f"{code} — {currency.name}") for code, currency in CURRENCIES.items()]


class MoneyError(ValueError):
    """An amount or currency that cannot be money (a clear message, never a crash)."""


def parse_amount(value) -> Decimal:
    """A finite, non-negative Decimal from user input such as "12", "12.5" or "12,50"."""
    if isinstance(value, float):
        raise MoneyError("Amounts are never floats.")
    text = str(value).strip().replace(",", ".").replace(" ", "").replace("\u00a0", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"“{value}” is not an amount.") from None
    if not amount.is_finite() or amount < 0:
        raise MoneyError(f"“{value}” is not an amount.")
    return amount


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        if self.currency not in CURRENCIES:
            raise MoneyError(f"Unknown currency “{self.currency}”.")
        if isinstance(self.amount, float):
            raise MoneyError("Amounts are never floats.")
        quantum = Decimal(1).scaleb(-CURRENCIES[self.currency].exponent)
        object.__setattr__(self, "amount", Decimal(self.amount).quantize(quantum, rounding=ROUND_HALF_UP))

    @classmethod
    def zero(cls, currency):
        return cls(Decimal(0), currency)

    def _same_currency(self, other):
        if not isinstance(other, Money) or other.currency != self.currency:
            raise MoneyError(f"Cannot combine {self.currency} with {getattr(other, 'currency', other)!r}.")

    def __add__(self, other):
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other):
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other):
        self._same_currency(other)
        return self.amount < other.amount

    def __le__(self, other):
        self._same_currency(other)
        return self.amount <= other.amount

    def clamp_at_zero(self):
        return self if self.amount >= 0 else Money.zero(self.currency)

    def minor_units(self) -> int:
        return int(self.amount.scaleb(CURRENCIES[self.currency].exponent))

    def format(self, language="en"):
        """“$12,000”, “€7.50” in English; “12 000 $”, “7,50 €” in Russian. Whole amounts show no decimals."""
        currency = CURRENCIES[self.currency]
        whole = self.amount == self.amount.to_integral_value()
        number = f"{self.amount:,.0f}" if whole else f"{self.amount:,.{currency.exponent}f}"
        if language == "ru":
            number = number.replace(",", "\u00a0").replace(".", ",")
            return f"{number}\u00a0{currency.symbol}"
        separator = " " if len(currency.symbol) > 1 else ""
        return f"{currency.symbol}{separator}{number}"

    def __str__(self):
        return self.format()
