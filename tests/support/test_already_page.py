"""“I already support” in the reader's language: at its own address in every language (a static mirror serves it
as a file), reached from the checkout, the thank-you page and the asks of a Russian article in Russian, and from
``?lang=ru`` on the default address. A reading page: no cookie, the same bytes for everyone."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_russian_page_is_in_russian_and_the_english_one_in_english(articles):
    english, russian = Client().get("/support/already/"), Client().get("/support/ru/already/")
    assert english.status_code == russian.status_code == 200
    assert b'lang="en"' in english.content and b"Thank you for supporting us" in english.content
    assert b'lang="ru"' in russian.content
    assert b"Thank you for supporting us" not in russian.content
    for response in (english, russian):
        assert not response.cookies and "public" in response["Cache-Control"]


def test_lang_on_the_default_address_leads_to_the_russian_page_and_nonsense_is_ignored(articles):
    response = Client().get("/support/already/?lang=ru")
    assert (response.status_code, response["Location"]) == (302, "/support/ru/already/")
    assert Client().get("/support/already/?lang=xx").status_code == 200
    assert Client().get("/support/already/?lang=en").status_code == 200
    assert Client().get("/support/en/already/").status_code == 404  # the default language has no prefix
    assert Client().get("/support/xx/already/").status_code == 404


def test_russian_pages_link_to_the_russian_page(articles, russian_article):
    checkout = Client().get("/support/?lang=ru")
    assert b'href="/support/ru/already/"' in checkout.content
    article = Client().get(russian_article.url)
    assert b'href="/support/ru/already/" data-ask-already' in article.content
    assert b'href="/support/already/"' not in article.content
    english = Client().get(articles[0].url)
    assert b'href="/support/already/" data-ask-already' in english.content
