"""Two imports of the same statement at the same moment record its anonymous gift once.

As in ``test_ledger_concurrency.py``: each thread has its own connection and commits for real, so the test cleans up
what it made, whatever happens. On PostgreSQL the imports race (the payment's unique provider id is what stops the
second); on SQLite the same imports run one after another and the same invariant is checked.
"""

import datetime as dt
import threading
from decimal import Decimal

from django.db import connection

from core.actions import Actor
from core.models import AuditEntry
from support.actions.bank_statements import anonymous_gift_key, import_bank_statement
from support.models import Contribution, Payment
from support.statements import StatementLine

THREADS = 4
ON_POSTGRESQL = connection.vendor == "postgresql"
STAFF = Actor("staff", "concurrency-test")


def in_thread(function, results, name):
    def run():
        try:
            results[name] = function()
        except Exception as error:  # reported by the test, not lost in the thread
            results[name] = error
        finally:
            connection.close()  # this thread's own connection

    return threading.Thread(target=run, name=name)


def test_imports_racing_on_one_anonymous_line_record_it_once(django_db_setup, django_db_blocker):
    line = StatementLine(2, dt.date(2026, 3, 2), Decimal("12.34"), "EUR", (), True)
    key = anonymous_gift_key(line)
    with django_db_blocker.unblock():
        try:
            if ON_POSTGRESQL:
                barrier = threading.Barrier(THREADS)

                def run():
                    barrier.wait()
                    return import_bank_statement(actor=STAFF, rows=[line])

                results = {}
                threads = [in_thread(run, results, f"import-{index}") for index in range(THREADS)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                reports = list(results.values())
                assert not [report for report in reports if isinstance(report, Exception)], reports
            else:
                reports = [import_bank_statement(actor=STAFF, rows=[line]) for _index in range(THREADS)]
            outcomes = sorted(next(name for name, items in report.outcomes.items() if items) for report in reports)
            assert outcomes == ["already_recorded"] * (THREADS - 1) + ["general_gift"]
            assert Payment.objects.filter(provider_id=key, status="succeeded").count() == 1
            gift = Contribution.objects.get(payments__provider_id=key)
            assert gift.supporter_id is None and gift.frequency == "once" and gift.status == "completed"
            assert not Contribution.objects.filter(amount=Decimal("12.34"), status="pending").exists()
        finally:
            made = list(Contribution.objects.filter(amount=Decimal("12.34"), currency="EUR", method="bank_transfer"))
            for contribution in made:
                payment_ids = [str(pk) for pk in contribution.payments.values_list("pk", flat=True)]
                AuditEntry.objects.filter(subject_type="support.payment", subject_id__in=payment_ids).delete()
                AuditEntry.objects.filter(subject_type="support.contribution", subject_id=str(contribution.pk)).delete()
                for payment in contribution.payments.all():
                    payment.delete()
                contribution.delete()
            AuditEntry.objects.filter(actor_id="concurrency-test").delete()
