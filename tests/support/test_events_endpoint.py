"""The reader script's counters, POST /support/events/: good beacons count, anything else is refused and stores nothing."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from support.models import AskCounter, Campaign
from support.views.asks import MAX_BEACON_BYTES, MAX_BEACON_EVENTS, parse_beacon

URL = "/support/events/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_counters_yet():
    """Each test counts from nothing: browser tests over the live demo may have committed counters of their own."""
    from support.models import AskCounter

    AskCounter.objects.all().delete()


@pytest.fixture
def campaign():
    return Campaign.objects.get(language="en", is_active=True)


@pytest.fixture
def client():
    # Like a reader's browser: CSRF is enforced, so a pass shows the endpoint is exempt on purpose.
    return Client(enforce_csrf_checks=True)


def send(client, body, content_type="application/json", **extra):
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    return client.post(URL, body, content_type=content_type, **extra)


def counters(campaign):
    return {
        row.arm: (row.impressions, row.clicks, row.closes, row.reminders)
        for row in AskCounter.objects.filter(campaign=campaign)
    }


def assert_no_cookie(response):
    assert not response.cookies
    assert not response.has_header("Set-Cookie")


def assert_refused(response, status=400):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    message = response.json()["error"]
    assert isinstance(message, str) and message
    assert_no_cookie(response)
    assert not AskCounter.objects.exists()
    return message


# --- what is counted


def test_a_beacon_counts_impressions_clicks_and_closes_per_arm_in_todays_row(client, campaign):
    events = [
        ["panel-gap", "impression"],
        ["panel-gap", "impression"],
        ["panel-gap", "click"],
        ["control:panel", "impression"],
        ["holdback", "impression"],
        ["appeal-gap", "impression"],
        ["appeal-gap", "close"],
    ]
    response = send(client, {"campaign": campaign.pk, "events": events})
    assert response.status_code == 204
    assert response.content == b""
    assert_no_cookie(response)
    assert counters(campaign) == {
        "panel-gap": (2, 1, 0, 0),
        "control:panel": (1, 0, 0, 0),
        "holdback": (1, 0, 0, 0),
        "appeal-gap": (1, 0, 1, 0),
    }
    assert set(AskCounter.objects.values_list("day", flat=True)) == {timezone.localdate()}

    assert send(client, {"campaign": campaign.pk, "events": [["panel-gap", "click"]] * 3}).status_code == 204
    assert counters(campaign)["panel-gap"] == (2, 4, 0, 0)
    assert AskCounter.objects.count() == 4  # one row per arm and day, however many beacons


def test_a_text_plain_beacon_counts_too(client, campaign):
    """navigator.sendBeacon(url, string) sends text/plain, which needs no CORS preflight."""
    body = json.dumps({"campaign": campaign.pk, "events": [["notice-banned", "impression"]]})
    response = send(client, body, content_type="text/plain;charset=UTF-8")
    assert response.status_code == 204
    assert counters(campaign) == {"notice-banned": (1, 0, 0, 0)}


def test_the_limits_themselves_are_accepted(client, campaign):
    events = [["banner-drive", "impression"]] * MAX_BEACON_EVENTS
    assert send(client, {"campaign": campaign.pk, "events": events}).status_code == 204
    assert counters(campaign) == {"banner-drive": (MAX_BEACON_EVENTS, 0, 0, 0)}


def test_each_campaign_counts_only_its_own_arms(client):
    russian = Campaign.objects.get(language="ru", is_active=True)
    assert send(client, {"campaign": russian.pk, "events": [["ru-panel-gap", "impression"]]}).status_code == 204
    assert counters(russian) == {"ru-panel-gap": (1, 0, 0, 0)}
    english_arm = {"campaign": russian.pk, "events": [["panel-gap", "impression"]]}
    assert send(client, english_arm).status_code == 400
    assert counters(russian) == {"ru-panel-gap": (1, 0, 0, 0)}


def test_a_new_variant_can_be_counted_at_once(client, campaign):
    """The page cache forgets pages as soon as a variant is added; the cached list of arms must follow at once."""
    from support.models import AskVariant

    assert send(client, beacon(campaign, [["panel-gap", "impression"]])).status_code == 204  # arms now cached
    AskVariant.objects.create(campaign=campaign, surface="panel", key="panel-fresh", body="Fresh copy.")
    response = send(client, beacon(campaign, [["panel-fresh", "impression"], ["panel-gap", "impression"]]))
    assert response.status_code == 204, response.content
    assert counters(campaign)["panel-fresh"] == (1, 0, 0, 0)


# --- what is refused


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty body"),
        pytest.param(b"{", id="malformed JSON"),
        pytest.param(b"\xff\xfe{}", id="not UTF-8"),
        pytest.param(b"null", id="null"),
        pytest.param(b"[1, 2]", id="a list, not an object"),
        pytest.param(b'"campaign"', id="a string, not an object"),
        pytest.param(b'{"events": [["panel-gap", "impression"]]}', id="no campaign"),
        pytest.param(b'{"campaign": null, "events": [["panel-gap", "impression"]]}', id="null campaign"),
        pytest.param(b'{"campaign": true, "events": [["panel-gap", "impression"]]}', id="bool campaign"),
        pytest.param(b'{"campaign": "1", "events": [["panel-gap", "impression"]]}', id="str campaign"),
        pytest.param(b'{"campaign": 1.0, "events": [["panel-gap", "impression"]]}', id="float campaign"),
        pytest.param(b'{"campaign": [1], "events": [["panel-gap", "impression"]]}', id="list campaign"),
    ],
)
def test_bodies_that_are_not_a_beacon_are_refused(client, body):
    assert_refused(send(client, body))


def beacon(campaign, events):
    return {"campaign": campaign.pk, "events": events}


@pytest.mark.parametrize(
    ("events", "words"),
    [
        pytest.param([], "non-empty", id="no events"),
        pytest.param(None, "non-empty", id="null events"),
        pytest.param({"panel-gap": "impression"}, "non-empty", id="events as an object"),
        pytest.param("panel-gap impression", "non-empty", id="events as a string"),
        pytest.param([["panel-gap", "impression"]] * (MAX_BEACON_EVENTS + 1), "At most", id="too many events"),
        pytest.param([["panel-gap"]], "[arm, kind]", id="event of one"),
        pytest.param([["panel-gap", "impression", "x"]], "[arm, kind]", id="event of three"),
        pytest.param(["panel-gap"], "[arm, kind]", id="event as a string"),
        pytest.param([{"arm": "panel-gap", "kind": "click"}], "[arm, kind]", id="event as an object"),
        pytest.param([["panel-gap", 1]], "[arm, kind]", id="kind not a string"),
        pytest.param([[None, "click"]], "[arm, kind]", id="arm not a string"),
        pytest.param([["panel-gap", "purchase"]], "Unknown event kind", id="unknown kind"),
        pytest.param([["panel-gap", "reminder"]], "Unknown event kind", id="reminders are not counted by beacons"),
        pytest.param([["panel-gap", "Impression"]], "Unknown event kind", id="kinds are lower case"),
        pytest.param([["panel-nope", "impression"]], "Unknown variant", id="unknown variant"),
        pytest.param([["ru-panel-gap", "impression"]], "Unknown variant", id="another campaign's variant"),
        pytest.param([["control:popup", "impression"]], "Unknown variant", id="control of no surface"),
        pytest.param([["", "impression"]], "Unknown variant", id="empty arm"),
        pytest.param([["x" * 5000, "impression"]], "Unknown variant", id="very long arm"),
    ],
)
def test_bad_events_are_refused_and_none_of_the_beacon_is_stored(client, campaign, events, words):
    if isinstance(events, list) and 0 < len(events) <= MAX_BEACON_EVENTS:
        events = [["panel-gap", "impression"], *events]  # a good event first: a beacon is all or nothing
    message = assert_refused(send(client, beacon(campaign, events)))
    assert words in message


def test_unknown_campaigns_are_refused(client):
    message = assert_refused(send(client, {"campaign": 987654, "events": [["panel-gap", "impression"]]}))
    assert "campaign" in message


def test_inactive_campaigns_are_refused(client, campaign):
    dormant = Campaign.objects.create(
        name="Last year's drive",
        language="en",
        is_active=False,
        monthly_cost=100,
        ad_free_since=campaign.ad_free_since,
    )
    assert_refused(send(client, {"campaign": dormant.pk, "events": [["holdback", "impression"]]}))


def test_a_campaign_id_beyond_any_integer_column_is_refused(client):
    assert_refused(send(client, {"campaign": 10**30, "events": [["holdback", "impression"]]}))


def test_a_body_over_8_kb_is_refused_before_it_is_read(client, campaign):
    padding = "x" * (MAX_BEACON_BYTES + 1)
    body = {"campaign": campaign.pk, "events": [["panel-gap", "impression"]], "padding": padding}
    response = send(client, body)
    assert response.status_code == 413
    assert_refused(response, status=413)


def test_the_size_is_checked_on_the_body_too():
    """Without a Content-Length (a chunked upload), the body itself is measured."""
    body = json.dumps({"campaign": 1, "events": [["panel-gap", "impression"]], "p": "x" * MAX_BEACON_BYTES})
    campaign_id, events, error = parse_beacon(body.encode())
    assert (campaign_id, events) == (None, None)
    assert "larger than" in error


def test_deeply_nested_json_within_the_size_limit_is_refused_not_a_crash(client, campaign):
    """A few kilobytes of brackets are enough to exhaust the JSON parser's recursion limit."""
    depth = 3000
    body = f'{{"campaign": {campaign.pk}, "events": [' + "[" * depth + "]" * depth + "]}"
    assert len(body) < MAX_BEACON_BYTES
    client.raise_request_exception = False
    assert_refused(send(client, body))


def test_a_malformed_content_length_is_refused_not_a_crash(client, campaign):
    client.raise_request_exception = False
    body = json.dumps(beacon(campaign, [["panel-gap", "impression"]]))
    assert_refused(send(client, body, CONTENT_LENGTH="twelve"))


@pytest.mark.parametrize("method", ["get", "head", "put", "delete", "options"])
def test_only_post_is_allowed(client, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    assert_no_cookie(response)
    assert not AskCounter.objects.exists()


def test_readers_cookies_are_ignored_and_none_are_set(client, campaign):
    client.cookies["sessionid"] = "whatever"
    client.cookies["csrftoken"] = "x" * 32
    response = send(client, beacon(campaign, [["panel-gap", "impression"]]))
    assert response.status_code == 204
    assert_no_cookie(response)
    assert not response.has_header("Vary") or "Cookie" not in response["Vary"]
