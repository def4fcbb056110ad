"""The reader-safety checks over a static export of the demo (REACH R4 checks 2, 3, 5 and 7 on the export side):
no exported file references another host, every exported page carries the policy and the referrer rule as meta tags
(a static host may send no header at all), and the Safest markup rules hold."""

from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from core.reading import policy_for_meta
from mirrors.audit import audit_tree, font_face_problems, markup_problems
from tests.mirrors.test_headers import strict_problems

pytestmark = pytest.mark.django_db


def exported_html(root):
    return sorted(path for path in root.rglob("*.html") if path.is_file())


def test_no_exported_file_fetches_from_another_host(demo_export):
    canonical = urlsplit(settings.CANONICAL_URL).hostname
    assert len(exported_html(demo_export.root)) > 40
    assert audit_tree(demo_export.root, feed_hosts={canonical}) == []


def test_every_exported_page_carries_the_policy_and_no_referrer_as_meta_tags(demo_export):
    expected = policy_for_meta()
    assert strict_problems(expected) == []
    missing = []
    for path in exported_html(demo_export.root):
        soup = BeautifulSoup(path.read_bytes(), "html.parser")
        where = path.relative_to(demo_export.root).as_posix()
        referrer = soup.find("meta", attrs={"name": "referrer"})
        if referrer is None or referrer.get("content") != "no-referrer":
            missing.append((where, "referrer"))
        policies = [meta["content"] for meta in soup.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})]
        if policies != [expected]:
            missing.append((where, f"policy {policies!r}"))
        elif soup.find("head").find("meta", attrs={"http-equiv": "Content-Security-Policy"}) is None:
            missing.append((where, "policy outside <head>"))
    assert missing == []


def test_exported_pages_and_css_keep_the_safest_markup_rules(demo_export):
    problems = []
    for path in exported_html(demo_export.root):
        problems += markup_problems(path.read_text(), path.relative_to(demo_export.root).as_posix())
    stylesheets = sorted(demo_export.root.rglob("*.css"))
    assert stylesheets
    for path in stylesheets:
        problems += font_face_problems(path.read_text(), path.relative_to(demo_export.root).as_posix())
    assert problems == []
    # No web font files travel with the export either.
    assert [p for p in demo_export.root.rglob("*") if p.suffix.lower() in {".woff", ".woff2", ".ttf", ".otf"}] == []
