"""Russian pages speak Russian only: no English interface string (the catalogue's msgids) and no English name of the
content (sections, topics, licences, author roles) in what a reader sees or hears — the visible text and the title,
alt, aria-label, placeholder and OpenGraph attributes — except inside an element that says it is another language
(``lang``). On the site and in its static export; the Russian fronts link to their English pairs both ways."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client

from publishing.demo import content
from publishing.models import ArticlePage

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"
SPOKEN_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
# what sharing previews and search results show of a page (og:type and the like are tokens, not words)
SPOKEN_META = ", ".join(
    [f"meta[property='{name}']" for name in ("og:title", "og:description", "og:image:alt", "article:section")]
    + ["meta[property='article:tag']", "meta[name='description']"]
)
ENTRY = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{\{.*?\}\}|\{[a-z_]*\}")


def _unquote(lines):
    return "".join(line[1:-1] for line in lines.strip().splitlines()).replace('\\"', '"').replace("\\n", "\n")


def english_strings():
    """The catalogue's English interface strings that Russian pages say otherwise (their fixed parts, without
    placeholders), and the English names of the demo's content that have a Russian name."""
    found = set()
    for msgid, msgstr in ENTRY.findall(CATALOGUE.read_text()):
        english, russian = _unquote(msgid), _unquote(msgstr)
        if not english or not russian or english == russian:
            continue
        for part in PLACEHOLDER.split(english):
            part = part.strip(" .,:;—()\n")
            if len(part) >= 4 and re.search(r"[A-Za-z]{3}", part):
                found.add(part)
    names = [(s["title"], s["title_ru"]) for s in content.SECTIONS]
    names += [(t["name"], t["name_ru"]) for t in content.TOPICS]
    names += [(a["role"], a["role_ru"]) for a in content.AUTHORS]
    names += [(lic["name"], lic["name_ru"]) for lic in content.LICENCES]
    found |= {english for english, russian in names if english != russian}
    return found


def russian_words(html):
    """What a reader of the page sees or hears in the page's language: text, spoken attributes, OpenGraph."""
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == "ru"
    said = [soup.title.get_text()]
    said += [meta["content"] for meta in soup.select(SPOKEN_META)]
    for element in soup.find_all(lang=True):
        if not element.decomposed and element.name != "html" and element["lang"] != "ru":
            element.decompose()  # another language, and it says so (with what is inside it)
    for element in soup(["script", "style", "template"]):
        element.decompose()
    said += list(soup.body.stripped_strings)
    said += [element[name] for name in SPOKEN_ATTRIBUTES for element in soup.find_all(attrs={name: True})]
    return "\n".join(said)


def payment_details(options=None):
    """The configured account and addresses, shown verbatim as the bank and wallets give them (data, not words)."""
    options = settings.PAYMENT_PROVIDERS if options is None else options
    if isinstance(options, dict):
        return [found for value in options.values() for found in payment_details(value)]
    if isinstance(options, list):
        return [found for value in options for found in payment_details(value)]
    return [options] if isinstance(options, str) else []


def english_in(html, strings):
    said = russian_words(html)
    for detail in payment_details():
        said = said.replace(detail, "")
    return sorted(s for s in strings if re.search(rf"(?<![A-Za-z]){re.escape(s)}(?![A-Za-z])", said))


@pytest.fixture(scope="module")
def catalogue_english():
    return english_strings()


def russian_paths(russian_article):
    return [
        *("/ru/", "/ru/news/", "/ru/business/", russian_article.url),
        *("/support/?lang=ru", "/support/ru/already/", "/support/remind/?lang=ru", "/support/manage/?lang=ru"),
    ]


def test_the_english_strings_are_known(catalogue_english):
    # the check means something: the interface and the names it looks for are there
    assert {"Read more", "Skip to content", "All rights reserved", "Regional correspondent", "Economy"} <= (
        catalogue_english
    )


def test_russian_pages_say_nothing_in_english(russian_article, catalogue_english):
    client = Client()
    for path in russian_paths(russian_article):
        response = client.get(path)
        assert response.status_code == 200, path
        assert english_in(response.content.decode(), catalogue_english) == [], path


def test_russian_pages_name_sections_topics_licences_and_roles_in_russian(russian_article):
    soup = BeautifulSoup(Client().get(russian_article.url).content, "html.parser")
    nav = [a.get_text(strip=True) for a in soup.select(".site-nav a")]
    assert {"Новости", "Расследования", "Экономика", "Мнения", "Темы"} <= set(nav)
    assert soup.select_one("meta[property='article:section']")["content"] == "Новости"
    tags = {meta["content"] for meta in soup.select("meta[property='article:tag']")}
    assert tags and tags <= {t["name_ru"] for t in content.TOPICS}
    assert {a.get_text(strip=True) for a in soup.select(".topic-tags a")} == tags
    roles = {r.get_text(strip=True).strip("()") for r in soup.select(".article__role")}
    assert roles and roles <= {a["role_ru"] for a in content.AUTHORS}


def test_the_russian_front_shows_russian_stories_only_and_offers_english():
    soup = BeautifulSoup(Client().get("/ru/").content, "html.parser")
    cards = soup.select("article.card")
    assert cards and {card["lang"] for card in cards} == {"ru"}
    assert soup.select_one(".section-block__title a")["href"].startswith("/ru/")
    english = soup.select_one(".language-switch a[hreflang='en']")
    assert english["href"] == "/" and english["lang"] == "en"


def test_the_front_is_the_same_bytes_for_every_reader_and_offers_russian():
    client = Client()
    plain = client.get("/")
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content == plain.content
    assert "Accept-Language" not in plain.headers.get("Vary", "")
    soup = BeautifulSoup(plain.content, "html.parser")
    offer = soup.select_one(".language-switch a[hreflang='ru']")
    assert offer["href"] == "/ru/" and offer["lang"] == "ru" and offer.get_text(strip=True) == "Русский"


def alternates(html):
    soup = BeautifulSoup(html, "html.parser")
    return {link["hreflang"]: link["href"] for link in soup.select("link[rel='alternate'][hreflang]")}


@pytest.mark.parametrize(
    ("english", "russian"),
    [("/", "/ru/"), ("/news/", "/ru/news/"), ("/support/", "/support/?lang=ru")],
)
def test_each_pair_names_the_other_with_absolute_hreflang_alternates(english, russian):
    client = Client()
    expected = {
        "en": settings.CANONICAL_URL + english,
        "ru": settings.CANONICAL_URL + russian,
        "x-default": settings.CANONICAL_URL + english,
    }
    assert alternates(client.get(english).content) == expected
    assert alternates(client.get(russian).content) == expected


def test_read_more_under_a_russian_story_labels_each_english_headline(russian_article):
    soup = BeautifulSoup(Client().get(russian_article.url).content, "html.parser")
    cards = soup.select(".read-more article.card")
    assert cards
    russian_first = [card["lang"] for card in cards]
    assert russian_first == sorted(russian_first, key=lambda code: code != "ru")  # the story's language first
    for card in cards:
        label = card.select_one(".card__language")
        if card["lang"] == "ru":
            assert label is None
        else:
            assert label["lang"] == "ru" and label.get_text(strip=True) == "На английском"


def test_an_english_front_labels_a_russian_headline():
    soup = BeautifulSoup(Client().get("/").content, "html.parser")
    russian = [card for card in soup.select("article.card") if card["lang"] == "ru"]
    assert russian
    for card in russian:
        assert card.select_one(".card__language").get_text(strip=True) == "In Russian"


def test_the_exported_russian_pages_say_nothing_in_english(demo_export, russian_article, catalogue_english):
    for path in ["/ru/", "/ru/news/", russian_article.url]:
        page = demo_export.root / path.strip("/") / "index.html"
        html = page.read_text()
        assert english_in(html, catalogue_english) == [], path
    assert alternates((demo_export.root / "ru" / "index.html").read_text())["en"] == settings.CANONICAL_URL + "/"


def test_the_sitemap_lists_each_front_with_its_hreflang_alternates():
    from xml.etree import ElementTree

    root = ElementTree.fromstring(Client().get("/sitemap-pages.xml").content)
    sitemap, xhtml = "{http://www.sitemaps.org/schemas/sitemap/0.9}", "{http://www.w3.org/1999/xhtml}"
    listed = {
        url.find(f"{sitemap}loc").text: {link.get("hreflang"): link.get("href") for link in url.iter(f"{xhtml}link")}
        for url in root.iter(f"{sitemap}url")
    }
    base = settings.CANONICAL_URL
    pair = {"en": base + "/news/", "ru": base + "/ru/news/", "x-default": base + "/news/"}
    assert listed[base + "/news/"] == pair and listed[base + "/ru/news/"] == pair
    assert listed[base + "/ru/"] == {"en": base + "/", "ru": base + "/ru/", "x-default": base + "/"}


def test_section_names_on_russian_pages_lead_to_the_russian_section_fronts(russian_article):
    client = Client()
    kickers = BeautifulSoup(client.get(russian_article.url).content, "html.parser").select(".card__kicker a")
    english_article = ArticlePage.objects.live().filter(language="en").first()
    english = BeautifulSoup(client.get(english_article.url).content, "html.parser").select(".card__kicker a")
    assert kickers and all(re.fullmatch(r"/ru/[-\w]+/", a["href"]) for a in kickers)
    for a in kickers:
        assert client.get(a["href"]).status_code == 200
    assert english and not any(a["href"].startswith("/ru/") for a in english)
