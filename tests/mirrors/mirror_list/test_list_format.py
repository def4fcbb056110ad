"""/mirrors.json: the Bypass Censorship v2 shape plus ours, valid against the shipped schema, signed so that our
verifier and the stock minisign program both accept it, and holding only the public pool (REACH.md R2 checks 1, 2, 4)."""

import copy
import json
import shutil
import subprocess

import pytest

from mirrors import mirror_list
from mirrors.actions import record_mirror_health
from mirrors.models import Mirror
from mirrors.signing import BadSignature, Signer, key_id_text, parse_public_key, verify
from mirrors.verification import shape_problems
from tests.mirrors.mirror_list import schema_check
from tests.mirrors.mirror_list.conftest import TEST_ACTOR, add, onion

pytestmark = pytest.mark.django_db

PUBLIC_ADDRESSES = ("/mirrors.json", "/.well-known/samizdat-mirrors.json", "/mirrors/", "/mirrors/ru/")


def served(client, path):
    response = client.get(path, HTTP_ACCEPT_ENCODING="identity")
    assert response.status_code == 200, path
    return response


def served_list(client):
    data = served(client, "/mirrors.json").content
    signature = served(client, "/mirrors.json.minisig").content.decode()
    return data, signature, json.loads(data)


def test_the_list_has_the_bypass_v2_shape_onions_first(a_few_mirrors, origin_client):
    response = served(origin_client, "/mirrors.json")
    payload = json.loads(response.content)

    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"] and not response.cookies
    assert payload["version"] == "2.0" and payload["schema"] == "samizdat-mirrors/1"
    assert payload["sites"][0]["main_domain"] == "samizdat.example"
    alternatives = payload["sites"][0]["available_alternatives"]
    for entry in alternatives:
        for name in ("proto", "type", "url", "created_at", "updated_at"):
            assert isinstance(entry[name], str), (entry, name)
    assert [entry["url"] for entry in alternatives] == [a_few_mirrors["onion"].url, a_few_mirrors["cdn"].url]
    onion_entry, cdn_entry = alternatives
    assert (onion_entry["proto"], onion_entry["type"], onion_entry["kind"]) == ("tor", "eotk", "onion")
    assert (cdn_entry["proto"], cdn_entry["type"], cdn_entry["kind"]) == ("https", "mirror", "static")
    assert payload["export"] == {"tree_hash": None, "manifest": "/manifest.json"}
    assert payload["next_public_key"] is None


def test_the_list_validates_against_the_shipped_schema(a_few_mirrors, origin_client):
    _data, _signature, payload = served_list(origin_client)

    assert schema_check.errors(payload) == []
    assert shape_problems(payload) == []


@pytest.mark.parametrize(
    "spoil, expected",
    [
        (lambda p: p.pop("valid_until"), "lacks valid_until"),
        (lambda p: p.update(sequence=0), "sequence: below 1"),
        (lambda p: p.update(extra=1), "has extra"),
        (lambda p: p["sites"][0]["available_alternatives"][0].update(proto="https"), ".proto: is not 'tor'"),
        (lambda p: p["sites"][0]["available_alternatives"][1].update(pool="newsletter"), ".pool: is not 'public'"),
        (lambda p: p["sites"][0]["available_alternatives"][1].update(url="http://cdn.example"), "does not match"),
        (lambda p: p.update(next_public_key="RWnot-a-key"), "next_public_key: matches 0"),
        (lambda p: p.update(generated_at="2026-11-29 10:00:00"), "generated_at: '2026-11-29 10:00:00' does not"),
    ],
)
def test_the_schema_refuses_what_a_list_must_not_be(a_few_mirrors, origin_client, spoil, expected):
    _data, _signature, payload = served_list(origin_client)
    spoilt = copy.deepcopy(payload)
    spoil(spoilt)

    assert any(expected in problem for problem in schema_check.errors(spoilt)), schema_check.errors(spoilt)


def test_the_signature_verifies_and_signs_the_sequence_and_validity(a_few_mirrors, origin_client):
    data, signature, payload = served_list(origin_client)
    public_key = Signer.from_settings().public_key

    comment = verify(data, signature, public_key)
    fields = mirror_list.comment_fields(comment)
    valid_until = mirror_list.parse_timestamp(payload["valid_until"])
    assert fields["file"] == "mirrors.json"
    assert fields["sequence"] == str(payload["sequence"])
    assert fields["valid_until"] == str(int(valid_until.timestamp()))
    assert int(fields["timestamp"]) == int(mirror_list.parse_timestamp(payload["generated_at"]).timestamp())


def test_changing_any_byte_of_the_list_or_the_trusted_comment_fails(a_few_mirrors, origin_client):
    data, signature, payload = served_list(origin_client)
    public_key = Signer.from_settings().public_key
    for position in (0, len(data) // 3, data.index(b'"sequence"') + 12, len(data) - 1):
        changed = bytearray(data)
        changed[position] ^= 0x01
        with pytest.raises(BadSignature):
            verify(bytes(changed), signature, public_key)
    with pytest.raises(BadSignature):
        verify(data + b" ", signature, public_key)
    lines = signature.splitlines()
    sequence = payload["sequence"]
    for forged in (
        lines[2].replace(f"sequence:{sequence}", f"sequence:{sequence + 1}"),
        lines[2].replace("valid_until:", "valid_until:9"),
    ):
        assert forged != lines[2]
        with pytest.raises(BadSignature, match="trusted comment"):
            verify(data, "\n".join([lines[0], lines[1], forged, lines[3]]) + "\n", public_key)


def test_stock_minisign_verifies_the_served_list(a_few_mirrors, origin_client, tmp_path):
    if shutil.which("minisign") is None:  # make test and .ci/run install it: missing, it is a broken setup
        pytest.fail("the minisign program is not installed; run scripts/ensure_system.sh nginx (as root)")
    data, signature, payload = served_list(origin_client)
    (tmp_path / "mirrors.json").write_bytes(data)
    (tmp_path / "mirrors.json.minisig").write_text(signature)
    (tmp_path / "samizdat-mirrors.pub").write_bytes(served(origin_client, "/.well-known/samizdat-mirrors.pub").content)
    public_key = Signer.from_settings().public_key

    by_key = subprocess.run(
        ["minisign", "-Vm", "mirrors.json", "-P", public_key], cwd=tmp_path, capture_output=True, text=True
    )
    by_file = subprocess.run(
        ["minisign", "-Vm", "mirrors.json", "-p", "samizdat-mirrors.pub"], cwd=tmp_path, capture_output=True, text=True
    )
    assert by_key.returncode == 0, by_key.stderr
    assert by_file.returncode == 0, by_file.stderr
    assert f"sequence:{payload['sequence']}" in by_key.stdout
    (tmp_path / "mirrors.json").write_bytes(data + b"\n")
    spoilt = subprocess.run(["minisign", "-Vm", "mirrors.json", "-P", public_key], cwd=tmp_path, capture_output=True)
    assert spoilt.returncode != 0


def test_the_well_known_copy_is_the_same_list_and_the_key_file_is_minisigns(a_few_mirrors, origin_client):
    assert (
        served(origin_client, "/.well-known/samizdat-mirrors.json").content
        == served(origin_client, "/mirrors.json").content
    )
    assert (
        served(origin_client, "/.well-known/samizdat-mirrors.json.minisig").content
        == served(origin_client, "/mirrors.json.minisig").content
    )
    key_file = served(origin_client, "/.well-known/samizdat-mirrors.pub")
    public_key = Signer.from_settings().public_key
    key_id = key_id_text(parse_public_key(public_key)[0])

    assert key_file.content.decode() == f"untrusted comment: minisign public key {key_id}\n{public_key}\n"
    assert key_file["Content-Type"] == "application/octet-stream"


def test_no_pool_but_the_public_one_appears_anywhere_readers_look(a_few_mirrors, origin_client):
    hidden = [a_few_mirrors[name].url for name in ("newsletter", "email", "app", "private")]
    hosts = [url.split("://", 1)[1] for url in hidden]
    published = {
        path: served(origin_client, path).content.decode() for path in (*PUBLIC_ADDRESSES, "/mirrors/feed.xml")
    }

    for path, text in published.items():
        for host in hosts:
            assert host not in text, f"{host} (not of the public pool) is in {path}"
    assert a_few_mirrors["cdn"].url in published["/mirrors/"]
    assert a_few_mirrors["onion"].url in published["/mirrors/feed.xml"]


def test_nothing_is_served_before_a_first_signing(clean_slate, origin_client):
    for path in (*PUBLIC_ADDRESSES, "/mirrors.json.minisig", "/.well-known/samizdat-mirrors.pub", "/mirrors/feed.xml"):
        assert origin_client.get(path).status_code == 404, path


def test_the_bytes_hold_still_between_signings(a_few_mirrors, origin_client, django_capture_on_commit_callbacks):
    first, signature, payload = served_list(origin_client)
    record_mirror_health(actor=TEST_ACTOR, mirror_id=a_few_mirrors["cdn"].pk, health=Mirror.Health.FRESH)

    again, signature_again, _ = served_list(origin_client)
    assert (again, signature_again) == (first, signature)  # a health check signs nothing

    with django_capture_on_commit_callbacks(execute=True):  # the commit tells the page cache
        add(onion("another public onion"))
    _after, _signature, changed = served_list(origin_client)
    assert changed["sequence"] == payload["sequence"] + 1
    assert len(mirror_list.public_alternatives(changed)) == 3
