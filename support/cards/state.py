"""What the card-testing defence keeps, all of it in Django's cache (shared by every app process once the cache is
Redis): declines counted per source and the blocks they lead to (with the registry that lets staff lift them), the
site-wide breaker's counts and its pause, and when staff were last told that the site-wide limit on starting card
checkouts was reached. Nothing here decides or records anything; ``support.cards.defence`` counts
a decline and takes the named actions (``support.cards.actions``) when a limit is reached.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from core.client_address import ONION, client_address, limit_for
from core.limits import count_in_window
from support.reminders import email_digest, ip_digest

CARD_FAILURE_LIMIT = 5
CARD_FAILURE_WINDOW = 3 * 60
CARD_BLOCK_SECONDS = 24 * 60 * 60

BREAKER_BUCKETS = 10  # the breaker's window is counted in this many buckets, so it slides in tenths
PAUSE_KEY = "card-breaker:paused"


# --- Limits per source ---------------------------------------------------------------------------------------------

# What each kind of source is called outside the cache (audit entries, the admin), by the key's second part.
SOURCE_KINDS = {"ip": "client_address", "contribution": "contribution", "email": "email"}


def source_kind(key: str) -> str:
    """``client_address``, ``contribution`` or ``email`` for a key of :func:`limit_keys`."""
    return SOURCE_KINDS[key.split(":")[1]]


def contribution_of_key(key: str) -> int | None:
    """The contribution's id in a contribution key, else None."""
    parts = key.split(":")
    return int(parts[2]) if parts[1] == "contribution" else None


# Every card attempt by the onion service: its readers have no address of their own (core.client_address).
ONION_KEY = f"card-limit:ip:{ONION}"


def source_keys(*, address: str, email: str = "") -> list[str]:
    """The keys of a client address and, when one is given, an email address, as their declines are counted and
    blocked: what the checkout asks about before a card contribution exists (``support.cards.starts``)."""
    keys = [ONION_KEY if address == ONION else f"card-limit:ip:{ip_digest(address)}"]
    if email:
        keys.append(f"card-limit:email:{email_digest(email)}")
    return keys


def limit_keys(request, contribution) -> list[str]:
    """The sources a card attempt counts against: the client address, the contribution and, when the contribution
    has one, the supporter's address (so a tester cannot start afresh with a new contribution under the same one)."""
    email = contribution.supporter.email if contribution.supporter_id is not None else ""
    address_key, *email_keys = source_keys(address=client_address(request), email=email)
    return [address_key, f"card-limit:contribution:{contribution.pk}", *email_keys]


def failure_limit(key: str) -> int:
    """Declines within ``CARD_FAILURE_WINDOW`` that block the source ``key``; the onion bucket, which stands for
    all the onion's readers, takes more (``core.client_address.limit_for``)."""
    return limit_for(ONION, CARD_FAILURE_LIMIT) if key == ONION_KEY else CARD_FAILURE_LIMIT


def blocked(keys) -> bool:
    """Whether a card attempt counted against ``keys`` is refused. A blocked onion bucket does not refuse every onion
    reader (one tester would lock them all out): it leaves each of their sessions — a contribution, a supporter's
    address — a single decline instead of ``CARD_FAILURE_LIMIT``, until the block ends or staff lift it."""
    found = cache.get_many([f"{key}:blocked" for key in keys])
    if any(f"{key}:blocked" in found for key in keys if key != ONION_KEY):
        return True
    if f"{ONION_KEY}:blocked" not in found:
        return False
    sessions = [f"{key}:failures" for key in keys if key != ONION_KEY]
    return any(count >= 1 for count in cache.get_many(sessions).values())


# --- The registry of blocks ----------------------------------------------------------------------------------------
#
# Lifting a block needs its key, and a cache cannot list its keys. So each block is also written down: one numbered
# slot per block, in an hourly bucket. A process takes a slot number with ``add`` + ``incr`` on the bucket's counter
# (atomic on Redis, and within a process on the local memory cache), so two processes blocking at the same moment get
# two different slots — no read-modify-write of a shared list, and no entry lost. Lifting reads every bucket a block
# still in force can be in. The slot is written *before* the block, so a block never exists without its entry (a slot
# whose block was never set, has ended or was lifted already is passed over). Counters are never deleted, only left
# to expire after the last block they can number: deleting one while another process was taking a slot from it would
# hand that slot's number out again.

REGISTRY_BUCKET_SECONDS = 60 * 60
# A slot outlives its block: blocks last CARD_BLOCK_SECONDS from any moment in the bucket's hour.
REGISTRY_SECONDS = CARD_BLOCK_SECONDS + 2 * REGISTRY_BUCKET_SECONDS
REGISTRY_BUCKETS = CARD_BLOCK_SECONDS // REGISTRY_BUCKET_SECONDS + 2  # buckets that may hold a block in force


def _registry_buckets(now=None) -> range:
    current = int((time.time() if now is None else now) // REGISTRY_BUCKET_SECONDS)
    return range(current - REGISTRY_BUCKETS + 1, current + 1)


def _register(key):
    bucket = _registry_buckets()[-1]
    slot = count_in_window(f"card-blocks:{bucket}:count", REGISTRY_SECONDS)
    cache.set(f"card-blocks:{bucket}:{slot}", key, REGISTRY_SECONDS)


def claim_block(key) -> bool:
    """Block the source ``key`` for ``CARD_BLOCK_SECONDS``. True if this call began the block; False if it was
    blocked already (``add`` is atomic: of several processes blocking one source at once, one begins the block)."""
    _register(key)
    return cache.add(f"{key}:blocked", True, CARD_BLOCK_SECONDS)


def _registered_keys() -> list[str]:
    """Every key written down in the registry's live buckets, once each (blocks in force among them)."""
    buckets = list(_registry_buckets())
    counts = cache.get_many([f"card-blocks:{bucket}:count" for bucket in buckets])
    slots = [
        f"card-blocks:{bucket}:{slot}"
        for bucket in buckets
        for slot in range(1, int(counts.get(f"card-blocks:{bucket}:count", 0)) + 1)
    ]
    keys = {}
    for start in range(0, len(slots), 500):  # in batches, so a large registry never makes one huge request
        found = cache.get_many(slots[start : start + 500])
        keys.update(dict.fromkeys(found[slot] for slot in slots[start : start + 500] if slot in found))
    return list(keys)


def _by_kind(keys) -> dict[str, int]:
    counted = dict.fromkeys(SOURCE_KINDS.values(), 0)
    for key in keys:
        counted[source_kind(key)] += 1
    return counted


def blocks_in_force() -> dict[str, int]:
    """How many sources of each kind may not try a card now (``client_address``, ``contribution``, ``email``)."""
    keys = _registered_keys()
    found = cache.get_many([f"{key}:blocked" for key in keys])
    return _by_kind(key for key in keys if f"{key}:blocked" in found)


def lift_blocks() -> dict[str, int]:
    """End every block in force now and forget those sources' declines, so they start afresh. Returns how many
    blocks of each kind this call ended: ``delete`` says whether the key was there, so two staff lifting at once
    never count one block twice."""
    lifted = []
    for key in _registered_keys():
        if cache.delete(f"{key}:blocked"):
            cache.delete(f"{key}:failures")
            lifted.append(key)
    return _by_kind(lifted)


# --- The site-wide limit on starting card checkouts ----------------------------------------------------------------

STARTS_ALERT_KEY = "card-starts:limited"
STARTS_ALERT_SECONDS = 60 * 60  # while the limit keeps being reached, one audit entry and one mail an hour


def claim_starts_alert() -> bool:
    """True for the first process that sees the site-wide limit on card starts reached in ``STARTS_ALERT_SECONDS``
    (``cache.add`` is atomic: of several at once, one), which then records it and alerts staff."""
    return cache.add(STARTS_ALERT_KEY, time.time(), STARTS_ALERT_SECONDS)


# --- The site-wide breaker -----------------------------------------------------------------------------------------


def _bucket_seconds():
    return max(1, settings.CARD_BREAKER_WINDOW // BREAKER_BUCKETS)


def _bucket_keys(kind, now=None):
    size = _bucket_seconds()
    current = int((time.time() if now is None else now) // size)
    # The bucket size is part of the key, so a changed window setting never reads old buckets as new ones.
    return [f"card-breaker:{kind}:{size}:{index}" for index in range(current - BREAKER_BUCKETS + 1, current + 1)]


def count_for_breaker(kind):
    count_in_window(_bucket_keys(kind)[-1], _bucket_seconds() * (BREAKER_BUCKETS + 1))


@dataclass(frozen=True)
class Figures:
    """Card attempts across the site in the breaker's current window."""

    failures: int
    successes: int

    @property
    def attempts(self):
        return self.failures + self.successes

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.attempts if self.attempts else 0.0

    @property
    def over_threshold(self) -> bool:
        return (
            self.failures >= settings.CARD_BREAKER_MIN_FAILURES
            and self.failure_ratio >= settings.CARD_BREAKER_FAILURE_RATIO
        )


def figures() -> Figures:
    failure_keys, success_keys = _bucket_keys("failures"), _bucket_keys("successes")
    found = cache.get_many(failure_keys + success_keys)
    return Figures(
        failures=sum(found.get(key, 0) for key in failure_keys),
        successes=sum(found.get(key, 0) for key in success_keys),
    )


def forget_figures():
    """Start the window afresh (after a pause begins or ends), so old declines cannot trip the breaker again."""
    cache.delete_many(_bucket_keys("failures") + _bucket_keys("successes"))


@dataclass(frozen=True)
class Pause:
    since: float  # Unix times
    until: float
    failures: int
    attempts: int


def pause() -> Pause | None:
    """The pause in force now, or None. Its end is checked here, not only left to the cache's expiry, so every
    process agrees on it to the second."""
    entry = cache.get(PAUSE_KEY)
    if not isinstance(entry, dict) or entry.get("until", 0) <= time.time():
        return None
    return Pause(entry["since"], entry["until"], entry["failures"], entry["attempts"])


def card_paused() -> bool:
    return pause() is not None


def claim_pause(*, failures: int, attempts: int) -> Pause | None:
    """Begin a pause unless one is in force. ``cache.add`` is atomic in every backend (Redis ``SET NX``): of several
    processes that see the spike at once, exactly one gets the pause — and so exactly one alert goes out."""
    now = time.time()
    seconds = settings.CARD_BREAKER_PAUSE_SECONDS
    entry = {"since": now, "until": now + seconds, "failures": failures, "attempts": attempts}
    if not cache.add(PAUSE_KEY, entry, seconds):
        stale = cache.get(PAUSE_KEY)
        if not isinstance(stale, dict) or stale.get("until", 0) > now:
            return None  # in force (or just claimed by another process)
        # Ended, but the cache still holds it (its clock runs apart from ours): replace it, once.
        cache.delete(PAUSE_KEY)
        if not cache.add(PAUSE_KEY, entry, seconds):
            return None
    forget_figures()
    return Pause(**entry)


def end_pause() -> bool:
    """End the pause now. False if none was in force."""
    paused = card_paused()
    cache.delete(PAUSE_KEY)
    forget_figures()
    return paused
