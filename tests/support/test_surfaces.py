"""Asks rendered on the server: what a reader without JavaScript sees, in the right order, with live figures."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.test import Client

from publishing.models import ArticlePage
from support.models import AskVariant, Campaign

pytestmark = pytest.mark.django_db


def page_soup(article):
    response = Client().get(article.url, HTTP_ACCEPT_ENCODING="identity")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def surfaces(soup):
    return [node["data-ask-surface"] for node in soup.select("[data-ask-surface]")]


def test_panel_notice_story_appeal_read_more_in_that_order(article):
    campaign = Campaign.objects.get(language="en", is_active=True)
    soup = page_soup(article)
    assert surfaces(soup) == ["panel", "notice", "appeal"]
    body = soup.select_one(".article__body")
    children = [c for c in body.children if getattr(c, "name", None)]
    paragraphs_before_panel = 0
    for child in children:
        if child.get("data-ask-surface") == "panel":
            break
        if child.name == "p":
            paragraphs_before_panel += 1
    assert paragraphs_before_panel == campaign.panel_after_paragraph
    panel = body.select_one("[data-ask-surface=panel]")
    assert panel.find_next_sibling(attrs={"data-ask-surface": True})["data-ask-surface"] == "notice"
    # the appeal closes the story, and "Read more" follows it
    appeal = soup.select_one("[data-ask-surface=appeal]")
    assert appeal.find_parent("article") is not None
    assert soup.select_one(".read-more").find_previous(attrs={"data-ask-surface": True}) is appeal


def test_the_default_copy_carries_live_figures(article):
    soup = page_soup(article)
    panel = soup.select_one("[data-ask-surface=panel] .ask__variant").get_text(" ", strip=True)
    assert "We have disabled all ads since 1 March 2024" in panel
    assert "€48,000 a month" in panel
    notice = soup.select_one("[data-ask-surface=notice]").get_text(" ", strip=True)
    assert "banned in Kestrava" in notice
    appeal = soup.select_one("[data-ask-surface=appeal] .ask__variant")
    text = appeal.get_text(" ", strip=True)
    assert "starting from just €2" in text
    assert "Remind me later" in text and "Not ready to support today?" in text
    assert [m.get_text() for m in appeal.select(".ask__method")] == ["Card", "Bank transfer", "Crypto"]
    meter = soup.select_one("[data-ask-surface=panel] meter")
    assert Decimal(meter["max"]) == Decimal("48000.00") and Decimal(meter["value"]) == 0


def test_support_links_carry_amount_frequency_and_attribution(article):
    soup = page_soup(article)
    appeal = soup.select_one("[data-ask-surface=appeal] .ask__variant")
    key = appeal["data-ask-variant"]
    links = [a["href"] for a in appeal.select("a[data-ask-click]")]
    assert len(links) == 3 + 3 + 1
    for href in links:
        url = urlsplit(href)
        assert url.path == "/support/"
        query = parse_qs(url.query)
        assert query["variant"] == [key] and query["article"] == [str(article.pk)]
        assert query["frequency"][0] in {"monthly", "once"} and query["currency"] == ["EUR"]
        assert Decimal(query["amount"][0]) >= 2
    remind = appeal.select_one("a[data-ask-remind]")["href"]
    assert parse_qs(urlsplit(remind).query) == {"variant": [key], "article": [str(article.pk)]}


def test_other_variants_ride_along_as_inert_templates(article):
    soup = page_soup(article)
    panel = soup.select_one("[data-ask-surface=panel]")
    assert panel.select_one(".ask__variant")["data-ask-variant"] == "panel-gap"
    assert [t["data-ask-variant"] for t in panel.find_all("template")] == ["panel-readers"]


def test_no_asks_flag_shows_none(article, django_capture_on_commit_callbacks):
    article.no_asks = True
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    soup = page_soup(ArticlePage.objects.get(pk=article.pk))
    assert surfaces(soup) == []
    assert soup.select_one("#sz-asks") is None


def test_russian_articles_get_the_russian_campaign(russian_article):
    soup = page_soup(russian_article)
    assert surfaces(soup) == ["panel", "notice", "appeal"]
    panel = soup.select_one("[data-ask-surface=panel]").get_text(" ", strip=True)
    assert "С 1 марта 2024 у нас нет рекламы" in panel
    assert "48\u00a0000\u00a0€" in panel


def test_no_country_no_notice(article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = Campaign.objects.get(language="en", is_active=True)
        campaign.banned_in = ""
        campaign.save()
    assert surfaces(page_soup(article)) == ["panel", "appeal"]


def test_no_active_campaign_no_asks(article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Campaign.objects.filter(language="en").update(is_active=False)
        Campaign.objects.get(language="en").save()
    assert surfaces(page_soup(article)) == []


def test_targeting_by_topic_and_section(article, articles, django_capture_on_commit_callbacks):
    from publishing.models import Topic

    other_topic = Topic.objects.exclude(pk__in=article.topics.all()).first()
    with django_capture_on_commit_callbacks(execute=True):
        variant = AskVariant.objects.get(key="panel-readers")
        variant.is_default = True
        variant.save()
        AskVariant.objects.filter(key="panel-gap").update(is_default=False)
        variant.target_topics.set([other_topic])
    panel = page_soup(article).select_one("[data-ask-surface=panel]")
    # panel-readers targets a topic this article lacks, so panel-gap is the only one left
    assert panel.select_one(".ask__variant")["data-ask-variant"] == "panel-gap"
    assert panel.find_all("template") == []
    with django_capture_on_commit_callbacks(execute=True):
        variant.target_topics.set(article.topics.all())
    panel = page_soup(article).select_one("[data-ask-surface=panel]")
    assert panel.select_one(".ask__variant")["data-ask-variant"] == "panel-readers"


def test_a_copy_change_is_live_on_the_next_request(article, django_capture_on_commit_callbacks):
    assert "Fresh copy" not in page_soup(article).get_text()
    with django_capture_on_commit_callbacks(execute=True):
        variant = AskVariant.objects.get(key="panel-gap")
        variant.body = "Fresh copy: {gap} to go."
        variant.full_clean()
        variant.save()
    assert "Fresh copy: €48,000 to go." in page_soup(article).get_text(" ", strip=True)


def test_unknown_placeholders_are_refused_by_name():
    variant = AskVariant.objects.get(key="panel-gap")
    variant.body = "We need {money} by {deadline}."
    with pytest.raises(ValidationError) as error:
        variant.full_clean()
    message = " ".join(error.value.message_dict["body"])
    assert "{money}" in message and "{deadline}" in message
    variant.body = "Unbalanced {gap"
    with pytest.raises(ValidationError):
        variant.full_clean()


def test_copy_is_escaped(article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        AskVariant.objects.filter(key="panel-gap").update(body="<script>alert(1)</script> {gap}")
        Campaign.objects.get(language="en", is_active=True).save()
    soup = page_soup(article)
    panel = soup.select_one("[data-ask-surface=panel]")
    assert panel.find("script") is None
    assert "<script>alert(1)</script>" in panel.get_text()


def test_only_one_active_campaign_per_language():
    active = Campaign.objects.get(language="en", is_active=True)
    second = Campaign(
        name="Second",
        language="en",
        is_active=True,
        currency="EUR",
        monthly_cost=Decimal(10),
        ad_free_since=active.ad_free_since,
    )
    with pytest.raises(ValidationError) as error:
        second.full_clean()
    assert "is_active" in error.value.message_dict


def test_amount_choices_below_the_minimum_are_refused():
    campaign = Campaign.objects.get(language="en", is_active=True)
    campaign.monthly_amounts = "1, 5"
    campaign.one_time_amounts = "ten"
    with pytest.raises(ValidationError) as error:
        campaign.full_clean()
    assert set(error.value.message_dict) >= {"monthly_amounts", "one_time_amounts"}


def test_the_site_banner_is_off_by_default_and_shows_when_switched_on(article, django_capture_on_commit_callbacks):
    assert "banner" not in surfaces(page_soup(article))
    with django_capture_on_commit_callbacks(execute=True):
        campaign = Campaign.objects.get(language="en", is_active=True)
        campaign.banner_enabled = True
        campaign.save()
    soup = page_soup(article)
    assert surfaces(soup) == ["banner", "panel", "notice", "appeal"]
    banner = soup.select_one("[data-ask-surface=banner]")
    assert "Help us cover €48,000 a month." in banner.get_text(" ", strip=True)
    assert banner.find_parent("article") is None  # above the story, not inside it


def test_pages_with_live_figures_are_cached_a_minute_at_most(article):
    import time_machine
    from django.conf import settings

    client = Client()
    with time_machine.travel(0, tick=False) as traveller:
        traveller.move_to("2026-11-20 10:00:00+00:00")
        assert client.get(article.url).headers["X-Page-Cache"] == "miss"
        assert client.get("/topics/").headers["X-Page-Cache"] == "miss"
        assert client.get(article.url).headers["X-Page-Cache"] == "hit"
        traveller.shift(settings.GOAL_MAX_AGE + 1)
        assert client.get(article.url).headers["X-Page-Cache"] == "miss"  # the gap is re-read
        assert client.get("/topics/").headers["X-Page-Cache"] == "hit"  # no figures: kept longer
