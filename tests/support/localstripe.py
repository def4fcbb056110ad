"""A real localstripe for the payment tests: one process for the session on a free port, emptied before each test.

Use the ``localstripe`` fixture: it points the settings at the server, enables the card provider, and gives helpers to
make cards and to deliver signed events the way Stripe signs them.
"""

import hashlib
import hmac
import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.test import override_settings

from tests.support.conftest import free_port
from tests.waiting import EVENT_SECONDS

WEBHOOK_SECRET = "whsec_samizdat_tests"
CARD_OK = "4242424242424242"
CARD_DECLINED_ON_CHARGE = "4000000000000341"


def _executable():
    found = Path(sys.executable).with_name("localstripe")
    return str(found) if found.exists() else shutil.which("localstripe")


def _request(method, url, data=None):
    request = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


@pytest.fixture(scope="session")
def localstripe_server():
    port = free_port()
    process = subprocess.Popen(
        [_executable(), "--port", str(port), "--from-scratch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + EVENT_SECONDS
    while True:
        try:
            _request("DELETE", f"{base}/_config/data")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


class LocalStripe:
    def __init__(self, base):
        self.base = base

    @property
    def api(self):
        from support.providers.stripe_card import configure

        return configure()

    def card(self, number=CARD_OK):
        return self.api.PaymentMethod.create(
            type="card", card={"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        ).id

    def confirmed_setup(self, provider, contribution, number=CARD_OK):
        """What Stripe.js does on the pay page: confirm the SetupIntent with the card the supporter typed."""
        prepared = provider.prepare(contribution)
        self.api.SetupIntent.confirm(prepared["setup_intent"], payment_method=self.card(number))
        return prepared["setup_intent"]

    def events(self):
        return [event.to_dict() for event in self.api.Event.list(limit=100).auto_paging_iter()]


def signed(payload: bytes, secret=WEBHOOK_SECRET, timestamp=None):
    """The Stripe-Signature header Stripe would send with ``payload``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def deliver(client, event, secret=WEBHOOK_SECRET):
    payload = json.dumps(event).encode()
    return client.post(
        "/support/webhooks/stripe/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(payload, secret),
    )


@pytest.fixture
def localstripe(localstripe_server):
    # Not the ``settings`` fixture: a test that asks for both must have its own changes undone before these, which
    # happens only when this fixture is set up first (pytest undoes fixtures in the reverse order).
    from django.conf import settings

    _request("DELETE", f"{localstripe_server}/_config/data")
    providers = dict(settings.PAYMENT_PROVIDERS)
    providers["card"] = {}
    with override_settings(
        STRIPE_API_BASE=localstripe_server,
        STRIPE_SECRET_KEY="sk_test_samizdat",
        STRIPE_PUBLISHABLE_KEY="pk_test_samizdat",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        PAYMENT_PROVIDERS=providers,
    ):
        yield LocalStripe(localstripe_server)
