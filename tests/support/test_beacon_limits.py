"""Beacons cannot poison the asks' statistics: POST /support/events/ behind the trusted proxy, as the reader script
sends them. One client's flood of clicks counts nothing; clicks and closes are counted only as far as the client's
own recent impressions explain them; arms that show no ask cannot be clicked; each client has a rate, and other
clients are not affected by another's; a reader's own beacons are all counted. The clicks' spending holds on the
shared Redis cache too, when many requests of one client arrive at once."""

import datetime as dt
import json
import threading

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from support import beacons
from support.models import AskCounter, Campaign
from support.stats import campaign_stats, period_ending
from tests.services import empty_redis, redis_caches

pytestmark = pytest.mark.django_db

URL = "/support/events/"
PROXY = "127.0.0.1"
READER = "198.51.100.31"
NEIGHBOUR = "198.51.100.32"
ATTACKER = "203.0.113.99"
REDIS_URL = "redis://127.0.0.1:6379/5"
ONION = "b" * 56 + ".onion"


@pytest.fixture(autouse=True)
def behind_proxy():
    """Counters from nothing (browser tests over the live demo may have committed some), nginx in front."""
    AskCounter.objects.all().delete()
    with override_settings(TRUSTED_PROXIES=[PROXY]):
        yield


@pytest.fixture
def campaign():
    return Campaign.objects.get(language="en", is_active=True)


def send(campaign, events, address=READER):
    """One beacon as navigator.sendBeacon sends it (text/plain), from ``address`` through nginx."""
    body = json.dumps({"campaign": campaign.pk, "events": events})
    return Client(enforce_csrf_checks=True).post(
        URL, body, content_type="text/plain;charset=UTF-8", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address
    )


def counted(campaign):
    return {row.arm: (row.impressions, row.clicks, row.closes) for row in AskCounter.objects.filter(campaign=campaign)}


def refused(response, status=400):
    assert response.status_code == status, response.content
    return response.json()["error"]


# --- the attack


def test_a_hundred_beacons_of_a_hundred_clicks_count_no_click(campaign):
    answers = [send(campaign, [["panel-gap", "click"]] * 100, ATTACKER) for _ in range(100)]
    assert {response.status_code for response in answers} <= {400, 429}
    assert "than this address was shown it" in refused(answers[0])
    assert "Unknown variant" in refused(send(campaign, [["panel-made-up", "impression"]] * 100, ATTACKER))
    assert counted(campaign) == {}
    panel = campaign_stats(campaign, period_ending(timezone.localdate())).arm("panel-gap")
    assert (panel.impressions, panel.counts.clicks, panel.click_rate.value) == (0, 0, None)


def test_clicks_are_counted_only_as_far_as_the_clients_impressions_explain_them(campaign):
    for _ in range(5):
        assert send(campaign, [["panel-gap", "impression"]], ATTACKER).status_code == 204
    answers = [send(campaign, [["panel-gap", "click"]] * 3, ATTACKER) for _ in range(10)]
    assert [response.status_code for response in answers].count(204) == 3  # 9 clicks of the 10 five impressions allow
    assert send(campaign, [["panel-gap", "click"]], ATTACKER).status_code == 204  # and the tenth
    assert refused(send(campaign, [["panel-gap", "click"]], ATTACKER))
    assert counted(campaign) == {"panel-gap": (5, 10, 0)}

    assert send(campaign, [["panel-gap", "close"]] * 5, ATTACKER).status_code == 204
    assert "More closes on “panel-gap”" in refused(send(campaign, [["panel-gap", "close"]], ATTACKER))
    assert counted(campaign) == {"panel-gap": (5, 10, 5)}


def test_a_refused_beacon_counts_none_of_its_events(campaign):
    events = [["notice-banned", "impression"], ["panel-gap", "impression"], ["panel-gap", "click"]]
    events += [["panel-gap", "click"]] * 2  # three clicks on one impression
    assert refused(send(campaign, events, ATTACKER))
    assert counted(campaign) == {}
    # nor does it leave impressions behind for later clicks
    assert refused(send(campaign, [["panel-gap", "click"]], ATTACKER))


def test_one_clients_impressions_do_not_explain_anothers_clicks(campaign):
    assert send(campaign, [["panel-gap", "impression"]] * 50, READER).status_code == 204
    assert refused(send(campaign, [["panel-gap", "click"]], ATTACKER))
    assert counted(campaign) == {"panel-gap": (50, 0, 0)}


@pytest.mark.parametrize("arm", ["holdback", "control:panel", "control:appeal"])
@pytest.mark.parametrize("kind", ["click", "close"])
def test_arms_that_show_no_ask_cannot_be_clicked_or_closed(campaign, arm, kind):
    message = refused(send(campaign, [[arm, "impression"], [arm, kind]]))
    assert f"No ask is shown in the arm “{arm}”" in message
    assert counted(campaign) == {}


# --- the rate per client


@override_settings(SUPPORT_BEACON_LIMIT=40, SUPPORT_BEACON_WINDOW=600)
def test_the_rate_limit_stops_one_client_and_not_the_others(campaign):
    page = [["panel-gap", "impression"], ["notice-banned", "impression"], ["appeal-favour", "impression"]]
    page.append(["holdback", "impression"])
    answers = [send(campaign, page, ATTACKER) for _ in range(15)]
    assert [response.status_code for response in answers] == [204] * 10 + [429] * 5
    assert answers[-1]["Retry-After"] == "600"
    assert "Too many events from this address" in refused(answers[-1], 429)

    assert send(campaign, page, NEIGHBOUR).status_code == 204
    assert counted(campaign) == {arm: (11, 0, 0) for arm, _kind in page}


@override_settings(SUPPORT_BEACON_LIMIT=40, SUPPORT_BEACON_WINDOW=600)
def test_the_rate_lapses_with_its_window(campaign):
    with time_machine.travel(dt.datetime(2031, 5, 6, 10, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert send(campaign, [["banner-drive", "impression"]] * 40, ATTACKER).status_code == 204
        assert send(campaign, [["banner-drive", "impression"]], ATTACKER).status_code == 429
        clock.shift(dt.timedelta(seconds=601))
        assert send(campaign, [["banner-drive", "impression"]], ATTACKER).status_code == 204


@override_settings(SUPPORT_BEACON_LIMIT=40, ONION_ADDRESS=ONION, ALLOWED_HOSTS=["testserver", ONION])
def test_the_onions_readers_share_one_bucket_with_ten_times_the_rate(campaign):
    """Tor hands every onion reader's request to nginx on this machine: one bucket for them all, with more room."""

    def by_onion(events):
        body = json.dumps({"campaign": campaign.pk, "events": events})
        return Client().post(URL, body, content_type="text/plain", REMOTE_ADDR=PROXY, HTTP_HOST=ONION)

    answers = [by_onion([["banner-drive", "impression"]] * 100) for _ in range(5)]
    assert [response.status_code for response in answers] == [204] * 4 + [429]
    assert send(campaign, [["banner-drive", "impression"]] * 40, READER).status_code == 204  # a clearnet reader
    assert counted(campaign) == {"banner-drive": (440, 0, 0)}


# --- readers


def test_a_readers_beacons_are_all_counted(campaign):
    """What the reader script sends for two pages: the impressions after two seconds, then a click when the reader
    follows the panel's link; on the next page the appeal, closed before the first flush (one beacon)."""
    first = [["panel-gap", "impression"], ["notice-banned", "impression"], ["appeal-favour", "impression"]]
    assert send(campaign, first).status_code == 204
    assert send(campaign, [["panel-gap", "click"]]).status_code == 204
    second = [["notice-banned", "impression"], ["appeal-favour", "impression"], ["appeal-favour", "close"]]
    assert send(campaign, second).status_code == 204
    assert send(campaign, [["control:panel", "impression"], ["holdback", "impression"]], NEIGHBOUR).status_code == 204
    assert counted(campaign) == {
        "panel-gap": (1, 1, 0),
        "notice-banned": (2, 0, 0),
        "appeal-favour": (2, 0, 1),
        "control:panel": (1, 0, 0),
        "holdback": (1, 0, 0),
    }
    # Opening the panel's link in a new tab and then following it counts twice; a third click of one impression not.
    assert send(campaign, [["panel-gap", "click"]]).status_code == 204
    assert refused(send(campaign, [["panel-gap", "click"]]))
    assert counted(campaign)["panel-gap"] == (1, 2, 0)


def test_a_reader_may_click_a_while_after_the_impression(campaign):
    with time_machine.travel(dt.datetime(2031, 5, 6, 10, 0, tzinfo=dt.UTC), tick=False) as clock:
        assert send(campaign, [["panel-gap", "impression"]]).status_code == 204
        clock.shift(dt.timedelta(minutes=70))
        assert send(campaign, [["panel-gap", "click"]]).status_code == 204
        assert send(campaign, [["appeal-favour", "impression"]]).status_code == 204
        clock.shift(dt.timedelta(hours=2, minutes=1))
        assert refused(send(campaign, [["appeal-favour", "close"]]))  # an impression is not good for ever
    assert counted(campaign) == {"panel-gap": (1, 1, 0), "appeal-favour": (1, 0, 0)}


def test_a_newsroom_behind_one_address_is_counted_like_its_readers(campaign):
    """Readers behind one address share its impressions: clicks are counted as long as the office's pages explain
    them, whichever reader clicked."""
    for _ in range(30):
        assert (
            send(campaign, [["panel-gap", "impression"], ["notice-banned", "impression"]], NEIGHBOUR).status_code == 204
        )
    for _ in range(3):
        assert send(campaign, [["panel-gap", "click"]], NEIGHBOUR).status_code == 204
    assert counted(campaign) == {"panel-gap": (30, 3, 0), "notice-banned": (30, 0, 0)}
    assert send(campaign, [["panel-gap", "click"]] * 57, READER).status_code == 400  # another address
    assert send(campaign, [["panel-gap", "click"]] * 57, NEIGHBOUR).status_code == 204
    assert refused(send(campaign, [["panel-gap", "click"]], NEIGHBOUR))  # 60 clicks on 30 impressions is the most
    assert counted(campaign) == {"panel-gap": (30, 60, 0), "notice-banned": (30, 0, 0)}


# --- on Redis, at the same moment


@pytest.fixture
def shared_cache():
    client = empty_redis(REDIS_URL)
    with override_settings(CACHES=redis_caches(REDIS_URL)):
        assert "Redis" in type(caches["default"]).__name__
        yield client
    client.flushdb()


def test_one_clients_simultaneous_clicks_cannot_spend_the_same_impression_twice(campaign, shared_cache):
    assert send(campaign, [["panel-gap", "impression"]], ATTACKER).status_code == 204
    request = RequestFactory().post(URL, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    start, results = threading.Barrier(12), []

    def click():
        start.wait()
        results.append(beacons.admit(request, campaign, [("panel-gap", "click")]))

    threads = [threading.Thread(target=click) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 12
    assert [result is None for result in results].count(True) == beacons.CLICKS_PER_IMPRESSION
