"""The Nu HTML Checker (vnu-jar from npm, on Debian's Java) finds no error on any public page type, in both languages.

Every page is fetched from the live test server over the demo newsroom and saved; one Java run checks them all.
"""

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.waiting import EVENT_SECONDS

VALIDATORS = Path(__file__).resolve().parents[2] / "tools" / "validators"
VNU = VALIDATORS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

FIXED_PAGES = {
    "home": "/",
    "topics": "/topics/",
    "search": "/search/?q=vpn",
    "search-empty": "/search/",
    "support": "/support/",
    "remind": "/support/remind/",
    "manage": "/support/manage/",
    "already": "/support/already/",
    "already-ru": "/support/ru/already/",
    "bank-transfer": "/support/bank-transfer/",
    "bank-transfer-ru": "/support/ru/bank-transfer/",
    "crypto": "/support/crypto/",
    "crypto-ru": "/support/ru/crypto/",
    "transparency": "/support/transparency/",
    "transparency-ru": "/support/ru/transparency/",
    "mirrors": "/mirrors/",
    "mirrors-ru": "/mirrors/ru/",
    "not-found": "/no-such-page/",
}


def public_pages(django_db_blocker):
    """Each public page type once, and each reading page type in both languages where the demo has one."""
    from publishing.models import ArticlePage, SectionPage, Topic

    pages = dict(FIXED_PAGES)
    with django_db_blocker.unblock():
        pages["section"] = SectionPage.objects.live().first().url
        for language in ("en", "ru"):
            article = ArticlePage.objects.live().filter(language=language).first()
            pages[f"article-{language}"] = article.url
            topic = Topic.objects.filter(articles__live=True, articles__language=language).first()
            if topic is not None:
                pages[f"topic-{language}"] = topic.get_absolute_url()
    return pages


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=EVENT_SECONDS) as response:
            return response.read()
    except urllib.error.HTTPError as error:  # the 404 page is a page too
        return error.read()


def nu_errors(directory):
    """Run the checker once over every .html file in ``directory``; the errors, as (file name, line, message)."""
    java = shutil.which("java")
    if java is None or not VNU.exists():
        pytest.fail("The Nu HTML Checker needs Java and tools/validators: run `make test` (it installs both).")
    files = sorted(str(path) for path in Path(directory).glob("*.html"))
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=EVENT_SECONDS * 3,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [(Path(m.get("url", "")).name, m.get("lastLine"), m["message"]) for m in messages if m["type"] == "error"]


def test_every_public_page_is_valid_html(reading_server, django_db_blocker, tmp_path):
    for name, path in public_pages(django_db_blocker).items():
        (tmp_path / f"{name}.html").write_bytes(fetch(reading_server + path))
    assert nu_errors(tmp_path) == []


def test_the_static_export_is_valid_html(demo_export, tmp_path):
    """Every page of the export (its own 404 page too), checked as the files a static host serves."""
    for index, page in enumerate(sorted(demo_export.root.rglob("*.html"))):
        shutil.copyfile(page, tmp_path / f"{index:04d}-{page.parent.name or 'root'}-{page.name}")
    assert nu_errors(tmp_path) == []
