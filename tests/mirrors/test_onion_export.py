"""The static export of a site with an onion service: every exported page carries the onion-location meta tag with its
own path (Tor Browser offers it on an HTTPS mirror, and ignores it on the onion's copy), which the export's host audit
accepts; the page for unknown paths and the redirect stubs, which have no path of their own, carry none. Without an
onion (the demo export) no page has one."""

import re

import pytest
from django.test import override_settings

from mirrors.export.scan import HostRules, scan_html
from tests.mirrors.onion import fresh_address

META = re.compile(r'<meta http-equiv="onion-location" content="([^"]*)">')


@pytest.fixture(scope="module")
def onion_export(django_db_setup, django_db_blocker, tmp_path_factory):
    from mirrors.export.run import ExportOptions, export_site

    address = fresh_address()
    with django_db_blocker.unblock(), override_settings(ONION_ADDRESS=address):
        result = export_site(tmp_path_factory.mktemp("onion-export"), ExportOptions(jobs=1, brotli_quality=1))
    return address, result


def own_path(name):
    """The URL path a static host serves ``name`` (relative to the export root) at."""
    return "/" + name.removesuffix("index.html")


def html_files(root):
    return sorted(path for path in root.rglob("*.html") if path.is_file())


def test_every_exported_page_names_its_own_path_on_the_onion(onion_export):
    address, result = onion_export
    root = result.root
    pages = 0
    for path in html_files(root):
        name = path.relative_to(root).as_posix()
        text = path.read_text()
        found = META.findall(text)
        if name == "404.html" or 'http-equiv="refresh"' in text:
            assert found == [], name  # served for any path, or gone at once to another one
            continue
        assert found == [f"http://{address}{own_path(name)}"], name
        assert text.index('http-equiv="onion-location"') < text.index("</head>"), name
        pages += 1
    assert pages >= 30  # the demo's home, sections, archives, stories, topics and support pages


def test_the_host_audit_accepts_only_our_own_onion():
    address = fresh_address()
    rules = HostRules("https://samizdat.example")
    page = f'<html><head><meta http-equiv="onion-location" content="http://{address}/news/"></head></html>'
    with override_settings(ONION_ADDRESS=address):
        assert scan_html(page, "/news/", rules)[1] == []
        other = page.replace(address, fresh_address())
        assert any("onion-location" in problem for problem in scan_html(other, "/news/", rules)[1])


def test_without_an_onion_no_exported_page_has_the_tag(demo_export):
    assert not any("onion-location" in path.read_text() for path in html_files(demo_export.root))
