"""Money is a Decimal amount with a currency, quantized to the currency's minor unit. Never a float.

Amounts become integer minor units only at a payment provider's boundary (:meth:`Money.minor_units`).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


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


# --- Amounts as people type them --------------------------------------------------------------------------------------
#
# One parser for every amount a reader or the newsroom types: the checkout's other amount (and its ladder's values),
# a Support link's amount, the manage page's new amount, the campaign's lists of amounts. Decisions:
#
# * Figures are the ASCII digits 0-9 only. Other digits (full-width １０, Arabic-Indic ١٠, Devanagari १०) get a message
#   saying which digits to type; Python's own Decimal would read them, and ``1_000`` and ``1e2`` too, which are refused.
#   No sign, no exponent, no NaN or Infinity, nothing empty.
# * The decimal separator is the reader's: ``.`` in English, ``,`` in Russian; the other one is taken too when it can
#   only be a decimal separator. One mark followed by one or two figures is a decimal separator in both languages
#   (``10,50`` is 10.50 in English as well: readers from everywhere read the English pages). Followed by exactly three
#   figures, an English comma is a thousands separator (``1,500`` is 1500); any other single mark so placed is a
#   decimal one, and three decimals are more than a currency has, so ``1,500`` in Russian and ``1.500`` in English are
#   refused rather than guessed. With both marks, the last is the decimal separator (``1,000.50``, ``1.000,50``).
# * Thousands may be grouped by a space, a no-break space or a narrow no-break space (how Russian writes
#   ``1 000,50``) in both languages, or by the other mark; groups after the first have three figures, and only one
#   kind of separator groups an amount.
# * The chosen currency's code or symbol may stand before or after the figures (``€10``, ``10 €``, ``10 EUR``,
#   ``EUR 10``, ``500 ₽``, ``500 руб.``); another currency's is refused with a message that names the chosen one.
# * At most as many decimals as the currency's minor unit (``CURRENCIES[...].exponent``); without a currency (a
#   campaign's list) any number. Minimum and maximum are the caller's rules (``support.prefill``).

MAX_TYPED_AMOUNT = 40  # characters: more than any amount with its currency and separators
GROUP_SPACES = " \u00a0\u202f\u2009"  # space, no-break space, narrow no-break space, thin space
DECIMAL_MARK = {"en": ".", "ru": ","}
#: What else a currency is written as besides its code and symbol.
CURRENCY_WORDS = {"RUB": ("руб.", "руб", "р."), "USD": ("US$",)}

FIGURES = _("Enter an amount such as 10 or 7.50.")
ASCII_DIGITS = _("Type the amount with the digits 0 to 9, such as 10 or 7.50.")
OTHER_CURRENCY = _("The amount is in %(currency)s: enter only the figures, or choose another currency.")
#: The message for more decimals than a currency has, by its exponent (a currency with another one needs its own).
TOO_MANY_DECIMALS = {2: _("Enter an amount with at most two decimals, such as 7.50.")}


class AmountError(MoneyError):
    """What a person typed is not an amount; ``message`` says what to type instead (translated when shown)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _names_of(code) -> list[str]:
    currency = CURRENCIES[code]
    return sorted({code, currency.symbol, *CURRENCY_WORDS.get(code, ())}, key=len, reverse=True)


def _without_currency(text: str, currency) -> str:
    """``text`` without the chosen currency's code or symbol on either side; refuses another currency's."""
    if currency is not None:
        lowered = text.lower()
        for name in _names_of(currency):
            if lowered.startswith(name.lower()):
                text = text[len(name) :].strip()
                break
            if lowered.endswith(name.lower()):
                text = text[: -len(name)].strip()
                break
    lowered = text.lower()
    if currency is not None and any(
        name.lower() in lowered for code in CURRENCIES if code != currency for name in _names_of(code)
    ):
        raise AmountError(lazy(lambda: OTHER_CURRENCY % {"currency": currency}, str)())
    return text


def _decimal_mark(text: str, language: str) -> str | None:
    """Which of ``.`` and ``,`` in ``text`` separates the decimals, if one does (see the rules above)."""
    marks = [character for character in text if character in ".,"]
    if len(set(marks)) == 2:
        return marks[-1]
    if len(marks) != 1:
        return None  # no mark, or one repeated: it groups thousands
    figures_after = len(text) - text.index(marks[0]) - 1
    english_thousands = language != "ru" and marks[0] == "," and figures_after == 3
    return None if english_thousands else marks[0]


def _whole_figures(whole: str) -> str:
    """The figures of the whole part, its grouping checked: one kind of separator, 1–3 figures, then three each."""
    separators = {character for character in whole if not character.isdigit()}
    if not separators:
        return whole
    if len(separators) > 1:
        raise AmountError(FIGURES)
    first, *others = whole.split(separators.pop())
    if not 1 <= len(first) <= 3 or any(len(group) != 3 for group in others):
        raise AmountError(FIGURES)
    return first + "".join(others)


def parse_amount(value, language="en", currency=None) -> Decimal:
    """The Decimal a person meant by ``value`` in ``language``, for ``currency`` (see the rules above). Raises
    ``AmountError`` (a ``MoneyError``) with a message for them."""
    if isinstance(value, float):
        raise MoneyError("Amounts are never floats.")
    text = str(value)
    if len(text) > MAX_TYPED_AMOUNT:
        raise AmountError(FIGURES)
    text = _without_currency(text.strip(), currency)
    if any(character.isdigit() and not character.isascii() for character in text):
        raise AmountError(ASCII_DIGITS)
    text = "".join(" " if character in GROUP_SPACES else character for character in text)
    if not text or not text[0].isdigit() or not text[-1].isdigit() or text.strip("0123456789., "):
        raise AmountError(FIGURES)
    whole, fraction = text, ""
    mark = _decimal_mark(text, language)
    if mark is not None:
        whole, _mark, fraction = text.partition(mark)
        if not fraction.isdigit():  # a second decimal mark, or a space among the decimals
            raise AmountError(FIGURES)
    whole = _whole_figures(whole)
    if currency is not None and len(fraction) > CURRENCIES[currency].exponent:
        raise AmountError(TOO_MANY_DECIMALS[CURRENCIES[currency].exponent])
    return Decimal(f"{whole}.{fraction}" if fraction else whole)


def amount_for_input(amount: Decimal, language="en") -> str:
    """An amount as it is written into a field the reader may change: figures without grouping, the language's
    decimal mark, none for a whole amount (“10”, “7.50”, “7,50” in Russian), which :func:`parse_amount` reads back."""
    whole = amount == amount.to_integral_value()
    text = format(amount.quantize(Decimal(1)) if whole else amount, "f")
    return text.replace(".", DECIMAL_MARK.get(language, "."))


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
