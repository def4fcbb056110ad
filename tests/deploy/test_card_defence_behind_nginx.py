"""The card-testing defence behind nginx, as deployed: card payments through Stripe (a real localstripe over HTTP),
readers coming through nginx from addresses of their own. One reader's declines block that reader's address; another
reader behind the same nginx still pays; what a reader writes into X-Forwarded-For changes nothing."""

import json
import re
import urllib.parse
import urllib.request

import pytest

from support.card_defence import CARD_FAILURE_LIMIT
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE, CARD_OK, WEBHOOK_SECRET, localstripe_server

__all__ = ["localstripe_server"]  # the session's localstripe, a fixture of tests/support/localstripe.py

TESTER, READER = "127.0.0.2", "127.0.0.3"
SECRET_KEY, PUBLISHABLE_KEY = "sk_test_samizdat_stack", "pk_test_samizdat_stack"


@pytest.fixture(scope="module")
def stack_env(localstripe_server):
    return {
        "STRIPE_API_BASE": localstripe_server,
        "STRIPE_JS_URL": f"{localstripe_server}/js.stripe.com/v3/",
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PAYMENT_PROVIDERS": json.dumps({"card": {}}),
    }


def stripe(base, path, fields):
    """A call to localstripe's API with the secret key, as Stripe.js's work is done for the card the reader typed."""
    request = urllib.request.Request(
        f"{base}/v1/{path}",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def start_card_contribution(stack, source, forwarded_for=None):
    """The checkout form through nginx: its one-time token, then a one-time gift by card; the pay page's address."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = stack.get("/support/?frequency=once&amount=10&currency=EUR", source=source, headers=headers)
    assert form.status == 200
    token = re.search(r'name="token" value="([^"]+)"', form.text).group(1)
    fields = {"token": token, "frequency": "once", "amount": "10", "currency": "EUR", "method": "card"}
    started = stack.post("/support/", fields, source=source, headers=headers)
    assert started.status in (302, 303), started.text[:800]
    return urllib.parse.urlsplit(started.header("Location")).path


def pay_by_card(stack, base, source, number, forwarded_for=None):
    """What the card step does: a SetupIntent from our server, confirmed at Stripe, then our server charges."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    pay = start_card_contribution(stack, source, forwarded_for)
    prepared = stack.post(f"{pay}card/prepare/", {}, source=source, headers=headers)
    if prepared.status != 200:
        return prepared.status, json.loads(prepared.body)
    setup_intent = json.loads(prepared.body)["client_secret"].split("_secret_")[0]
    card = stripe(
        base,
        "payment_methods",
        {"type": "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123"},
    )
    stripe(base, f"setup_intents/{setup_intent}/confirm", {"payment_method": card["id"]})
    charged = stack.post(f"{pay}card/charge/", {"setup_intent": setup_intent}, source=source, headers=headers)
    return charged.status, json.loads(charged.body)


def test_a_card_tester_is_blocked_by_address_and_another_reader_still_pays(stack, localstripe_server):
    urllib.request.urlopen(urllib.request.Request(f"{localstripe_server}/_config/data", method="DELETE"), timeout=10)
    for n in range(CARD_FAILURE_LIMIT):
        # a new contribution each time, and a new address claimed each time: only the address nginx saw can count
        status, answer = pay_by_card(
            stack, localstripe_server, TESTER, CARD_DECLINED_ON_CHARGE, forwarded_for=f"198.51.100.{n + 1}"
        )
        assert (status, answer["status"]) == (200, "declined"), answer

    status, answer = pay_by_card(stack, localstripe_server, TESTER, CARD_OK, forwarded_for="198.51.100.99")
    assert status == 429 and answer["status"] == "blocked", answer

    status, answer = pay_by_card(stack, localstripe_server, READER, CARD_OK)
    assert (status, answer) == (200, {"status": "succeeded"})
    # and naming the blocked address changes nothing for the other reader either
    status, answer = pay_by_card(stack, localstripe_server, READER, CARD_OK, forwarded_for=TESTER)
    assert (status, answer) == (200, {"status": "succeeded"})
