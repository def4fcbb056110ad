"""/support/goal.json: the live figures of every active campaign, public and cacheable, and fresh after an edit."""

import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client

from core import page_cache
from core.money import Money
from support.models import Campaign

URL = "/support/goal.json"

pytestmark = pytest.mark.django_db


def goal(client=None, **headers):
    response = (client or Client()).get(URL, HTTP_ACCEPT_ENCODING="identity", **headers)
    assert response.status_code == 200
    return response


def test_goal_json_has_every_active_campaign_by_language():
    response = goal()
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert set(document) == {"campaigns"}
    assert set(document["campaigns"]) == {"en", "ru"}
    for language, figures in document["campaigns"].items():
        campaign = Campaign.objects.get(language=language, is_active=True)
        assert figures["campaign"] == campaign.pk
        assert figures["language"] == language
        assert figures["currency"] == campaign.currency
    assert "Кестраве" in response.content.decode("utf-8")  # sent as UTF-8, not as \\u escapes


def test_goal_json_is_public_for_a_minute_and_sets_no_cookie():
    client = Client()
    client.cookies["sessionid"] = "a-reader-who-was-logged-in-once"
    response = goal(client)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=60"}
    assert not response.cookies and not response.has_header("Set-Cookie")
    assert "Cookie" not in response.get("Vary", "")


def test_the_figures_add_up():
    for figures in json.loads(goal().content)["campaigns"].values():
        cost, income, gap = (Decimal(figures[k]) for k in ("monthly_cost", "income", "gap"))
        assert gap == max(cost - income, Decimal(0))
        assert figures["percent"] == (0 if income == 0 else int(min(100, income / cost * 100)))
        assert figures["supporters"] >= 0
        # The words readers see carry the same numbers, formatted in the campaign's language.
        money = Money(cost, figures["currency"])
        assert figures["text"]["monthly_cost"] == money.format(figures["language"])
        assert figures["text"]["gap"] == Money(gap, figures["currency"]).format(figures["language"])
        assert figures["text"]["percent"] == str(figures["percent"])


def test_with_no_income_yet_the_gap_is_the_whole_cost():
    english = json.loads(goal().content)["campaigns"]["en"]
    assert english["income"] == "0.00"
    assert english["gap"] == english["monthly_cost"] == "48000.00"
    assert english["percent"] == 0
    assert english["text"]["gap"] == "€48,000"


def test_inactive_campaigns_are_left_out():
    Campaign.objects.filter(language="ru").update(is_active=False)
    assert set(json.loads(goal().content)["campaigns"]) == {"en"}


def test_goal_json_is_served_from_the_page_cache_for_at_most_a_minute():
    kept = {}
    real_set = cache.set

    def spy(key, value, timeout=None, **kwargs):
        kept[key] = timeout
        return real_set(key, value, timeout, **kwargs)

    with mock.patch.object(cache, "set", spy):
        first = goal()
    assert first["X-Page-Cache"] == "miss"
    assert kept[page_cache.entry_key(URL)] <= 60
    second = goal()
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_a_new_monthly_cost_shows_on_the_next_request(django_capture_on_commit_callbacks):
    assert goal()["X-Page-Cache"] == "miss"
    assert goal()["X-Page-Cache"] == "hit"
    campaign = Campaign.objects.get(language="en", is_active=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        campaign.monthly_cost = Decimal("52500.50")
        campaign.save()
    assert callbacks, "saving a campaign must forget cached pages once it commits"
    response = goal()
    assert response["X-Page-Cache"] == "miss"
    english = json.loads(response.content)["campaigns"]["en"]
    assert english["monthly_cost"] == english["gap"] == "52500.50"
    assert english["text"]["monthly_cost"] == "€52,500.50"


def test_goal_json_is_read_only():
    client = Client()
    assert client.post(URL, {}).status_code == 405
    assert client.head(URL).status_code == 200
