"""Which payment providers are on, and with what options: ``settings.PAYMENT_PROVIDERS``, one entry per provider.

``PAYMENT_PROVIDERS = {"bank_transfer": {...}, "crypto": {...}}``: a provider not listed is off. Outside production the
settings hold clearly fake demo details; production enables nothing until the operator configures it (the
``PAYMENT_PROVIDERS`` environment variable, JSON). An entry may name its class (``"class": "dotted.path"``) to plug in
a provider that is not built in. The order of the setting is the order readers see.

The registry imports provider classes by their dotted path only when they are configured: the core never imports a
gateway.
"""

import logging

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from support.providers.base import PaymentProvider

logger = logging.getLogger(__name__)

BUILT_IN = {
    "bank_transfer": "support.providers.bank_transfer.BankTransfer",
    "crypto": "support.providers.crypto.Crypto",
}
STRIPE_SETTINGS = ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")


def built_in() -> dict:
    """The providers that ship with Samizdat. Card (Stripe) is one only once its settings are all present."""
    providers = dict(BUILT_IN)
    if all(getattr(settings, name, "") for name in STRIPE_SETTINGS):
        providers["card"] = "support.providers.stripe_card.StripeCard"
    return providers


def _load(key, options):
    """(provider, None) or (None, the reason it cannot be loaded)."""
    if not isinstance(options, dict):
        return None, f"PAYMENT_PROVIDERS[{key!r}] must be a dict of options."
    path = options.get("class") or built_in().get(key)
    if path is None:
        return None, f"PAYMENT_PROVIDERS[{key!r}]: no provider called {key!r} is installed (give its “class”)."
    try:
        cls = import_string(path)
    except ImportError as error:
        return None, f"PAYMENT_PROVIDERS[{key!r}]: cannot import {path}: {error}"
    if not (isinstance(cls, type) and issubclass(cls, PaymentProvider)) or cls.key != key:
        return None, f"PAYMENT_PROVIDERS[{key!r}]: {path} is not a PaymentProvider with key {key!r}."
    return cls({name: value for name, value in options.items() if name != "class"}), None


def configured_providers() -> dict:
    """Every provider the setting names and that can be loaded, in the setting's order, available or not."""
    providers = {}
    for key, options in (getattr(settings, "PAYMENT_PROVIDERS", None) or {}).items():
        provider, problem = _load(key, options)
        if provider is None:
            logger.warning("Payment provider left off: %s", problem)
            continue
        providers[key] = provider
    return providers


def enabled_providers() -> dict:
    """``{key: provider}`` of the providers readers may choose now."""
    return {key: provider for key, provider in configured_providers().items() if provider.is_available()}


def get_provider(key) -> PaymentProvider | None:
    """The provider for ``key`` if it is configured (available or not): staff may still confirm a payment made while a
    provider was on."""
    return configured_providers().get(key)


def check_payment_providers(app_configs=None, **kwargs):
    """``manage.py check``: every configured provider loads and its options are complete.

    Registered by ``support.apps`` (``checks.register(check_payment_providers)``).
    """
    errors = []
    for key, options in (getattr(settings, "PAYMENT_PROVIDERS", None) or {}).items():
        provider, problem = _load(key, options)
        problems = [problem] if provider is None else provider.configuration_errors()
        errors += [checks.Error(text, id="support.E101", obj="PAYMENT_PROVIDERS") for text in problems]
    from core.money import CURRENCIES

    for code in getattr(settings, "SUPPORT_CURRENCIES", []):
        if code not in CURRENCIES:
            errors.append(checks.Error(f"SUPPORT_CURRENCIES: unknown currency {code!r}.", id="support.E102"))
    return errors
