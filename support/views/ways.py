"""Ways to give that need no server, no JavaScript and no card: the newsroom's bank account and crypto addresses.

``/support/bank-transfer/`` and ``/support/crypto/`` (and ``/support/<language>/…`` in the other languages) are
reading pages: the same bytes for everyone, cacheable, exported to static mirrors with the QR codes as PNG. Without a
contribution there is no reference of one's own, so a transfer quotes the general reference
(:data:`support.statements.GENERAL_REFERENCE`) and reaches us as an anonymous gift; the statement import reports such
lines on their own. A reader who wants a receipt, or wants us to know a standing order is theirs, takes the checkout at
``/support/`` for a reference of their own.
"""

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from core.reading import mark_reading
from support.providers.registry import enabled_providers
from support.statements import GENERAL_REFERENCE
from support.views.localized import localized_url, page_language

WAYS = ("bank_transfer", "crypto")


def ways_url(way: str, language: str) -> str:
    """The instruction page of ``way`` in ``language``."""
    return localized_url(f"support:{way}", language)


def ways_context(language: str) -> dict:
    """What the instruction pages and the checkout page show of the ways to give without a server, in ``language``:
    the account and the addresses of the providers that are enabled, and where each has its own page."""
    providers = enabled_providers()
    bank = providers.get("bank_transfer")
    crypto = providers.get("crypto")
    return {
        "general_reference": GENERAL_REFERENCE,
        "bank": bank.account_details() if bank is not None else None,
        "bank_currencies": (bank.options.get("currencies") or []) if bank is not None else [],
        "wallets": [
            {"asset": asset, "address": address, "qr_url": reverse("support:qr", args=[slug])}
            for asset, slug, address in (crypto.wallets() if crypto is not None else [])
        ],
        "ways_urls": {way: ways_url(way, language) for way in WAYS},
    }


def _way_page(request, way, language):
    language = page_language(language)
    with translation.override(language):
        context = {"way": way, **ways_context(language)}
        response = TemplateResponse(request, f"support/ways_{way}.html", context)
        response.render()
    response["Content-Language"] = language
    return mark_reading(response)


@require_safe
def bank_transfer(request, language=None):
    return _way_page(request, "bank_transfer", language)


@require_safe
def crypto(request, language=None):
    return _way_page(request, "crypto", language)
