"""*Mirrors* in the admin: who may see and change them, what adding, editing, blocking, retiring and restoring do to
the signed list, and bad input refused with a message that names the problem, changing nothing, never a 500."""

import base64
import hashlib
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from core.models import AuditEntry
from mirrors.addresses import onion_address
from mirrors.models import Mirror, MirrorList
from tests.mirrors.mirror_list.conftest import onion

pytestmark = pytest.mark.django_db

LIST = "/admin/mirrors/"
ADD = "/admin/mirrors/add/"


def signed_in(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def editor():
    return signed_in("editor")


def form(url, kind="static", carrier="domain", pool="public", note=""):
    return {"url": url, "kind": kind, "carrier": carrier, "pool": pool, "note": note}


def newest_sequence():
    return MirrorList.objects.order_by("-sequence").values_list("sequence", flat=True).first()


def public_urls_served():
    payload = json.loads(MirrorList.objects.order_by("-sequence").first().body)
    return [entry["url"] for entry in payload["sites"][0]["available_alternatives"]]


def test_editors_see_and_change_mirrors(a_few_mirrors, editor):
    page = editor.get(LIST)
    html = page.content.decode()

    assert page.status_code == 200
    for mirror in a_few_mirrors.values():
        assert mirror.url in html  # every pool, the private one too: this is the newsroom's own view
    assert 'data-mirror-list="' in html and "data-add-mirror" in html
    assert editor.get(ADD).status_code == 200
    assert editor.get(f"/admin/mirrors/{a_few_mirrors['cdn'].pk}/").status_code == 200


@pytest.mark.parametrize("username", ["revenue", "contributor"])
def test_other_roles_are_turned_away_and_change_nothing(a_few_mirrors, username):
    client = signed_in(username)
    cdn = a_few_mirrors["cdn"]
    before = newest_sequence()

    for response in (
        client.get(LIST),
        client.get(ADD),
        client.post(ADD, form("https://sneaky.mirror-test.example")),
        client.post(f"/admin/mirrors/{cdn.pk}/block/"),
        client.post(f"/admin/mirrors/{cdn.pk}/", form("https://moved.mirror-test.example")),
    ):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    cdn.refresh_from_db()
    assert cdn.blocked_at is None and cdn.url == "https://cdn.mirror-test.example"
    assert not Mirror.objects.filter(url__contains="sneaky").exists() and newest_sequence() == before
    assert "/admin/mirrors/" not in client.get("/admin/").content.decode()  # no menu item, no panel


def test_signed_out_visitors_are_sent_to_sign_in(a_few_mirrors):
    response = Client().get(LIST)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_adding_a_public_mirror_signs_the_list_again_with_it(a_few_mirrors, editor):
    before = newest_sequence()
    response = editor.post(ADD, form("HTTPS://New.Mirror-Test.example/", carrier="cdn"))

    assert response.status_code == 302 and response["Location"] == LIST
    mirror = Mirror.objects.get(url="https://new.mirror-test.example")  # one spelling of the address
    assert (mirror.kind, mirror.carrier, mirror.pool) == ("static", "cdn", "public")
    assert newest_sequence() == before + 1 and mirror.url in public_urls_served()
    added = AuditEntry.objects.get(action="mirror.added", subject_id=str(mirror.pk))
    assert added.actor_kind == "staff" and added.data["url"] == mirror.url
    assert AuditEntry.objects.filter(action="mirror_list.signed", data__sequence=before + 1).exists()


def test_adding_a_private_mirror_signs_nothing(a_few_mirrors, editor):
    before = newest_sequence()
    editor.post(ADD, form("https://quiet.mirror-test.example", pool="private"))

    assert Mirror.objects.filter(url="https://quiet.mirror-test.example").exists()
    assert newest_sequence() == before


def _onion_with(version=b"\x03", flip=False):
    key = hashlib.sha256(b"a key").digest()
    address = onion_address(key)
    if version != b"\x03":
        checksum = hashlib.sha3_256(b".onion checksum" + key + version).digest()[:2]
        address = base64.b32encode(key + checksum + version).decode().lower() + ".onion"
    if flip:  # one mistyped character
        address = ("b" if address[10] != "b" else "c").join((address[:10], address[11:]))
    return "http://" + address


BAD_INPUT = [
    (form("mirror.example.org"), "url", "Enter a full web address"),
    (form("ftp://files.example.org"), "url", "Enter a full web address"),
    (form("not a web address"), "url", "no spaces"),
    (form("http://plain.example.org"), "url", "must use https://"),
    (form("https://someone:secret@mirror.example.org"), "url", "user name or password"),
    (form("https://mirror.example.org/?from=mail"), "url", "no query"),
    (form("https://mirror..example.org"), "url", "is not a host name"),
    (form("https://mirror.example.org:99999"), "url", "not a web address"),
    (form("https://" + "a" * 300 + ".example.org"), "url", "at most 300 characters"),
    (form("http://abcdefghijklmnop.onion", kind="onion", carrier="onion"), "url", "56 letters and digits"),
    (form(_onion_with(flip=True), kind="onion", carrier="onion"), "url", "wrong checksum"),
    (form(_onion_with(version=b"\x04"), kind="onion", carrier="onion"), "url", "not a version 3 onion"),
    (form(onion("fine"), kind="static"), "kind", "choose that kind"),
    (form("https://mirror.example.org", kind="onion"), "url", "ends in .onion"),
    (form("https://mirror.example.org", carrier="onion"), "carrier", "Only an onion service"),
    (form("https://samizdat.example"), "url", "the site's own address"),
    (form("HTTPS://CDN.Mirror-Test.example/"), "url", "already in the list of mirrors"),
    (form("https://mirror.example.org", pool="everyone"), "pool", "Select a valid choice"),
    (form(""), "url", "This field is required"),
]


@pytest.mark.parametrize("data, field, message", BAD_INPUT)
def test_bad_input_gets_a_message_on_its_field_and_changes_nothing(a_few_mirrors, editor, data, field, message):
    mirrors, lists, entries = Mirror.objects.count(), MirrorList.objects.count(), AuditEntry.objects.count()
    response = editor.post(ADD, data)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in text for text in errors.get(field, [])), errors
    assert message.split()[0] in response.content.decode()
    assert (Mirror.objects.count(), MirrorList.objects.count(), AuditEntry.objects.count()) == (
        mirrors,
        lists,
        entries,
    )


def test_editing_a_mirror_out_of_the_public_pool_takes_it_off_the_list(a_few_mirrors, editor):
    cdn, before = a_few_mirrors["cdn"], newest_sequence()
    data = form(cdn.url, carrier="cdn", pool="newsletter", note="for the letter now")
    response = editor.post(f"/admin/mirrors/{cdn.pk}/", data)

    assert response.status_code == 302
    cdn.refresh_from_db()
    assert cdn.pool == "newsletter" and cdn.note == "for the letter now"
    assert newest_sequence() == before + 1 and cdn.url not in public_urls_served()
    assert AuditEntry.objects.get(action="mirror.changed", subject_id=str(cdn.pk)).data["fields"] == ["pool", "note"]


def test_saving_a_mirror_unchanged_signs_nothing_and_records_nothing(a_few_mirrors, editor):
    cdn, before = a_few_mirrors["cdn"], newest_sequence()
    response = editor.post(f"/admin/mirrors/{cdn.pk}/", form(cdn.url, carrier="cdn"))

    assert response.status_code == 302
    assert newest_sequence() == before
    assert not AuditEntry.objects.filter(action="mirror.changed").exists()


def test_editing_to_another_mirrors_address_is_refused(a_few_mirrors, editor):
    cdn = a_few_mirrors["cdn"]
    response = editor.post(f"/admin/mirrors/{cdn.pk}/", form(a_few_mirrors["newsletter"].url))

    assert response.status_code == 400 and "already in the list" in response.content.decode()
    cdn.refresh_from_db()
    assert cdn.url == "https://cdn.mirror-test.example"


def test_block_retire_and_restore_move_a_mirror_off_and_back_onto_the_list(a_few_mirrors, editor):
    cdn, start = a_few_mirrors["cdn"], newest_sequence()

    blocked = editor.post(f"/admin/mirrors/{cdn.pk}/block/", follow=True)
    assert "is marked blocked" in blocked.content.decode()
    cdn.refresh_from_db()
    assert cdn.blocked_at is not None and newest_sequence() == start + 1 and cdn.url not in public_urls_served()

    again = editor.post(f"/admin/mirrors/{cdn.pk}/block/", follow=True)
    assert "was already marked blocked" in again.content.decode() and newest_sequence() == start + 1

    restored = editor.post(f"/admin/mirrors/{cdn.pk}/restore/", follow=True)
    assert "is back on its pool" in restored.content.decode()
    assert newest_sequence() == start + 2 and cdn.url in public_urls_served()

    editor.post(f"/admin/mirrors/{cdn.pk}/retire/")
    cdn.refresh_from_db()
    assert cdn.retired_at is not None and newest_sequence() == start + 3 and cdn.url not in public_urls_served()
    actions = AuditEntry.objects.filter(subject_type="mirrors.mirror", subject_id=str(cdn.pk)).values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["mirror.added", "mirror.blocked", "mirror.restored", "mirror.retired"]


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("get", "/admin/mirrors/{pk}/block/", 405),
        ("post", "/admin/mirrors/{pk}/delete/", 404),
        ("get", "/admin/mirrors/999999999/", 404),
        ("post", "/admin/mirrors/999999999/block/", 404),
        ("get", "/admin/mirrors/99999999999999999999999/", 404),
        ("post", "/admin/mirrors/0/restore/", 404),
    ],
)
def test_wrong_addresses_and_methods_are_refused_without_an_error(a_few_mirrors, editor, method, path, status):
    response = getattr(editor, method)(path.format(pk=a_few_mirrors["cdn"].pk))
    assert response.status_code == status


def test_the_dashboard_shows_how_the_mirrors_are_doing(a_few_mirrors, editor):
    from core.actions import Actor
    from mirrors.actions import record_mirror_health

    record_mirror_health(actor=Actor.system("test"), mirror_id=a_few_mirrors["cdn"].pk, health="stale")
    record_mirror_health(actor=Actor.system("test"), mirror_id=a_few_mirrors["app"].pk, health="down")
    html = editor.get("/admin/").content.decode()

    assert "data-mirror-health" in html
    assert "Fresh: 0 · stale: 1 · down: 1 · not checked yet: 4." in " ".join(html.split())
