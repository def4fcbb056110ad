import pytest
from bs4 import BeautifulSoup
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_russian_article_has_a_russian_interface(russian_article):
    response = Client().get(russian_article.url)
    assert response.headers["Content-Language"] == "ru"
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.html["lang"] == "ru"
    assert soup.select_one("#read-more-title").get_text(strip=True) == "Читайте также"
    assert soup.select_one(".skip-link").get_text(strip=True) == "Перейти к содержанию"
    dates = soup.select_one(".article__dates").get_text(" ", strip=True)
    assert "Опубликовано" in dates
    month_names = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ]
    assert any(month in dates for month in month_names)


def test_an_english_article_stays_english_whatever_the_browser_asks(article):
    response = Client().get(article.url, HTTP_ACCEPT_LANGUAGE="ru")
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.html["lang"] == "en"
    assert soup.select_one("#read-more-title").get_text(strip=True) == "Read more"
    assert "Accept-Language" not in response.headers.get("Vary", "")


def test_russian_cards_on_english_pages_carry_their_language(russian_article):
    soup = BeautifulSoup(Client().get(russian_article.get_parent().url).content, "html.parser")
    card = next(c for c in soup.select("article.card") if russian_article.title in c.get_text())
    assert card["lang"] == "ru"
