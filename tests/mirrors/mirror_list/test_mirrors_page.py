"""/mirrors/ for people, in every language and with no script needed: exactly the public mirrors of the signed list,
onions first, the key and how to check it, how to get Tor where it is blocked; and in the static export, next to the
list it shows (REACH.md R2 check 6, and the pools of check 4 in the export)."""

import json

import pytest
from bs4 import BeautifulSoup

from mirrors import mirror_list
from mirrors.actions import sign_mirror_list
from mirrors.export.manifest import MANIFEST, tree_hash
from mirrors.signing import Signer, verify
from tests.mirrors.mirror_list.conftest import TEST_ACTOR, public_key_of

MIRROR_FILES = (
    "mirrors.json",
    "mirrors.json.minisig",
    ".well-known/samizdat-mirrors.json",
    ".well-known/samizdat-mirrors.json.minisig",
    ".well-known/samizdat-mirrors.pub",
    "mirrors/index.html",
    "mirrors/ru/index.html",
    "mirrors/feed.xml",
)


def listed_urls(html):
    """The mirror links of a mirrors page, in the order they are shown, by section."""
    soup = BeautifulSoup(html, "html.parser")
    return {
        section["data-mirrors"]: [link["href"] for link in section.select("a[data-mirror-url]")]
        for section in soup.select("[data-mirrors]")
    }


def public_urls(payload):
    return [entry["url"] for entry in mirror_list.public_alternatives(payload)]


@pytest.mark.django_db
@pytest.mark.parametrize("path, language", [("/mirrors/", "en"), ("/mirrors/ru/", "ru")])
def test_the_page_lists_exactly_the_public_mirrors_of_the_list_onions_first(
    a_few_mirrors, origin_client, path, language
):
    payload = json.loads(origin_client.get("/mirrors.json").content)
    response = origin_client.get(path)
    html = response.content.decode()
    soup = BeautifulSoup(html, "html.parser")

    assert response.status_code == 200 and response["Content-Language"] == language
    assert soup.html["lang"] == language and "public" in response["Cache-Control"] and not response.cookies
    shown = listed_urls(html)
    assert shown["onion"] + shown["web"] == public_urls(payload)
    assert shown["onion"] == [a_few_mirrors["onion"].url]
    assert not any(tag.get("style") for tag in soup.find_all(True)) and not soup.find("style")
    assert all(script.get("src") for script in soup.find_all("script"))  # no inline script; none needed either
    assert soup.select_one("link[rel=canonical]")["href"] == f"https://samizdat.example{path}"


@pytest.mark.django_db
def test_the_page_shows_the_key_how_to_check_it_and_how_to_get_tor(a_few_mirrors, origin_client):
    soup = BeautifulSoup(origin_client.get("/mirrors/").content, "html.parser")
    public_key = Signer.from_settings().public_key
    sequence = json.loads(origin_client.get("/mirrors.json").content)["sequence"]

    assert soup.select_one("[data-public-key]").get_text() == public_key
    assert soup.select_one("[data-fingerprint]").get_text() == mirror_list.fingerprint(public_key)
    assert soup.select_one("[data-verify-command]").get_text() == f"minisign -Vm mirrors.json -P {public_key}"
    assert soup.select_one("[data-mirror-list]")["data-mirror-list"] == str(sequence)
    links = {link["href"] for link in soup.find_all("a")}
    assert {"/mirrors.json", "/mirrors.json.minisig", "/.well-known/samizdat-mirrors.pub", "/mirrors/feed.xml"} <= links
    assert {"https://www.torproject.org/download/", "mailto:gettor@torproject.org"} <= links
    assert {"https://t.me/GetBridgesBot", "https://bridges.torproject.org/"} <= links
    assert "Snowflake" in soup.get_text() and "obfs4" in soup.get_text()
    assert "/mirrors/ru/" in links  # the other language
    assert soup.select_one("link[rel=alternate][hreflang=ru]")["href"] == "https://samizdat.example/mirrors/ru/"


@pytest.mark.django_db
def test_an_announced_next_key_is_shown(a_few_mirrors, origin_client, settings, django_capture_on_commit_callbacks):
    next_key = public_key_of("next")
    settings.MIRROR_NEXT_PUBLIC_KEY = next_key
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_mirror_list(actor=TEST_ACTOR).signed  # announcing a key is a change of the list

    soup = BeautifulSoup(origin_client.get("/mirrors/").content, "html.parser")
    assert next_key in soup.select_one("[data-next-public-key]").get_text()
    assert json.loads(origin_client.get("/mirrors.json").content)["next_public_key"] == next_key


@pytest.mark.django_db
def test_the_default_language_has_no_prefix_and_unknown_ones_are_404(a_few_mirrors, origin_client):
    assert origin_client.get("/mirrors/en/").status_code == 404
    assert origin_client.get("/mirrors/xx/").status_code == 404
    assert origin_client.post("/mirrors/").status_code == 405


def test_the_export_holds_the_list_its_signature_the_key_the_pages_and_the_feed(demo_export):
    root = demo_export.root
    for name in MIRROR_FILES:
        assert (root / name).is_file(), name
    data = (root / "mirrors.json").read_bytes()
    payload = json.loads(data)
    verify(data, (root / "mirrors.json.minisig").read_text(), Signer.from_settings().public_key)
    assert (root / ".well-known/samizdat-mirrors.json").read_bytes() == data
    for page in ("mirrors/index.html", "mirrors/ru/index.html"):
        shown = listed_urls((root / page).read_text())
        assert shown.get("onion", []) + shown.get("web", []) == public_urls(payload), page
    assert public_urls(payload), "the demo has public mirrors"


def test_the_export_keeps_the_list_out_of_its_tree_hash(demo_export):
    manifest = json.loads((demo_export.root / MANIFEST).read_bytes())
    flags = {entry["path"]: entry for entry in manifest["files"]}
    for name in MIRROR_FILES:
        assert flags[name]["volatile"], name
    hashed = {path: entry["sha256"] for path, entry in flags.items() if not entry["overlay"] and not entry["volatile"]}
    assert tree_hash(hashed) == manifest["tree_hash"]  # signing a new list cannot change the tree it names


def test_no_exported_file_names_a_mirror_outside_the_public_pool(demo_export):
    from mirrors.demo import DEMO_MIRRORS

    hidden = [url.split("://", 1)[1] for url, _kind, _carrier, pool, _note in DEMO_MIRRORS if pool != "public"]
    assert hidden
    for path in demo_export.root.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".json", ".xml", ".txt", ".minisig", ".map", ""}:
            text = path.read_bytes().decode("utf-8", "replace")
            for host in hidden:
                assert host not in text, f"{host} (not of the public pool) is in {path}"
