"""While a Stripe webhook re-fetches its object from Stripe, it holds no database lock and no open transaction; the
event is then claimed and applied once, however many deliveries race for it.

The site talks to localstripe through a small HTTP relay of these tests (real sockets, real localstripe behind it).
When the site asks for a PaymentIntent, the relay looks at the database before passing the request on. On
PostgreSQL it opens a second connection and tries to lock, without waiting, the rows the webhook is about to change
(the event, the payment, its contribution), and asks the server whether the webhook's own connection has a
transaction open. On SQLite (one writer at a time, an in-memory database threads cannot share safely) it asks the
webhook's connection itself whether a transaction is open, and racing deliveries are sent one after the other.

The payment has to be committed for a second connection to see it, so these tests run outside the usual per-test
transaction: each makes a throw-away contribution and deletes everything it made, whatever happens.
"""

import http.client
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.test import Client, override_settings

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import start_contribution
from support.models import Contribution, Payment, ProviderEvent
from tests.support import localstripe as fixtures
from tests.support.localstripe import signed
from tests.waiting import EVENT_SECONDS

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

ON_POSTGRESQL = connection.vendor == "postgresql"
WAIT = EVENT_SECONDS  # seconds any one step may take before the test gives up on it


class Relay:
    """An HTTP relay to localstripe that runs ``before_fetch(path)`` when a PaymentIntent is asked for, before passing
    the request on, and can answer the next fetches itself with an error status instead."""

    def __init__(self, target):
        self.target = urlsplit(target)
        self.before_fetch = None
        self.fetches = []
        self.fail_next = 0
        self.lock = threading.Lock()
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def do_GET(self):
                relay.handle(self)

            do_POST = do_DELETE = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def handle(self, request):
        if request.command == "GET" and request.path.startswith("/v1/payment_intents/"):
            with self.lock:
                self.fetches.append(request.path)
                failing, self.fail_next = self.fail_next > 0, max(self.fail_next - 1, 0)
            if failing:
                return self.answer(request, 503, b'{"error": {"message": "relay: unavailable", "type": "api_error"}}')
            if self.before_fetch is not None:
                self.before_fetch(request.path)
        self.forward(request)

    def forward(self, request):
        """Pass the request on to localstripe and its answer back."""
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection(self.target.hostname, self.target.port, timeout=WAIT)
        headers = {name: value for name, value in request.headers.items() if name.lower() not in ("host", "connection")}
        upstream.request(request.command, request.path, body=body or None, headers=headers)
        response = upstream.getresponse()
        self.answer(request, response.status, response.read(), response.getheader("Content-Type"))
        upstream.close()

    @staticmethod
    def answer(request, status, body, content_type="application/json"):
        request.send_response(status)
        request.send_header("Content-Type", content_type or "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def relay(localstripe):
    relay = Relay(localstripe.base)
    with override_settings(STRIPE_API_BASE=relay.base):
        yield relay
    relay.close()


@pytest.fixture
def charged(django_db_setup, django_db_blocker, localstripe):
    """A committed one-time card contribution, charged at localstripe behind the ledger's back (only the webhook
    tells it), and localstripe's ``payment_intent.succeeded`` event for it. Deleted afterwards, whatever happens."""
    with django_db_blocker.unblock():
        contribution = start_contribution(
            actor=Actor.system("webhook-lock-test"), amount=Money(Decimal("10"), "EUR"), frequency="once", method="card"
        )
        payment = contribution.payments.get()
        try:
            intent = localstripe.api.PaymentIntent.create(
                amount=1000,
                currency="eur",
                payment_method=localstripe.card(),
                confirm=True,
                metadata={"samizdat_payment": str(payment.pk)},
            )
            event = next(
                e
                for e in localstripe.events()
                if e["type"] == "payment_intent.succeeded" and e["data"]["object"]["id"] == intent.id
            )
            yield payment, event
        finally:
            ProviderEvent.objects.filter(
                provider="stripe", event_id__in=[e["id"] for e in localstripe.events()]
            ).delete()
            AuditEntry.objects.filter(subject_type="support.payment", subject_id=str(payment.pk)).delete()
            AuditEntry.objects.filter(subject_type="support.contribution", subject_id=str(contribution.pk)).delete()
            Payment.objects.filter(contribution=contribution).delete()
            contribution.delete()


def deliver(event, client=None):
    payload = json.dumps(event).encode()
    return (client or Client()).post(
        "/support/webhooks/stripe/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signed(payload)
    )


def locks_held_elsewhere(payment, event_id, webhook_connection):
    """What the webhook holds while Stripe is being asked, seen from outside it: a list of what is locked or open."""
    held = []
    if ON_POSTGRESQL:
        backend = webhook_connection.connection.info.backend_pid
        try:
            with transaction.atomic():  # this thread's own connection: a second session on the test database
                with connection.cursor() as cursor:
                    cursor.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [backend])
                    [(state,)] = cursor.fetchall()
                    if state != "idle":
                        held.append(f"the webhook's session is {state}")
                rows = {
                    "event": ProviderEvent.objects.filter(provider="stripe", event_id=event_id),
                    "payment": Payment.objects.filter(pk=payment.pk),
                    "contribution": Contribution.objects.filter(pk=payment.contribution_id),
                }
                for name, rows_of in rows.items():
                    try:
                        list(rows_of.select_for_update(nowait=True))
                    except DatabaseError as error:
                        held.append(f"the {name} row is locked ({error.__class__.__name__})")
                        raise
        except DatabaseError:
            pass  # already written down; the transaction is spoilt, so the rest is not tried
        finally:
            connection.close()
    if webhook_connection.in_atomic_block:
        held.append("the webhook is inside transaction.atomic")
    return held


def test_no_lock_and_no_transaction_is_held_while_stripe_is_asked(charged, relay, django_db_blocker):
    payment, event = charged
    seen = []
    with django_db_blocker.unblock():
        webhook_connection = connections["default"]  # the test client runs the webhook in this thread
        relay.before_fetch = lambda path: seen.append(locks_held_elsewhere(payment, event["id"], webhook_connection))

        response = deliver(event)

        assert (response.status_code, response.content.decode()) == (
            200,
            f"confirmed payment #{payment.pk} ({event['data']['object']['id']})",
        )
        assert seen == [[]]  # asked once, and nothing was held while it was asked
        assert ProviderEvent.objects.get(event_id=event["id"]).handled_at is not None
        assert Payment.objects.get(pk=payment.pk).status == "succeeded"


def test_a_replay_of_a_handled_event_does_not_ask_stripe(charged, relay, django_db_blocker):
    _payment, event = charged
    with django_db_blocker.unblock():
        first, replay = deliver(event), deliver(event)
        assert first.content.decode().startswith("confirmed payment")
        assert (replay.status_code, replay.content) == (200, b"duplicate")
        assert len(relay.fetches) == 1


def test_deliveries_racing_for_one_event_apply_it_once(charged, relay, django_db_blocker):
    payment, event = charged
    answers = {}
    with django_db_blocker.unblock():
        if ON_POSTGRESQL:
            both_fetching = threading.Barrier(2, timeout=WAIT)
            relay.before_fetch = lambda path: both_fetching.wait()  # each waits until the other is asking Stripe too

            def run(name):
                try:
                    response = deliver(event)
                    answers[name] = (response.status_code, response.content.decode())
                finally:
                    connection.close()

            threads = [threading.Thread(target=run, args=(name,)) for name in ("one", "two")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=2 * WAIT)
            assert not any(thread.is_alive() for thread in threads)
        else:
            for name in ("one", "two"):
                response = deliver(event)
                answers[name] = (response.status_code, response.content.decode())
        assert sorted(answers.values()) == [
            (200, f"confirmed payment #{payment.pk} ({event['data']['object']['id']})"),
            (200, "duplicate"),
        ]
        assert len(relay.fetches) == (2 if ON_POSTGRESQL else 1)
        assert ProviderEvent.objects.filter(event_id=event["id"]).count() == 1
        assert AuditEntry.objects.filter(action="payment.confirmed", subject_id=str(payment.pk)).count() == 1
        assert Payment.objects.filter(contribution_id=payment.contribution_id, status="succeeded").count() == 1


def test_stripe_unavailable_asks_for_a_retry_which_then_applies_the_event(charged, relay, django_db_blocker):
    payment, event = charged
    with django_db_blocker.unblock():
        relay.fail_next = 1

        refused = deliver(event)

        assert (refused.status_code, refused.content) == (500, b"try again")
        row = ProviderEvent.objects.get(event_id=event["id"])
        assert row.handled_at is None and row.error.startswith("retry:")
        assert Payment.objects.get(pk=payment.pk).status == "pending"

        retried = deliver(event)

        assert retried.content.decode().startswith("confirmed payment")
        row.refresh_from_db()
        assert row.handled_at is not None and row.error == ""
        assert Payment.objects.get(pk=payment.pk).status == "succeeded"


def test_the_lock_tests_leave_nothing_behind(db):
    """(Also what makes pytest-django create the test database when this module runs on its own.)"""
    assert not AuditEntry.objects.filter(actor_kind="system", actor_id="webhook-lock-test").exists()
