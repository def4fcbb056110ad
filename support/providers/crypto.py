"""Crypto: one address per asset the newsroom configures, shown as text and as a QR code; staff confirm with the
transaction id.

Options (``settings.PAYMENT_PROVIDERS["crypto"]``): ``addresses`` — ``{"BTC": "bc1…", "USDT (TRC-20)": "T…"}``, in the
order readers see them; ``currencies`` as for every provider.

The QR code is a PNG made here with segno (no third party, and Tor Browser "Safest" hides SVG). It encodes the bare
address and nothing else: no amount, no label — a payment URI would need a rate we do not keep, and an address is
what every wallet scans.
"""

import functools
import io

import segno
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from support.providers.base import ManualProvider

QR_SCALE = 6  # pixels per module: about 300 px for an address, sharp on a phone camera
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules
QR_ERROR = "m"


@functools.lru_cache(maxsize=32)
def qr_png(address: str) -> bytes:
    """The PNG of a QR code that encodes ``address`` exactly (dark modules black, on white)."""
    buffer = io.BytesIO()
    segno.make(address, error=QR_ERROR, micro=False, boost_error=False).save(
        buffer, kind="png", scale=QR_SCALE, border=QR_BORDER
    )
    return buffer.getvalue()


def asset_slug(asset: str) -> str:
    """The asset's name in a URL: “USDT (TRC-20)” → “usdt-trc-20”."""
    return slugify(asset)


class Crypto(ManualProvider):
    key = "crypto"
    label = _("Crypto")
    requires_transaction_reference = True  # a blockchain transaction id is the only evidence there is

    def configuration_errors(self):
        errors = super().configuration_errors()
        addresses = self.options.get("addresses")
        if not isinstance(addresses, dict) or not addresses:
            return [*errors, "crypto: give “addresses”, e.g. {“BTC”: “bc1…”}."]
        slugs = set()
        for asset, address in addresses.items():
            if not isinstance(asset, str) or not asset_slug(asset):
                errors.append(f"crypto: {asset!r} is not a usable asset name.")
                continue
            if not isinstance(address, str) or not address.strip() or len(address.split()) != 1:
                errors.append(f"crypto: the address of {asset} must be one word of text.")
            if asset_slug(asset) in slugs:
                errors.append(f"crypto: two assets are both called “{asset_slug(asset)}” in URLs.")
            slugs.add(asset_slug(asset))
        return errors

    def wallets(self) -> list[tuple[str, str, str]]:
        """``[(asset, slug, address)]`` in the configured order."""
        return [(asset, asset_slug(asset), address.strip()) for asset, address in self.options["addresses"].items()]

    def address_for(self, slug: str) -> str | None:
        return next((address for _asset, s, address in self.wallets() if s == slug), None)

    def instructions(self, contribution, language):
        return {
            "wallets": [
                {"asset": asset, "address": address, "qr_url": reverse("support:qr", args=[slug])}
                for asset, slug, address in self.wallets()
            ],
            "reference": contribution.reference,
            "amount": contribution.money.format(language),
            "currency": contribution.currency,
            "frequency": contribution.frequency,
            "recurring": contribution.is_recurring,
        }
