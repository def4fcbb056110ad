"""Two confirmations of the same payment at the same moment record it once.

Each thread has its own database connection and commits for real, so these tests cannot run inside the usual
per-test transaction — and ``transaction=True`` tests are not an option (they flush the demo newsroom every other
test relies on). Instead each test makes a throw-away contribution, commits it, lets the threads race, and deletes
everything it made, whatever happens. On SQLite (one writer at a time, and an in-memory test database that threads
cannot share safely) the same steps run one after another and the same invariant is checked.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import confirm_payment, start_contribution
from support.models import Contribution, Payment
from tests.waiting import EVENT_SECONDS, wait_until

THREADS = 4
ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def throwaway_payment(django_db_setup, django_db_blocker):
    """A committed contribution with one pending payment, deleted (with its audit entries) afterwards."""
    with django_db_blocker.unblock():
        contribution = start_contribution(
            actor=Actor.system("concurrency-test"),
            amount=Money(Decimal("10"), "EUR"),
            frequency="monthly",
            method="bank_transfer",
        )
        payment = contribution.payments.get()
        try:
            yield payment
        finally:
            payment_ids = [str(pk) for pk in contribution.payments.values_list("pk", flat=True)]
            AuditEntry.objects.filter(subject_type="support.payment", subject_id__in=payment_ids).delete()
            AuditEntry.objects.filter(subject_type="support.contribution", subject_id=str(contribution.pk)).delete()
            Payment.objects.filter(contribution=contribution).delete()
            contribution.delete()


def in_thread(function, results, name):
    def run():
        try:
            results[name] = function()
        except Exception as error:  # reported by the test, not lost in the thread
            results[name] = error
        finally:
            connection.close()  # this thread's own connection

    return threading.Thread(target=run, name=name)


def confirmed_once(payment):
    entries = AuditEntry.objects.filter(
        action="payment.confirmed", subject_type="support.payment", subject_id=str(payment.pk)
    )
    stored = Payment.objects.get(pk=payment.pk)
    return (
        entries.count(),
        stored.status,
        Contribution.objects.get(pk=payment.contribution_id).status,
        Payment.objects.filter(contribution_id=payment.contribution_id, status="succeeded").count(),
    )


def test_confirmations_racing_each_other_record_the_payment_once(throwaway_payment, django_db_blocker):
    actors = [Actor("staff", str(n)) for n in range(THREADS)]
    results = {}
    with django_db_blocker.unblock():
        if ON_POSTGRESQL:
            start_together = threading.Barrier(THREADS)

            def confirm_as(actor):
                def confirm():
                    start_together.wait(timeout=EVENT_SECONDS)
                    return confirm_payment(actor=actor, payment_id=throwaway_payment.pk)

                return confirm

            threads = [in_thread(confirm_as(actor), results, actor.id) for actor in actors]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=2 * EVENT_SECONDS)
            assert not any(thread.is_alive() for thread in threads)
        else:
            for actor in actors:
                results[actor.id] = confirm_payment(actor=actor, payment_id=throwaway_payment.pk)
        assert sorted(results.values(), key=str) == [False] * (THREADS - 1) + [True], results
        assert confirmed_once(throwaway_payment) == (1, "succeeded", "active", 1)


def someone_waits_for_me():
    """Whether another session waits for a lock this thread's database session holds (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid)))")
        return cursor.fetchone()[0]


def test_a_confirmation_waits_for_the_one_holding_the_row_and_then_changes_nothing(
    throwaway_payment, django_db_blocker
):
    results = {}
    with django_db_blocker.unblock():
        if ON_POSTGRESQL:
            first_confirmed = threading.Event()
            second_started = threading.Event()

            def first():
                with transaction.atomic():
                    changed = confirm_payment(actor=Actor("staff", "first"), payment_id=throwaway_payment.pk)
                    first_confirmed.set()
                    second_started.wait(timeout=EVENT_SECONDS)
                    wait_until(someone_waits_for_me, "the second confirmation waiting for the row lock")
                return changed, time.monotonic()

            def second():
                first_confirmed.wait(timeout=EVENT_SECONDS)
                second_started.set()
                changed = confirm_payment(actor=Actor("staff", "second"), payment_id=throwaway_payment.pk)
                return changed, time.monotonic()

            threads = [in_thread(first, results, "first"), in_thread(second, results, "second")]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=2 * EVENT_SECONDS)
            (first_changed, first_done), (second_changed, second_done) = results["first"], results["second"]
            assert second_done >= first_done  # it had to wait for the first to commit
        else:
            first_changed = confirm_payment(actor=Actor("staff", "first"), payment_id=throwaway_payment.pk)
            second_changed = confirm_payment(actor=Actor("staff", "second"), payment_id=throwaway_payment.pk)
        assert (first_changed, second_changed) == (True, False)
        assert confirmed_once(throwaway_payment) == (1, "succeeded", "active", 1)
        [entry] = AuditEntry.objects.filter(action="payment.confirmed", subject_id=str(throwaway_payment.pk))
        assert entry.actor_id == "first"


def test_the_racing_tests_leave_nothing_behind(db):
    """(Also what makes pytest-django create the test database when this module runs on its own.)"""
    assert not AuditEntry.objects.filter(actor_kind="system", actor_id="concurrency-test").exists()
    assert not AuditEntry.objects.filter(action="payment.confirmed", actor_id__in=["first", "second"]).exists()
