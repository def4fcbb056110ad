"""What a beacon may add to the asks' counters, so that one client cannot poison the statistics.

The counters are anonymous and the endpoint has no session, so anyone can post to it. Three checks stand between a
beacon and the counters (``support.views.asks.ask_events`` runs them after the body is parsed and every arm is known):

* **Only what a reader can do.** Readers in a control arm or the holdback are shown no ask (the reader script counts
  only their impression), so a click or a close in such an arm is refused.
* **A rate per client.** Each client address (``core.client_address``) may send ``SUPPORT_BEACON_LIMIT`` events
  within ``SUPPORT_BEACON_WINDOW`` seconds, counted in the shared cache; past that its beacons are answered 429. A
  reader sends a few events per page, so the limit is only reached by a whole office (or a carrier's shared address)
  reading at once, or by a script. The onion's readers, who all reach us from this machine, are one bucket with ten
  times the room (``core.client_address.limit_for``). Arms are drawn per browser, not per address, so beacons refused
  by address leave the comparison between arms fair.
* **Clicks and closes need impressions.** A page shows an arm once, and an ask's links and its close button are on
  it: so for each arm, a client's clicks may not exceed ``CLICKS_PER_IMPRESSION`` times the impressions of that arm it
  sent in the last hour or two (a second click: the reader opened the link in a new tab, then followed it), nor its
  closes its impressions. The impressions of the same beacon count, and so do the clicks and closes it already spent.

A refused beacon counts nothing (a beacon is all or nothing) and is answered with a message. The client's address is
kept only as a keyed digest (HMAC with ``SECRET_KEY``), in the cache, with how often it was shown each arm, for two
hours at most; never in the database. The counters themselves hold nothing about a reader.
"""

import contextlib
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from core.client_address import client_address, limit_for
from core.limits import count_in_window
from support.arms import CONTROL_ARMS, HOLDBACK
from support.reminders import ip_digest

CLICKS_PER_IMPRESSION = 2
CLOSES_PER_IMPRESSION = 1
ACTIONS = {"click": CLICKS_PER_IMPRESSION, "close": CLOSES_PER_IMPRESSION}
# What a client was shown is remembered in hourly buckets; the current one and the one before are read, so an
# impression stays good for clicks for at least an hour.
BUCKET_SECONDS = 60 * 60
UNSHOWN_ARMS = frozenset({HOLDBACK, *CONTROL_ARMS})


@dataclass(frozen=True)
class Refusal:
    message: str
    status: int = 400
    retry_after: int | None = None  # seconds, for a 429


def admit(request, campaign, events) -> Refusal | None:
    """Check the beacon's ``events`` ((arm, kind) pairs of ``campaign``, each arm known) for this client, and
    remember what it was shown. None if the events may be counted; else why not (and nothing is remembered but the
    events towards the client's rate)."""
    tally = Counter(events)
    for arm, kind in sorted(tally):
        if kind in ACTIONS and arm in UNSHOWN_ARMS:
            return Refusal(f"No ask is shown in the arm “{arm}”, so it cannot be clicked or closed.")
    address = client_address(request)
    client = ip_digest(address)
    window = settings.SUPPORT_BEACON_WINDOW
    limit = limit_for(address, settings.SUPPORT_BEACON_LIMIT)  # the onion's readers share one bucket
    if count_in_window(f"beacons:{client}:events", window, amount=len(events)) > limit:
        return Refusal("Too many events from this address; these were not counted.", status=429, retry_after=window)
    return _spend(client, campaign.pk, tally)


def _spent_key(client, campaign_id, bucket, kind, arm):
    return f"beacons:{client}:{campaign_id}:{bucket}:{kind}:{arm}"


def _spend(client, campaign_id, tally) -> Refusal | None:
    """Take the beacon's clicks and closes out of what the client was shown (the same beacon's impressions
    included), then remember its impressions.

    What a client was shown is one small ``{arm: impressions}`` per bucket, read and written whole: cheap (most
    beacons carry impressions only), and if two beacons of one client cross, one's impressions may be lost, which only
    makes that client's later clicks harder to explain. Spending is exact instead: one counter per arm and kind, an
    ``incr`` checked afterwards and taken back if too much, so that simultaneous beacons of one client cannot spend
    the same impressions twice."""
    moment = time.time()
    current = int(moment // BUCKET_SECONDS)
    lifetime = max(1, int((current + 2) * BUCKET_SECONDS - moment))  # read until the next bucket ends, no longer
    shown_keys = [f"beacons:{client}:{campaign_id}:{bucket}:shown" for bucket in (current - 1, current)]
    acting = sorted({arm for arm, kind in tally if kind in ACTIONS})
    spent_before = {
        (arm, kind): _spent_key(client, campaign_id, current - 1, kind, arm) for arm in acting for kind in ACTIONS
    }
    known = cache.get_many([*shown_keys, *spent_before.values()])
    shown_before, shown_now = (known.get(key) or {} for key in shown_keys)
    impressions = Counter({arm: count for (arm, kind), count in tally.items() if kind == "impression"})

    spent = []
    for arm in acting:
        shown = shown_before.get(arm, 0) + shown_now.get(arm, 0) + impressions[arm]
        for kind, per_impression in ACTIONS.items():
            count = tally[(arm, kind)]
            if not count:
                continue
            key = _spent_key(client, campaign_id, current, kind, arm)
            total = count_in_window(key, lifetime, amount=count) + int(known.get(spent_before[(arm, kind)], 0))
            spent.append((key, count))
            if total > per_impression * shown:
                for spent_key, spent_count in spent:
                    _take_back(spent_key, spent_count)
                return Refusal(
                    f"More {kind}s on “{arm}” than this address was shown it in the last hour; none were counted."
                )
    if impressions:
        cache.set(shown_keys[1], dict(Counter(shown_now) + impressions), lifetime)
    return None


def _take_back(key, count):
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing left to take back
        cache.decr(key, count)
