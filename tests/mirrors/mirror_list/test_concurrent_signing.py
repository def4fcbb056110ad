"""Two editors adding mirrors at the same moment: each list gets its own sequence, and the newest names both mirrors.

The second signing waits for the first one's row lock and reads the mirrors only then, so it cannot sign a list
that misses the first editor's mirror. The threads commit for real (each has its own connection), so this runs
outside the per-test transaction and deletes what it made; on SQLite, which has one writer at a time, the same steps
run one after the other and the same invariant is checked.
"""

import json
import threading

import pytest
from django.db import connection, transaction

from core.models import AuditEntry
from mirrors.models import Mirror, MirrorList
from tests.mirrors.mirror_list.conftest import add
from tests.waiting import EVENT_SECONDS, wait_until

ON_POSTGRESQL = connection.vendor == "postgresql"
URLS = ("https://first-editor.mirror-race.example", "https://second-editor.mirror-race.example")


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """The test's own committed rows, deleted afterwards whatever happens (the newest list is the session's again)."""
    with django_db_blocker.unblock():
        start = MirrorList.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        audit_start = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        try:
            yield start
        finally:
            Mirror.objects.filter(url__in=URLS).delete()
            MirrorList.objects.filter(sequence__gt=start).delete()
            AuditEntry.objects.filter(pk__gt=audit_start, action__startswith="mirror").delete()


def someone_waits_for_me():
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid)))")
        return cursor.fetchone()[0]


def in_thread(function, results, name):
    def run():
        try:
            results[name] = function()
        except Exception as error:  # reported by the test, not lost in the thread
            results[name] = error
        finally:
            connection.close()

    return threading.Thread(target=run, name=name)


def test_two_mirrors_added_at_once_both_reach_the_newest_list(committed):
    results = {}
    if ON_POSTGRESQL:
        second_may_start = threading.Event()

        def first():
            with transaction.atomic():
                mirror = add(URLS[0])  # signs list start + 1, and holds its row lock until the commit
                second_may_start.set()
                wait_until(someone_waits_for_me, "the second signing waiting for the first one's lock")
            return mirror

        def second():
            second_may_start.wait(EVENT_SECONDS)
            return add(URLS[1])

        threads = [in_thread(first, results, "first"), in_thread(second, results, "second")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(EVENT_SECONDS)
    else:
        results["first"], results["second"] = add(URLS[0]), add(URLS[1])

    for name, result in results.items():
        assert isinstance(result, Mirror), f"{name}: {result!r}"
    lists = list(MirrorList.objects.filter(sequence__gt=committed).order_by("sequence"))
    assert [signed.sequence for signed in lists] == [committed + 1, committed + 2]
    newest = json.loads(lists[-1].body)
    urls = {entry["url"] for entry in newest["sites"][0]["available_alternatives"]}
    assert set(URLS) <= urls
