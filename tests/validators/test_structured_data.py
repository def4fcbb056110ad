"""Every article's schema.org NewsArticle carries the fields search engines document as recommended."""

import json

from bs4 import BeautifulSoup
from django.test import Client


def news_article(path):
    soup = BeautifulSoup(Client().get(path, secure=True).content, "html.parser")
    blocks = [json.loads(tag.string) for tag in soup.find_all("script", type="application/ld+json")]
    return next(block for block in blocks if block.get("@type") == "NewsArticle")


def test_every_article_has_the_recommended_news_article_fields(articles):
    for article in articles:
        data = news_article(article.url)
        for field in ("headline", "datePublished", "dateModified", "author", "publisher", "mainEntityOfPage"):
            assert data.get(field), (article.url, field)
        if article.lead_image_id:
            assert data["image"] and all(url.startswith("https://") for url in data["image"]), article.url
        assert all(author["@type"] == "Person" and author["name"] for author in data["author"]), article.url
        publisher = data["publisher"]
        assert publisher["name"] and publisher["url"].startswith("https://"), article.url
        assert publisher["logo"]["@type"] == "ImageObject" and publisher["logo"]["url"].startswith("https://")
        assert len(data["headline"]) <= 110, article.url
