"""Giving without a server, JavaScript or a card: the public bank-transfer and crypto pages, the same details inline on
/support/, and the appeal's list of ways linking to them. Reading pages: the same bytes for everyone, no cookie."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

DEMO_QR = ["/support/qr/btc.png", "/support/qr/usdt-trc-20.png", "/support/qr/xmr.png"]


def reading(path):
    first, second = Client().get(path), Client().get(path)
    assert first.status_code == 200, path
    assert first.content == second.content
    assert "Set-Cookie" not in first.headers and "public" in first.headers["Cache-Control"]
    return first


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_the_bank_transfer_page_shows_the_account_and_the_general_reference():
    page = soup(reading("/support/bank-transfer/"))
    details = page.select_one("[data-ways-bank]")
    text = details.get_text(" ", strip=True)
    assert "Samizdat Media (DEMO — do not pay)" in text and "XX00 0000 0000 0000 0000 00" in text
    assert "DEMOXXXXXXX" in text and "EUR, USD, GBP" in text
    assert details.select_one("[data-ways-reference]").text == "SUPPORT"
    assert "anonymous gift" in page.get_text()
    assert page.select_one('a[href="/support/"]')  # for a reference of one's own
    assert page.select_one('a[href="/support/crypto/"]')


def test_the_crypto_page_shows_each_address_with_its_qr_code_as_png():
    page = soup(reading("/support/crypto/"))
    wallets = page.select("[data-ways-wallet]")
    assert [w["data-ways-wallet"] for w in wallets] == ["BTC", "USDT (TRC-20)", "XMR"]
    assert wallets[0].select_one("code").text == "bc1q-DEMO-not-a-real-address"
    images = [w.select_one("img") for w in wallets]
    assert [img["src"] for img in images] == DEMO_QR
    assert all(img["alt"].startswith("QR code of our ") for img in images)
    for src in DEMO_QR:
        qr = Client().get(src)
        assert qr.status_code == 200 and qr["Content-Type"] == "image/png"
    assert page.select_one('a[href="/support/bank-transfer/"]')


def test_other_languages_have_their_own_address():
    response = reading("/support/ru/bank-transfer/")
    assert response["Content-Language"] == "ru"
    assert soup(response).html["lang"] == "ru"
    assert reading("/support/ru/crypto/")["Content-Language"] == "ru"
    assert reading("/support/crypto/")["Content-Language"] == "en"
    for path in ("/support/en/crypto/", "/support/xx/crypto/"):
        assert Client().get(path).status_code == 404, path


def test_the_pages_only_read():
    for path in ("/support/bank-transfer/", "/support/crypto/"):
        assert Client().post(path, {"x": "1"}).status_code == 405


@override_settings(PAYMENT_PROVIDERS={})
def test_without_providers_the_pages_say_so():
    assert "We do not take bank transfers at the moment." in reading("/support/bank-transfer/").content.decode()
    page = soup(reading("/support/crypto/"))
    assert "We do not take crypto at the moment." in page.get_text() and not page.select("img[src^='/support/qr/']")


def test_the_support_page_shows_the_ways_without_javascript_inline():
    response = Client().get("/support/")
    ways = soup(response).select_one("[data-ways]")
    assert (
        "XX00 0000 0000 0000 0000 00" in ways.get_text() and ways.select_one("[data-ways-reference]").text == "SUPPORT"
    )
    assert [img["src"] for img in ways.select("[data-ways-wallet] img")] == DEMO_QR
    links = {a["href"] for a in ways.select("a")}
    assert {"/support/bank-transfer/", "/support/crypto/"} <= links
    russian = soup(Client().get("/support/", {"lang": "ru"})).select_one("[data-ways]")
    assert {"/support/ru/bank-transfer/", "/support/ru/crypto/"} <= {a["href"] for a in russian.select("a")}


def test_the_appeal_links_the_ways_that_need_no_server(article, russian_article):
    appeal = soup(Client().get(article.url)).select_one(".ask--appeal .ask__variant .ask__methods")
    links = {a["href"] for a in appeal.select("a")}
    assert links == {"/support/bank-transfer/", "/support/crypto/"}
    russian = soup(Client().get(russian_article.url)).select_one(".ask--appeal .ask__methods")
    assert {a["href"] for a in russian.select("a")} == {"/support/ru/bank-transfer/", "/support/ru/crypto/"}
