"""Blocks of single sources by the card-testing defence, through the app against a real localstripe: a client behind
the trusted proxy is blocked after its declines while another client still pays; staff “Resume card payments now”
lifts every block (client address, contribution, email address), says how many, and both the blocks and the lift are
audit entries that hold no address and no digest of one. The same on the shared Redis cache, where several app
processes add blocks at the same moment and every one of them can still be lifted."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.cache import caches
from django.test import override_settings

from core.models import AuditEntry
from support.cards import defence
from support.cards import state as cards
from support.reminders import email_digest, ip_digest
from tests.services import empty_redis, redis_caches
from tests.support import localstripe as fixtures
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE, CARD_OK
from tests.support.test_card_breaker import Readers

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/12"
PROXY = "127.0.0.1"  # nginx on the same machine, as the shipped configuration has it
TESTER = "198.51.100.23"
READER = "198.51.100.24"


@pytest.fixture
def redis_client():
    client = empty_redis(REDIS_URL)
    yield client
    client.flushdb()


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request):
    """The app's cache: each process's own memory, or one Redis that every app process shares."""
    if request.param == "locmem":
        yield None
        return
    client = request.getfixturevalue("redis_client")
    with override_settings(CACHES=redis_caches(REDIS_URL)):  # Django swaps its cache connections on this setting change
        assert "Redis" in type(caches["default"]).__name__
        yield client


@pytest.fixture
def behind_proxy():
    with override_settings(TRUSTED_PROXIES=[PROXY]):
        yield


@pytest.fixture
def readers(localstripe, django_capture_on_commit_callbacks, shared_cache, behind_proxy):
    return Readers(localstripe, django_capture_on_commit_callbacks)


def through_proxy(readers, number, client_address, **kwargs):
    """A card attempt from ``client_address`` as nginx forwards it: the peer is the proxy, the client in the header."""
    return readers.attempt(number, address=PROXY, forwarded_for=client_address, **kwargs)


def card_page(revenue):
    page = revenue.get("/admin/support/card/")
    assert page.status_code == 200
    return BeautifulSoup(page.content, "html.parser")


def resume(revenue):
    """Press “Resume card payments now”; the message the admin shows next."""
    answer = revenue.post("/admin/support/card/resume/", follow=True)
    assert answer.status_code == 200
    texts = (
        " ".join(item.get_text().split())
        for item in BeautifulSoup(answer.content, "html.parser").select(".messages li")
    )
    return " ".join(text for text in texts if text)


def audit_text():
    return json.dumps([[e.action, e.actor_kind, e.actor_id, e.subject_id, e.data] for e in AuditEntry.objects.all()])


def test_one_client_behind_the_proxy_is_blocked_another_pays_and_staff_lift_the_block(readers, revenue, mailbox):
    for _n in range(cards.CARD_FAILURE_LIMIT):  # a new contribution each time: only the address adds up
        _contribution, response = through_proxy(readers, CARD_DECLINED_ON_CHARGE, TESTER)
        assert response.json()["status"] == "declined"

    _contribution, blocked = through_proxy(readers, CARD_OK, TESTER)
    assert blocked.status_code == 429 and blocked.json()["status"] == "blocked"
    # Sending a header of its own changes nothing: the proxy appends the address it saw, and that one counts.
    _contribution, spoofed = through_proxy(readers, CARD_OK, f"203.0.113.77, {TESTER}")
    assert spoofed.status_code == 429
    contribution, paid = through_proxy(readers, CARD_OK, READER)
    assert paid.json() == {"status": "succeeded"}
    contribution.refresh_from_db()
    assert contribution.status == "completed"
    assert not cards.card_paused()

    block = AuditEntry.objects.get(action="card.blocked")
    assert (block.actor_kind, block.actor_id, block.subject_type) == ("system", "card_defence", "")
    assert block.data == {
        "kind": "client_address",
        "failures": cards.CARD_FAILURE_LIMIT,
        "window_seconds": cards.CARD_FAILURE_WINDOW,
        "block_seconds": cards.CARD_BLOCK_SECONDS,
    }
    assert cards.blocks_in_force() == {"client_address": 1, "contribution": 0, "email": 0}

    page = card_page(revenue)
    assert page.select_one("[data-card-state=running]") is not None
    assert page.select_one("[data-card-blocks]")["data-card-blocks"] == "1"
    assert "1 client address" in page.select_one("[data-card-blocks]").get_text()
    assert page.select_one("form[data-resume-form]") is not None

    assert resume(revenue) == "Card payments were not paused. Lifted 1 card block (1 client address)."
    lift = AuditEntry.objects.get(action="card.resumed")
    assert (lift.actor_kind, lift.actor_id) == ("staff", str(revenue.session["_auth_user_id"]))
    assert lift.data == {
        "was_paused": False,
        "blocks_lifted": 1,
        "blocks_by_kind": {"client_address": 1, "contribution": 0, "email": 0},
    }
    assert "Lifted 1 card block" in card_page(revenue).select_one("[data-card-history]").get_text()

    # The tester's declines were forgotten with the block: it may pay, and its next decline starts a fresh count.
    contribution, paid = through_proxy(readers, CARD_OK, TESTER)
    assert paid.json() == {"status": "succeeded"}
    _contribution, declined = through_proxy(readers, CARD_DECLINED_ON_CHARGE, TESTER)
    assert declined.json()["status"] == "declined"
    assert cards.blocks_in_force() == {"client_address": 0, "contribution": 0, "email": 0}
    page = card_page(revenue)
    assert page.select_one("[data-card-blocks]") is None and page.select_one("form[data-resume-form]") is None

    # Lifting again changes nothing and writes nothing.
    assert "nothing changed" in resume(revenue)
    assert AuditEntry.objects.filter(action="card.resumed").count() == 1
    # Nothing in the audit log leads back to a reader: no address, no digest of one.
    text = audit_text()
    for secret in (TESTER, READER, PROXY, ip_digest(TESTER), ip_digest(READER)):
        assert secret not in text


def test_resume_lifts_the_blocks_of_a_contribution_and_an_email_address_too(readers, revenue, mailbox):
    tester = "tester@example.net"
    contribution = readers.started(email=tester)
    for _n in range(cards.CARD_FAILURE_LIMIT):  # one contribution, one address, one email: all three add up
        _contribution, response = through_proxy(readers, CARD_DECLINED_ON_CHARGE, TESTER, contribution=contribution)
        assert response.json()["status"] == "declined"
    assert cards.blocks_in_force() == {"client_address": 1, "contribution": 1, "email": 1}
    entries = AuditEntry.objects.filter(action="card.blocked")
    assert sorted(entries.values_list("data__kind", flat=True)) == ["client_address", "contribution", "email"]
    by_kind = {entry.data["kind"]: entry for entry in entries}
    assert (by_kind["contribution"].subject_type, by_kind["contribution"].subject_id) == (
        "support.contribution",
        str(contribution.pk),
    )
    assert by_kind["email"].subject_id == "" and by_kind["client_address"].subject_id == ""
    # From another address, with a new contribution: the email address alone still blocks it.
    _contribution, blocked = through_proxy(readers, CARD_OK, READER, email=tester)
    assert blocked.status_code == 429

    message = resume(revenue)
    assert (
        message
        == "Card payments were not paused. Lifted 3 card blocks (1 client address, 1 contribution, 1 email address)."
    )
    assert AuditEntry.objects.get(action="card.resumed").data["blocks_lifted"] == 3

    paid_contribution, paid = through_proxy(readers, CARD_OK, TESTER, contribution=contribution)
    assert paid.json() == {"status": "succeeded"}
    paid_contribution.refresh_from_db()
    assert paid_contribution.status == "completed"
    text = audit_text()
    for secret in (tester, "example.net", TESTER, email_digest(tester), ip_digest(TESTER)):
        assert secret not in text


def test_resuming_a_pause_lifts_the_blocks_with_it_and_says_both(readers, revenue, mailbox):
    with override_settings(CARD_BREAKER_MIN_FAILURES=cards.CARD_FAILURE_LIMIT):
        for _n in range(cards.CARD_FAILURE_LIMIT):  # the same declines block the address and trip the breaker
            through_proxy(readers, CARD_DECLINED_ON_CHARGE, TESTER)
        assert cards.card_paused()
        assert len(mailbox.messages) == 1
        page = card_page(revenue)
        assert page.select_one("[data-card-state=paused]") is not None
        assert page.select_one("[data-card-blocks]")["data-card-blocks"] == "1"

        assert resume(revenue) == "Card payments are running again. Lifted 1 card block (1 client address)."
        assert not cards.card_paused()
        lift = AuditEntry.objects.get(action="card.resumed")
        assert lift.data["was_paused"] is True and lift.data["blocks_lifted"] == 1
        assert "Resumed, and lifted 1 card block" in card_page(revenue).select_one("[data-card-history]").get_text()
        _contribution, paid = through_proxy(readers, CARD_OK, TESTER)
        assert paid.json() == {"status": "succeeded"}


def test_a_block_begun_late_in_an_hour_can_be_lifted_until_it_ends_and_is_forgotten_after(
    django_capture_on_commit_callbacks,
):
    """The registry keeps its entries in hourly buckets: a block is found in an older bucket all day long. (Local
    memory cache: its expiry follows the frozen clock, which Redis's does not.)"""
    start = (time.time() // cards.REGISTRY_BUCKET_SECONDS + 1) * cards.REGISTRY_BUCKET_SECONDS - 1
    keys = ["card-limit:ip:one", "card-limit:ip:two"]
    with time_machine.travel(start, tick=False):
        for _n in range(cards.CARD_FAILURE_LIMIT):
            defence.count_failure(keys[:1])
    with time_machine.travel(start + 2, tick=False):  # the next hour's bucket
        for _n in range(cards.CARD_FAILURE_LIMIT):
            defence.count_failure(keys[1:])
    with time_machine.travel(start + cards.CARD_BLOCK_SECONDS - 1, tick=False):
        assert cards.blocks_in_force()["client_address"] == 2
        assert cards.blocked(keys[:1]) and cards.blocked(keys[1:])
        assert cards.lift_blocks()["client_address"] == 2
        assert not cards.blocked(keys[:1]) and not cards.blocked(keys[1:])
    with time_machine.travel(start + 10, tick=False):
        for key in keys:
            for _n in range(cards.CARD_FAILURE_LIMIT):
                defence.count_failure([key])
    with time_machine.travel(start + 10 + cards.CARD_BLOCK_SECONDS + 1, tick=False):
        assert cards.blocks_in_force()["client_address"] == 0  # ended by themselves
        assert cards.lift_blocks()["client_address"] == 0
    assert AuditEntry.objects.filter(action="card.blocked").count() == 4


# --- several app processes, one Redis

PROCESSES = 4
BLOCKS_EACH = 150

BLOCKER = """
import sys
import django
import redis

django.setup()
from support.cards import defence, state as cards

tag, count = sys.argv[1], int(sys.argv[2])
signals = redis.Redis.from_url(sys.argv[3], socket_timeout=None)  # redis-py's default would end the wait after 5 s
signals.rpush("test:ready", tag)
signals.blpop("test:go", timeout=120)  # every process starts blocking at the same moment
for n in range(count):
    assert cards.claim_block(f"card-limit:ip:{tag}-{n}")
"""


def test_blocks_added_by_several_processes_at_once_are_all_lifted(redis_client, revenue):
    env = {
        "SAMIZDAT_ENV": "test",
        "CACHE_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "samizdat.settings",
        "PATH": "/usr/bin:/bin",
    }
    signals = REDIS_URL  # the processes' start signal: plain Redis lists beside the cache's (prefixed) keys
    signal_client = redis_client
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", BLOCKER, f"p{n}", str(BLOCKS_EACH), signals],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
        )
        for n in range(PROCESSES)
    ]
    try:
        ready, deadline = 0, time.monotonic() + 120
        while ready < PROCESSES:  # woken by each process's signal; between them, see that none has died
            ready += signal_client.blpop("test:ready", timeout=1) is not None
            for process in processes:
                if process.poll() is not None:
                    pytest.fail(f"a blocking process ended early: {process.stderr.read().decode()}")
            assert time.monotonic() < deadline, "the blocking processes did not start"
        signal_client.rpush("test:go", *range(PROCESSES))
        for process in processes:
            _out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err.decode()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        signal_client.delete("test:ready", "test:go")

    total = PROCESSES * BLOCKS_EACH
    with override_settings(CACHES=redis_caches(REDIS_URL)):
        assert cards.blocks_in_force()["client_address"] == total
        assert (
            resume(revenue) == f"Card payments were not paused. Lifted {total} card blocks ({total} client addresses)."
        )
        assert cards.blocks_in_force()["client_address"] == 0
        assert not cards.blocked([f"card-limit:ip:p0-{n}" for n in range(BLOCKS_EACH)])
    assert AuditEntry.objects.get(action="card.resumed").data["blocks_lifted"] == total
