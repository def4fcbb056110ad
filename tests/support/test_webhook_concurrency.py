"""The same Stripe event delivered many times at once, over real HTTP to a server with a thread and a database
connection per request, confirms its payment once.

The site runs in Django's live server (one thread and one PostgreSQL connection per request) and talks to localstripe
through the relay of ``test_webhook_locks``. The relay holds every re-fetch of the PaymentIntent at a barrier until
all the deliveries are re-fetching: none of them can have claimed the event before the others recorded it, so every
run is the widest race there is — all of them past "record the event", all of them about to claim it — without a
sleep. Then a second wave of the same deliveries must find everything done and change nothing.

On PostgreSQL the deliveries race. On SQLite the test database lives in memory on one connection, which the live
server's threads share one at a time, so the same deliveries go one after another: the first confirms, every other
finds the event handled and asks Stripe nothing (the same end state, without the race). The payment must be committed
for the server's connections to see it, so, like the lock tests, these run outside the per-test transaction and delete
what they made.
"""

import http.client
import json
import secrets
import threading

import pytest
from django.db import connection, connections

from core.models import AuditEntry
from support.models import Contribution, Payment, ProviderEvent
from tests.support import test_webhook_locks as locks
from tests.support.localstripe import signed

localstripe_server, localstripe, relay, charged = (
    locks.localstripe_server,
    locks.localstripe,
    locks.relay,
    locks.charged,
)

ON_POSTGRESQL = connection.vendor == "postgresql"
DELIVERIES = 8
WAIT = locks.WAIT
WEBHOOK_PATH = "/support/webhooks/stripe/"


@pytest.fixture(scope="module")
def _server_thread(django_db_setup, django_db_blocker):
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    # The in-memory SQLite database exists on one connection only: the server's threads share it (one at a time).
    overrides = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
    for conn in overrides.values():
        conn.inc_thread_sharing()
    with django_db_blocker.unblock():
        thread = LiveServerThread("127.0.0.1", StaticFilesHandler, connections_override=overrides or None, port=0)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
    yield thread.port
    with django_db_blocker.unblock():
        thread.terminate()
    for conn in overrides.values():
        conn.dec_thread_sharing()


@pytest.fixture
def server_port(_server_thread, django_db_blocker):
    """The live server's port; the database is open to every thread while the test runs."""
    with django_db_blocker.unblock():
        yield _server_thread


@pytest.fixture
def second_event(charged):
    """Another event for the same PaymentIntent (its own id: a second endpoint, or Stripe sending a new event for the
    same change), removed afterwards."""
    _payment, event = charged
    other = dict(event, id=f"evt_second_{secrets.token_hex(8)}")
    yield other
    ProviderEvent.objects.filter(provider="stripe", event_id=other["id"]).delete()


def post(port, event):
    payload = json.dumps(event).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2 * WAIT)
    try:
        headers = {"Content-Type": "application/json", "Stripe-Signature": signed(payload)}
        conn.request("POST", WEBHOOK_PATH, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def all_at_once(port, events):
    """POST every event from its own thread, all released together (on SQLite: one after another, in order); the
    answers, in no particular order."""
    if not ON_POSTGRESQL:
        return sorted(post(port, event) for event in events)
    start_together = threading.Barrier(len(events), timeout=WAIT)
    answers, lock = [], threading.Lock()

    def send(event):
        start_together.wait()
        try:
            answer = post(port, event)
        except (OSError, http.client.HTTPException) as error:
            answer = (0, repr(error))
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * WAIT)
    assert not any(thread.is_alive() for thread in threads)
    return sorted(answers)


def hold_fetches_until_all_fetch(relay, count):
    """Make every re-fetch of the PaymentIntent wait at the relay until ``count`` of them are waiting (PostgreSQL:
    on SQLite the deliveries come one after another, and a handled event is not fetched)."""
    if not ON_POSTGRESQL:
        return
    everyone_fetching = threading.Barrier(count, timeout=WAIT)
    relay.before_fetch = lambda path: everyone_fetching.wait()


def ledger_of(payment):
    stored = Payment.objects.get(pk=payment.pk)
    contribution = Contribution.objects.get(pk=payment.contribution_id)
    return {
        "payment": stored.status,
        "paid with": stored.provider_id,
        "succeeded at": stored.succeeded_at,
        "contribution": contribution.status,
        "contribution changed at": contribution.updated_at,
        "succeeded payments": Payment.objects.filter(
            contribution_id=payment.contribution_id, status="succeeded"
        ).count(),
        "payment.confirmed entries": AuditEntry.objects.filter(
            action="payment.confirmed", subject_type="support.payment", subject_id=str(payment.pk)
        ).count(),
        "audit entries": AuditEntry.objects.filter(subject_id__in=[str(payment.pk), str(payment.contribution_id)])
        .filter(subject_type__in=["support.payment", "support.contribution"])
        .count(),
    }


def events_recorded(*event_ids):
    rows = ProviderEvent.objects.filter(provider="stripe", event_id__in=event_ids)
    return sorted((row.event_id, row.handled_at is not None, row.error) for row in rows)


def test_eight_deliveries_of_one_event_at_once_confirm_the_payment_once(server_port, charged, relay):
    payment, event = charged
    intent_id = event["data"]["object"]["id"]
    hold_fetches_until_all_fetch(relay, DELIVERIES)

    answers = all_at_once(server_port, [event] * DELIVERIES)

    assert answers == sorted([(200, f"confirmed payment #{payment.pk} ({intent_id})")] + [(200, "duplicate")] * 7)
    # every one of them was past "record the event" before any claimed it (one after another: only the first fetched)
    fetched = DELIVERIES if ON_POSTGRESQL else 1
    assert len(relay.fetches) == fetched
    assert events_recorded(event["id"]) == [(event["id"], True, "")]
    after = ledger_of(payment)
    assert (after["payment"], after["paid with"], after["contribution"]) == ("succeeded", intent_id, "completed")
    assert (after["succeeded payments"], after["payment.confirmed entries"]) == (1, 1)

    relay.before_fetch = None
    again = all_at_once(server_port, [event] * DELIVERIES)

    assert again == [(200, "duplicate")] * DELIVERIES
    assert len(relay.fetches) == fetched  # a handled event is not fetched again
    assert events_recorded(event["id"]) == [(event["id"], True, "")]
    assert ledger_of(payment) == after


def test_two_events_for_one_payment_racing_each_other_confirm_it_once(server_port, charged, second_event, relay):
    payment, event = charged
    intent_id = event["data"]["object"]["id"]
    half = DELIVERIES // 2
    hold_fetches_until_all_fetch(relay, DELIVERIES)

    answers = all_at_once(server_port, [event] * half + [second_event] * half)

    # Each event is claimed once; of the two claims, one confirms and the other finds the payment paid.
    assert answers == sorted(
        [(200, f"confirmed payment #{payment.pk} ({intent_id})"), (200, "nothing to change")]
        + [(200, "duplicate")] * (DELIVERIES - 2)
    )
    fetched = DELIVERIES if ON_POSTGRESQL else 2  # one after another: the first delivery of each event
    assert len(relay.fetches) == fetched
    assert events_recorded(event["id"], second_event["id"]) == sorted(
        [(event["id"], True, ""), (second_event["id"], True, "")]
    )
    after = ledger_of(payment)
    assert (after["payment"], after["paid with"], after["contribution"]) == ("succeeded", intent_id, "completed")
    assert (after["succeeded payments"], after["payment.confirmed entries"]) == (1, 1)

    relay.before_fetch = None
    again = all_at_once(server_port, [second_event, event] * half)

    assert again == [(200, "duplicate")] * DELIVERIES
    assert len(relay.fetches) == fetched
    assert ledger_of(payment) == after


def test_the_concurrent_delivery_tests_leave_nothing_behind(db):
    """(Also what makes pytest-django create the test database when this module runs on its own.)"""
    assert not ProviderEvent.objects.filter(event_id__startswith="evt_second_").exists()
    assert not AuditEntry.objects.filter(actor_kind="system", actor_id="webhook-lock-test").exists()
