import json

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client

from publishing.models import ArticlePage

pytestmark = pytest.mark.django_db


def soup_of(path):
    response = Client().get(path)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_article_shows_everything_a_story_needs(article):
    soup = soup_of(article.url)
    assert soup.find("h1").get_text(strip=True) == article.title
    assert soup.select_one(".article__standfirst").get_text(strip=True) == article.standfirst
    byline = soup.select_one(".article__byline").get_text(" ", strip=True)
    for byline_entry in article.bylines.all():
        assert byline_entry.author.name in byline
    published = soup.select_one(".article__dates time")
    assert published["datetime"].startswith(article.first_published_at.date().isoformat())
    figure = soup.select_one("figure.figure--lead")
    image = article.lead_image
    assert figure.img["alt"] == image.alt_text
    caption = figure.figcaption.get_text(" ", strip=True)
    assert image.caption in caption and image.credit in caption and image.licence.name in caption
    if image.licence.deed_url:
        assert figure.find("a", rel="license")["href"] == image.licence.deed_url
    topics = [a.get_text(strip=True) for a in soup.select(".topic-tags a")]
    assert topics == [topic.name for topic in article.topics.all()]
    read_more = soup.select(".read-more .card__title a")
    assert 3 <= len(read_more) <= 5
    assert article.url not in [a["href"] for a in read_more]


def test_body_blocks_each_render(articles):
    seen = set()
    for article in articles:
        html = Client().get(article.url).content.decode()
        soup = BeautifulSoup(html, "html.parser")
        body = soup.select_one(".article__body")
        for block in article.body:
            seen.add(block.block_type)
        if any(b.block_type == "pull_quote" for b in article.body):
            assert body.select_one(".pull-quote blockquote")
        if any(b.block_type == "fact_box" for b in article.body):
            assert body.select_one(".fact-box h2")
        if any(b.block_type == "subheading" for b in article.body):
            assert body.select_one("h2.body-subheading")
        if any(b.block_type == "image" for b in article.body):
            inline = body.select_one("figure.figure")
            assert inline.img["alt"] and inline.select_one(".figure__licence")
        first_paragraph = next(b for b in article.body if b.block_type == "paragraph")
        text = BeautifulSoup(first_paragraph.value.source, "html.parser").get_text(" ", strip=True)
        assert text[:60] in body.get_text(" ", strip=True)
    assert {"paragraph", "subheading", "pull_quote", "fact_box", "image"} <= seen


def test_json_ld_and_open_graph(article):
    soup = soup_of(article.url)
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["mainEntityOfPage"] == settings.CANONICAL_URL + article.url
    assert data["image"][0].startswith(settings.CANONICAL_URL + "/media/images/")
    assert {author["name"] for author in data["author"]} == {b.author.name for b in article.bylines.all()}
    og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
    assert og["og:type"] == "article"
    assert og["og:title"] == article.title
    assert og["og:url"] == settings.CANONICAL_URL + article.url
    assert og["og:image"].startswith(settings.CANONICAL_URL + "/media/images/")
    assert soup.find("link", rel="canonical")["href"] == settings.CANONICAL_URL + article.url


def test_updated_date_shows_only_when_an_editor_sets_it(article, django_capture_on_commit_callbacks):
    assert "Updated" not in soup_of(article.url).select_one(".article__dates").get_text()
    article.updated_at = article.first_published_at.replace(year=2027)
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    dates = soup_of(article.url).select_one(".article__dates").get_text(" ", strip=True)
    assert "Updated" in dates and "2027" in dates


def test_an_update_before_first_publication_is_refused(article):
    from django.core.exceptions import ValidationError

    article.updated_at = article.first_published_at.replace(year=2001)
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "updated_at" in error.value.message_dict


def test_no_asks_flag_exists_and_defaults_off(articles):
    assert all(a.no_asks is False for a in articles)
    assert ArticlePage._meta.get_field("no_asks").default is False
