"""The checkout form at /support/: what a reader may choose, validated, and the one-time token that keeps a double
submission from creating two contributions.

Decisions, so they are made once:

* **Frequency** is chosen with links (tabs) above the form, because the amounts on offer depend on it and a page
  without JavaScript can only show the right ones by loading again. The form carries the chosen frequency.
* **Amounts**: each currency offered (``settings.SUPPORT_CURRENCIES``, the campaign's own first) has its own ladder:
  the campaign's monthly or one-time choices in the campaign's currency, ``settings.SUPPORT_AMOUNTS`` in another one
  (the campaign's numbers where it names none); annual is monthly × 12. Amounts below the campaign's minimum are left
  out, so the ladder never offers what the form refuses. The minimum is the campaign's (``support.prefill.minimum``),
  the maximum ``support.prefill.MAX_AMOUNT``, in every currency.
* **Currency** is a radio choice, and the form carries one ladder per currency (``amount_<CODE>`` and
  ``other_amount_<CODE>``); the stylesheet shows only the chosen currency's (``:has()``), so switching currency swaps
  the amounts without JavaScript and without loading again. Only the chosen currency's ladder is read. A ladder value
  that is not on that currency's ladder is refused with a message (nothing is created); another amount is taken
  anywhere between the minimum and the maximum, written as people write amounts in the campaign's language
  (``core.money.parse_amount``: ``12.50`` or ``1,000`` in English, ``12,50`` or ``1 000`` in Russian, the
  currency's sign around it if they like); the field's placeholder shows the language's way. A plain
  ``amount``/``other_amount`` (a script, a form of its own) is read instead of the ladders when it is sent, and
  checked against the chosen currency's ladder the same way.
* **Preselected**: the amount a link prefilled (``support.prefill``) — on the ladder, or as another amount — else the
  campaign's suggestion, the middle of the ladder (“5, 10, 20” suggests 10). Never the bare minimum, never “another
  amount” by default. Amounts are shown with their currency in the page's language (``Money.format``).
* **Cover the fees** adds ``settings.SUPPORT_FEE_PERCENT`` of the amount, rounded to the currency's minor unit; the
  contribution records the total and ``covers_fees``.
* **Email** is optional for every frequency and method: bank transfer and crypto work with the reference alone, and a
  person at risk should not have to leave an address. It is asked for only for a receipt (a provider that cannot work
  without one says so with ``requires_email``).
* **Attribution** (variant, article) is validated as a prefill is, and dropped silently when unknown: a gift never
  fails because of where its link came from. The referrer is the ``Referer`` host of the request that showed the form
  (carried in the signed token, so it cannot be edited), and only if it is another site.
"""

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.utils.translation import gettext_lazy as _

from core.email_address import EmailAddressField
from core.money import CURRENCIES, AmountError, Money, MoneyError, parse_amount
from support.cards.state import card_paused
from support.prefill import FREQUENCIES, MAX_AMOUNT, minimum
from support.providers.registry import enabled_providers

MAX_FORM_BYTES = 4 * 1024  # the form sends ten short fields
OTHER = "other"
FORM_SALT = "samizdat.checkout.form"
MAX_TOKEN_LENGTH = 400
IN_FLIGHT_WAIT_SECONDS = 3.0  # how long a second submission waits for the first one to finish
HOST = re.compile(r"^[a-z0-9]([a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$")

FREQUENCY_LABELS = {"monthly": _("Monthly"), "once": _("Once"), "annual": _("Annual")}


# --- What the newsroom offers -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    provider: object  # a PaymentProvider, or None when readers cannot choose it now
    note: str = ""  # why it cannot be chosen, or what it needs

    @property
    def available(self):
        return self.provider is not None


@dataclass(frozen=True)
class Offer:
    """What this campaign lets readers choose, in the campaign's language."""

    campaign: object
    currencies: tuple
    methods: tuple
    fee_percent: Decimal
    card_paused: bool = False  # card payments are paused for now (support.cards): say so, calmly

    @property
    def available_methods(self):
        return [method for method in self.methods if method.available]

    def method(self, key):
        return next((method for method in self.methods if method.key == key), None)

    def ladder(self, frequency, currency=None) -> list[Decimal]:
        """The amounts offered for ``frequency`` in ``currency`` (the campaign's by default): one-time or monthly
        choices, annual = monthly × 12."""
        kind = "once" if frequency == "once" else "monthly"
        amounts = _choices(self.campaign, kind, currency or self.campaign.currency)
        return [amount * 12 for amount in amounts] if frequency == "annual" else amounts

    def suggested(self, frequency, currency=None) -> Decimal:
        """The amount preselected when a link names none: the middle of the ladder."""
        amounts = self.ladder(frequency, currency)
        return amounts[len(amounts) // 2]

    def minimum(self, frequency, currency) -> Money:
        return Money(minimum(self.campaign, frequency), currency)

    def maximum(self, currency) -> Money:
        return Money(MAX_AMOUNT, currency)

    def fee(self, amount: Money) -> Money:
        """What covering the fees adds to ``amount``: exact, rounded half up to the minor unit."""
        return Money(amount.amount * self.fee_percent / 100, amount.currency)


def _choices(campaign, kind, currency) -> list[Decimal]:
    """The ``kind`` ("monthly" or "once") choices in ``currency``, at least the campaign's minimum, in order."""
    own = campaign.one_time_amounts if kind == "once" else campaign.monthly_amounts
    text = own if currency == campaign.currency else settings.SUPPORT_AMOUNTS.get(currency, {}).get(kind, own)
    low = minimum(campaign, kind)
    try:
        amounts = sorted({amount for amount in campaign.amount_list(str(text)) if low <= amount <= MAX_AMOUNT})
    except MoneyError:
        amounts = []
    if not amounts and text is not own:  # a setting that offers nothing usable: the campaign's numbers instead
        return _choices(campaign, kind, campaign.currency)
    return amounts or [low]


def offer_for(campaign) -> Offer:
    providers = enabled_providers()
    methods = []
    paused = False
    for key, label in campaign.payment_methods():
        provider = providers.get(key)
        if provider is not None and not provider.offered_at_checkout:
            provider = None  # enabled for the newsroom's tools, but readers cannot pay with it here yet
        if provider is not None and key == "card" and card_paused():
            paused = True
            methods.append(Method(key, provider.label, None, _("paused for now")))
        elif provider is None:
            methods.append(Method(key, label, None, _("not available yet")))
        else:
            note = _("needs JavaScript") if provider.needs_javascript else ""
            methods.append(Method(key, provider.label, provider, note))
    candidates = [campaign.currency] + [c for c in settings.SUPPORT_CURRENCIES if c != campaign.currency]
    candidates = [code for code in candidates if code in CURRENCIES]
    available = [m.provider for m in methods if m.available]
    taken = [code for code in candidates if any(p.accepts_currency(code) for p in available)]
    if taken:  # offer only currencies some way of paying takes (if none does, the methods say what they take)
        candidates = taken
    return Offer(campaign, tuple(candidates), tuple(methods), Decimal(settings.SUPPORT_FEE_PERCENT), paused)


def plain(amount: Decimal) -> str:
    """“10” for 10.00, “7.50” for 7.5: how amounts travel in forms and links (never an exponent)."""
    if amount == amount.to_integral_value():
        return format(amount.quantize(Decimal(1)), "f")
    return format(amount.quantize(Decimal("0.01")), "f")


# --- The form ---------------------------------------------------------------------------------------------------------


PLAIN_AMOUNT_FIELDS = ("amount", "other_amount")


def amount_fields(data, currency) -> tuple[str, str]:
    """The two fields that carry the amount of the chosen ``currency``: the plain ``amount`` and ``other_amount`` when
    the form sent them (a script, a form of its own), else that currency's own ladder (``amount_<CODE>``,
    ``other_amount_<CODE>``). What the form reads and what it shows again after an error both ask here."""
    if currency is None or any(name in data for name in PLAIN_AMOUNT_FIELDS):
        return PLAIN_AMOUNT_FIELDS
    return f"amount_{currency}", f"other_amount_{currency}"


class CheckoutForm(forms.Form):
    """Validates a POST of the checkout. ``cleaned_data`` then holds ``amount`` (what the reader chose, Money) and
    ``total`` (with the fees if they cover them), besides the fields."""

    frequency = forms.ChoiceField(
        choices=[(f, f) for f in FREQUENCIES],
        error_messages={
            "required": _("Choose how often you want to give."),
            "invalid_choice": _("Choose how often you want to give."),
        },
    )
    amount = forms.CharField(max_length=20, required=False)
    other_amount = forms.CharField(
        max_length=20, required=False, error_messages={"max_length": _("Enter an amount such as 10 or 7.50.")}
    )
    currency = forms.ChoiceField(
        error_messages={"required": _("Choose a currency."), "invalid_choice": _("Choose one of the currencies shown.")}
    )
    cover_fees = forms.BooleanField(required=False)
    method = forms.ChoiceField(
        error_messages={
            "required": _("Choose how you want to pay."),
            "invalid_choice": _("Choose one of the ways to pay shown."),
        }
    )
    email = EmailAddressField(
        required=False,
        error_messages={"invalid": _("Enter a valid email address, like name@example.org, or leave it empty.")},
    )

    def __init__(self, data, *, offer: Offer):
        super().__init__(data)
        self.offer = offer
        self.fields["currency"].choices = [(code, code) for code in offer.currencies]
        self.fields["method"].choices = [(method.key, method.label) for method in offer.methods]

    def clean_method(self):
        method = self.offer.method(self.cleaned_data["method"])
        if not method.available:
            if method.key == "card" and self.offer.card_paused:
                raise forms.ValidationError(
                    _("Card payment is paused for a short while. Please choose bank transfer or crypto.")
                )
            if method.key == "card":
                raise forms.ValidationError(_("Card payment is not available yet. Please choose another way to pay."))
            raise forms.ValidationError(
                _("%(method)s is not available at the moment. Please choose another way to pay.")
                % {"method": method.label}
            )
        return method.key

    def _chosen_amount(self, currency):
        """(the number, whether it was picked from the ladder) for ``currency``: the plain fields when they are sent,
        else that currency's own ladder. Read as the reader writes amounts in the campaign's language
        (``core.money.parse_amount``)."""
        names = amount_fields(self.data, currency)
        source = self.cleaned_data if names == PLAIN_AMOUNT_FIELDS else self.data  # the plain fields are form fields
        choice, other = (str(source.get(name) or "").strip() for name in names)
        picked = choice not in ("", OTHER)
        raw = choice if picked else other
        if not raw:
            raise forms.ValidationError(
                _("Choose an amount, or enter another one.") if choice != OTHER else _("Enter the amount you want."),
                code="amount",
            )
        if len(raw) > 20:
            raise forms.ValidationError(_("Enter an amount such as 10 or 7.50."), code="amount")
        try:
            return parse_amount(raw, self.offer.campaign.language, currency), picked
        except AmountError as error:
            raise forms.ValidationError(error.message, code="amount") from None

    def clean(self):
        data = super().clean()
        frequency, currency = data.get("frequency"), data.get("currency")
        try:
            number, picked = self._chosen_amount(currency)
        except forms.ValidationError as error:
            self.add_error("other_amount", error)
            return data
        if frequency is None or currency is None:
            return data
        language = self.offer.campaign.language
        low, high = self.offer.minimum(frequency, currency), self.offer.maximum(currency)
        if number > high.amount:  # the number as typed, before Money rounds it
            self.add_error(
                "other_amount",
                _("The largest amount this form takes is %(amount)s.") % {"amount": high.format(language)},
            )
            return data
        if number < low.amount:
            self.add_error("other_amount", _("The smallest amount is %(amount)s.") % {"amount": low.format(language)})
            return data
        amount = Money(number, currency)
        if amount.amount != number:
            self.add_error("other_amount", _("Enter an amount with at most two decimals, such as 7.50."))
            return data
        if picked and number not in self.offer.ladder(frequency, currency):
            self.add_error(
                "other_amount",
                _(
                    "%(amount)s is not one of the amounts offered in %(currency)s. "
                    "Choose one of them, or enter it as another amount."
                )
                % {"amount": amount.format(language), "currency": currency},
            )
            return data
        data["amount"] = amount
        data["total"] = amount + self.offer.fee(amount) if data.get("cover_fees") else amount
        method = self.offer.method(data.get("method"))
        if method is not None and method.available:
            if not method.provider.accepts_currency(currency):
                self.add_error(
                    "currency",
                    _("%(method)s takes only %(currencies)s.")
                    % {"method": method.label, "currencies": ", ".join(method.provider.options["currencies"])},
                )
            if method.provider.requires_email(frequency) and not data.get("email"):
                self.add_error("email", _("%(method)s needs an email address.") % {"method": method.label})
        return data

    def choice_digest(self) -> str:
        """A digest of what was chosen, to tell a double submission from a changed one."""
        data = self.cleaned_data
        choice = [
            data["frequency"],
            str(data["total"].amount),
            data["total"].currency,
            data["method"],
            bool(data.get("cover_fees")),
            (data.get("email") or "").lower(),
        ]
        return hashlib.sha256(json.dumps(choice).encode()).hexdigest()


# --- The one-time token -----------------------------------------------------------------------------------------------


class FormTokenError(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FormToken:
    id: str
    referrer_host: str


def issue_token(referrer_host="") -> str:
    """A new token for one rendered form: random, signed and dated. Nothing is stored until the form is sent."""
    return signing.dumps({"n": secrets.token_urlsafe(16), "r": referrer_host}, salt=FORM_SALT)


def read_token(value) -> FormToken:
    if not value or len(value) > MAX_TOKEN_LENGTH:
        raise FormTokenError(_("This form is incomplete. Please check your choice and send it again."))
    try:
        data = signing.loads(value, salt=FORM_SALT, max_age=settings.SUPPORT_CHECKOUT_FORM_MAX_AGE)
    except signing.SignatureExpired:
        raise FormTokenError(
            _("This form was open for a long time. Please check your choice and send it again.")
        ) from None
    except signing.BadSignature:
        raise FormTokenError(_("This form is incomplete. Please check your choice and send it again.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str) or not isinstance(data.get("r"), str):
        raise FormTokenError(_("This form is incomplete. Please check your choice and send it again."))
    return FormToken(id=data["n"], referrer_host=data["r"])


@dataclass(frozen=True)
class Earlier:
    """What an earlier submission of the same form led to. ``url`` is empty while it is still being processed."""

    url: str
    same_choice: bool


def _token_key(token: FormToken):
    return f"samizdat:checkout:{token.id}"


def _keep_for():
    return settings.SUPPORT_CHECKOUT_FORM_MAX_AGE + 60  # at least as long as the token can be sent


def claim(token: FormToken, digest: str) -> Earlier | None:
    """Claim ``token`` for this submission. None: it is the first, go ahead (and :func:`remember` or :func:`release`
    it). Otherwise: what the earlier submission led to, after waiting a moment for one still in flight.

    ``cache.add`` is atomic in every backend (Redis ``SET NX``), so of two simultaneous submissions exactly one wins.
    """
    key = _token_key(token)
    if cache.add(key, {"url": "", "choice": digest}, _keep_for()):
        return None
    deadline = time.monotonic() + IN_FLIGHT_WAIT_SECONDS
    while True:
        entry = cache.get(key)
        if entry is None:  # the first one gave up (and released the token) meanwhile
            if cache.add(key, {"url": "", "choice": digest}, _keep_for()):
                return None
            continue
        if entry["url"] or time.monotonic() >= deadline:
            return Earlier(url=entry["url"], same_choice=entry["choice"] == digest)
        time.sleep(0.1)


def remember(token: FormToken, digest: str, url: str):
    cache.set(_token_key(token), {"url": url, "choice": digest}, _keep_for())


def release(token: FormToken):
    cache.delete(_token_key(token))


# --- Where the reader came from ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """The campaign and language of a checkout, and its attribution (unknown values dropped)."""

    campaign: object  # the active campaign of ``language``, or None
    language: str
    arm: str
    article_id: int | None


def resolve_where(*, variant="", article="", lang="") -> Where:
    """The article's language decides (the reader was reading it); without a known article, ``lang``; without that,
    the campaign the variant belongs to. Attribution is validated against that campaign."""
    from support.arms import valid_arms
    from support.reminders import attribution
    from support.surfaces import active_campaign

    found = attribution(variant or "", article or "")
    language = lang if found.article_id is None and lang in dict(settings.LANGUAGES) else found.language
    if language == found.language and found.campaign is not None:
        return Where(found.campaign, language, found.arm, found.article_id)
    campaign = active_campaign(language)
    variant = (variant or "").strip()[:80]
    arm = variant if campaign is not None and variant in valid_arms(campaign) else ""
    return Where(campaign, language, arm, found.article_id)


def _host_of(url):
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def referrer_host(request) -> str:
    """The host of the ``Referer`` header if it is another site's, else "". Never the path or query: only the host is
    kept. Reading pages send no referrer, so this is usually empty."""
    host = _host_of(request.META.get("HTTP_REFERER", "")[:2000])
    if not host or len(host) > 253 or not HOST.match(host):
        return ""
    try:
        own = {request.get_host().rsplit(":", 1)[0].lower(), _host_of(settings.CANONICAL_URL)}
    except DisallowedHost:
        own = {_host_of(settings.CANONICAL_URL)}
    return "" if host in own else host
