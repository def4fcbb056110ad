import pytest
from bs4 import BeautifulSoup
from django.test import Client

from publishing.models import ArticlePage

pytestmark = pytest.mark.django_db


def result_titles(response):
    return [a.get_text(strip=True) for a in BeautifulSoup(response.content, "html.parser").select(".card__title a")]


def distinctive_body_word(article):
    """A long word that appears in this article's body but in no other article's title or standfirst."""
    from bs4 import BeautifulSoup as Soup

    words = []
    for block in article.body:
        if block.block_type == "paragraph":
            words += [w.strip(".,;:!?«»\"'()—") for w in Soup(block.value.source, "html.parser").get_text(" ").split()]
    return max((w for w in words if w.isalpha()), key=len)


def test_search_finds_an_article_by_a_word_of_its_body(article):
    word = distinctive_body_word(article)
    response = Client().get("/search/", {"q": word})
    assert response.status_code == 200
    assert article.title in result_titles(response)


def test_search_finds_russian_words(russian_article):
    word = distinctive_body_word(russian_article)
    response = Client().get("/search/", {"q": word})
    assert russian_article.title in result_titles(response)


def test_empty_search_shows_the_form():
    response = Client().get("/search/")
    assert response.status_code == 200
    assert BeautifulSoup(response.content, "html.parser").find("input", attrs={"name": "q"})


@pytest.mark.parametrize(
    "query",
    [
        "x" * 200,
        "журналистика 新闻 🙂",
        "'; DROP TABLE wagtailcore_page; --",
        '" OR 1=1 --',
        "AND OR NOT NEAR * ( ) ^ : -",
        "%_%\\",
        "a" * 1 + " " * 150,
        "\u202e\u200b",
    ],
)
def test_odd_search_input_never_breaks(query):
    response = Client().get("/search/", {"q": query})
    assert response.status_code in (200, 400)
    assert ArticlePage.objects.live().count() >= 15


def test_too_long_or_symbol_only_input_gets_a_clear_message():
    too_long = Client().get("/search/", {"q": "y" * 201})
    assert too_long.status_code == 400
    assert (
        "at most 200 characters" in BeautifulSoup(too_long.content, "html.parser").select_one(".form-error").get_text()
    )
    symbols = Client().get("/search/", {"q": "*** ---"})
    assert symbols.status_code == 400
    assert "words or numbers" in symbols.content.decode()
    bad_page = Client().get("/search/", {"q": "news", "page": "abc"})
    assert bad_page.status_code == 400


def test_search_with_a_nul_byte_is_refused_cleanly():
    response = Client().get("/search/?q=%00bread")
    assert response.status_code in (200, 400)
