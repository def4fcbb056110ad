"""Providers behind one interface: configured from PAYMENT_PROVIDERS, instructions without personal data, preparing
never moves money, and staff confirmation goes through the named action."""

import io
from decimal import Decimal

import pytest
import segno
from django.conf import settings
from django.test import Client, override_settings
from PIL import Image

from core.actions import Actor
from core.errors import DomainError
from core.money import Money
from support.actions.contributions import start_contribution
from support.models import Payment
from support.providers.bank_transfer import BankTransfer, group_iban
from support.providers.base import ManualProvider, PaymentProvider, ProviderStep
from support.providers.crypto import QR_BORDER, QR_SCALE, Crypto, qr_png
from support.providers.registry import check_payment_providers, configured_providers, enabled_providers, get_provider

pytestmark = pytest.mark.django_db

DEMO = settings.PAYMENT_PROVIDERS
STAFF = Actor.system("test-staff")


class PigeonPost(ManualProvider):
    """A provider that is not built in, plugged in by its class path."""

    key = "pigeon"
    label = "Pigeon post"


def contribution(method, frequency="once", amount="10", currency="EUR", email="", language="en"):
    return start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal(amount), currency),
        frequency=frequency,
        method=method,
        email=email,
        language=language,
    )


# --- The registry ---------------------------------------------------------------------------------------------------


def test_outside_production_the_demo_providers_are_on_and_clearly_fake():
    providers = enabled_providers()
    assert list(providers) == ["bank_transfer", "crypto"]  # card needs its STRIPE_* settings
    assert isinstance(providers["bank_transfer"], BankTransfer) and isinstance(providers["crypto"], Crypto)
    assert "DEMO" in DEMO["bank_transfer"]["account_holder"] and DEMO["bank_transfer"]["iban"].startswith("XX00")
    assert all("DEMO" in address for address in DEMO["crypto"]["addresses"].values())
    assert check_payment_providers() == []


def test_production_enables_nothing_unless_configured(monkeypatch):
    import importlib

    import samizdat.settings as project_settings

    monkeypatch.setenv("SAMIZDAT_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.delenv("PAYMENT_PROVIDERS", raising=False)
    try:
        assert importlib.reload(project_settings).PAYMENT_PROVIDERS == {}
        monkeypatch.setenv("PAYMENT_PROVIDERS", '{"crypto": {"addresses": {"XMR": "4abc"}}}')
        assert importlib.reload(project_settings).PAYMENT_PROVIDERS == {"crypto": {"addresses": {"XMR": "4abc"}}}
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


@override_settings(
    PAYMENT_PROVIDERS={
        "card": {"publishable_key": "pk_test"},
        "bank_transfer": {"iban": "XX00 1234"},
        "crypto": {"addresses": {}},
        "pigeon": {"class": "tests.support.test_providers.PigeonPost", "loft": "north"},
        "mislabelled": {"class": "tests.support.test_providers.PigeonPost"},
        "broken": {"class": "nowhere.Provider"},
    },
    SUPPORT_CURRENCIES=["EUR", "XYZ"],
)
def test_a_bad_configuration_is_left_off_and_reported_by_check():
    configured = configured_providers()
    assert list(configured) == ["bank_transfer", "crypto", "pigeon"]
    assert configured["pigeon"].options == {"loft": "north"}
    assert list(enabled_providers()) == ["pigeon"]  # incomplete bank and crypto details: not offered
    assert get_provider("bank_transfer") is not None  # staff can still confirm what arrived while it was on
    messages = [error.msg for error in check_payment_providers()]
    assert any("no provider called 'card'" in m for m in messages)
    assert any("account_holder" in m for m in messages)
    assert any("crypto: give “addresses”" in m for m in messages)
    assert any("'mislabelled'" in m and "not a PaymentProvider with key" in m for m in messages)
    assert any("cannot import nowhere.Provider" in m for m in messages)
    assert any("unknown currency 'XYZ'" in m for m in messages)
    assert {error.id for error in check_payment_providers()} == {"support.E101", "support.E102"}


def test_the_interfaces_defaults_prepare_nothing_and_confirm_nothing_by_hand():
    provider = PaymentProvider()
    assert provider.instructions(None, "en") == {}
    assert provider.requires_email("monthly") is False and provider.accepts_currency("EUR")
    gift = contribution("bank_transfer")
    with pytest.raises(DomainError):
        provider.confirm_manually(actor=STAFF, payment=gift.payments.get())


# --- Bank transfer ----------------------------------------------------------------------------------------------------


def test_bank_transfer_instructions_name_the_account_the_amount_and_the_reference():
    provider = get_provider("bank_transfer")
    once = provider.instructions(contribution("bank_transfer", amount="25"), "en")
    assert once["iban"] == "XX00 0000 0000 0000 0000 00"
    assert once["amount"] == "€25" and once["standing_order"] is False
    assert once["reference"].startswith("SZ-")
    monthly = contribution("bank_transfer", "monthly", "7.5", email="someone@example.org", language="ru")
    shown = provider.instructions(monthly, "ru")
    assert shown["standing_order"] is True and shown["amount"] == "7,50\u00a0€"
    assert shown["reference"] == monthly.reference
    assert "someone" not in repr(shown)
    assert group_iban("gb29nwbk60161331926819") == "GB29 NWBK 6016 1331 9268 19"


def test_starting_prepares_the_pay_page_and_moves_no_money():
    for method in ("bank_transfer", "crypto"):
        gift = contribution(method, "monthly")
        step = get_provider(method).start(gift, request=None)
        assert step == ProviderStep(url=f"/support/pay/{gift.public_id}/", needs_javascript=False)
        payment = gift.payments.get()
        assert payment.status == Payment.Status.PENDING and payment.succeeded_at is None
        gift.refresh_from_db()
        assert gift.status == "pending"


def test_staff_confirm_a_bank_transfer_once():
    provider = get_provider("bank_transfer")
    gift = contribution("bank_transfer", "monthly")
    payment = gift.payments.get()
    assert provider.confirm_manually(actor=STAFF, payment=payment, transaction_reference="statement line 12") is True
    assert provider.confirm_manually(actor=STAFF, payment=payment) is False  # already confirmed: nothing changes
    payment.refresh_from_db()
    gift.refresh_from_db()
    assert (payment.status, payment.transaction_reference, gift.status) == ("succeeded", "statement line 12", "active")


def test_staff_confirm_crypto_with_its_transaction_and_never_another_providers_payment():
    crypto, bank = get_provider("crypto"), get_provider("bank_transfer")
    gift = contribution("crypto")
    payment = gift.payments.get()
    with pytest.raises(DomainError):
        crypto.confirm_manually(actor=STAFF, payment=payment, transaction_reference="  ")
    with pytest.raises(DomainError):
        bank.confirm_manually(actor=STAFF, payment=payment, transaction_reference="abc")
    assert Payment.objects.get(pk=payment.pk).status == "pending"
    assert crypto.confirm_manually(actor=STAFF, payment=payment, transaction_reference="f4184fc5") is True
    gift.refresh_from_db()
    assert gift.status == "completed"
    assert crypto.requires_transaction_reference and not bank.requires_transaction_reference


# --- Crypto -----------------------------------------------------------------------------------------------------------


def test_crypto_instructions_list_each_address_with_its_qr_code():
    shown = get_provider("crypto").instructions(contribution("crypto", amount="30", currency="USD"), "en")
    assert shown["wallets"] == [
        {"asset": "BTC", "address": "bc1q-DEMO-not-a-real-address", "qr_url": "/support/qr/btc.png"},
        {"asset": "USDT (TRC-20)", "address": "T-DEMO-not-a-real-address", "qr_url": "/support/qr/usdt-trc-20.png"},
        {"asset": "XMR", "address": "4-DEMO-not-a-real-address", "qr_url": "/support/qr/xmr.png"},
    ]
    assert shown["amount"] == "$30" and shown["recurring"] is False


def modules(png):
    """The dark/light modules of a QR code PNG, read back with Pillow (one sample in the middle of each module)."""
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    grey = image.convert("L")
    size = grey.width // QR_SCALE - 2 * QR_BORDER
    assert grey.width == grey.height == (size + 2 * QR_BORDER) * QR_SCALE
    middle = QR_SCALE // 2
    return [
        [
            grey.getpixel(((x + QR_BORDER) * QR_SCALE + middle, (y + QR_BORDER) * QR_SCALE + middle)) < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


def test_the_qr_code_is_a_cacheable_png_of_the_bare_address():
    address = DEMO["crypto"]["addresses"]["USDT (TRC-20)"]
    response = Client().get("/support/qr/usdt-trc-20.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert (
        "public" in response["Cache-Control"] and f"max-age={settings.SUPPORT_QR_MAX_AGE}" in response["Cache-Control"]
    )
    assert not response.cookies
    png = response.content
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 100
    assert png == qr_png(address)
    # What the picture encodes: the same modules as a QR code of the address alone (no URI, no amount).
    expected = [[bool(m) for m in row] for row in segno.make(address, error="m", micro=False, boost_error=False).matrix]
    assert modules(png) == expected
    uri = segno.make(f"tron:{address}?amount=10", error="m", micro=False, boost_error=False).matrix
    assert modules(png) != [[bool(m) for m in row] for row in uri]


def test_unknown_or_switched_off_qr_codes_are_not_found():
    assert Client().get("/support/qr/doge.png").status_code == 404
    assert Client().get("/support/qr/btc.svg").status_code == 404
    with override_settings(PAYMENT_PROVIDERS={"bank_transfer": DEMO["bank_transfer"]}):
        assert Client().get("/support/qr/btc.png").status_code == 404


@override_settings(PAYMENT_PROVIDERS={"crypto": {"addresses": {"BTC": "bc1 two words", "Btc": "x", "!!!": "y"}}})
def test_crypto_addresses_are_checked():
    messages = [error.msg for error in check_payment_providers()]
    assert any("one word" in m for m in messages)
    assert any("both called “btc”" in m for m in messages)
    assert any("'!!!' is not a usable asset name" in m for m in messages)
    assert enabled_providers() == {}
