"""manage.py verify_mirrors URL, reading copies of the list from a plain static host as readers' software would: a
replayed older list, an expired one, a changed byte and an unannounced key are refused; a key announced by the old
one is accepted, and then the old key no longer is (REACH.md R2 checks 3 and 5)."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command

from core.models import AuditEntry
from mirrors import mirror_list
from mirrors.actions import sign_mirror_list
from mirrors.models import AcceptedMirrorList
from mirrors.signing import Signer
from tests.mirrors.mirror_list.conftest import TEST_ACTOR, add, onion, public_key_of, seed
from tests.static_host import static_host

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy_host(tmp_path):
    """A folder served over HTTP, like a copy of the list on a bucket or a code-hosting site."""
    (tmp_path / "robots.txt").write_text("User-agent: *\n")
    with static_host(tmp_path) as base:
        yield tmp_path, base


def copy_list(folder, client, *, data=None, signature=None):
    """Put the origin's current list (or the bytes given) into the copy's folder."""
    if data is None:
        data = client.get("/mirrors.json").content
        signature = client.get("/mirrors.json.minisig").content.decode()
    (folder / "mirrors.json").write_bytes(data)
    (folder / "mirrors.json.minisig").write_text(signature)
    return data, signature


def verify(base, *options):
    out = io.StringIO()
    call_command("verify_mirrors", base + "mirrors.json", *options, stdout=out)
    return out.getvalue()


def refused(base, *options):
    with pytest.raises(CommandError) as raised:
        verify(base, *options)
    return str(raised.value)


def signed_anew(capture, **kwargs):
    """Sign a new list and let its commit reach the page cache."""
    with capture(execute=True):
        return sign_mirror_list(actor=TEST_ACTOR, force=True, **kwargs).mirror_list


def test_a_list_is_accepted_once_and_remembered(a_few_mirrors, origin_client, copy_host):
    folder, base = copy_host
    copy_list(folder, origin_client)
    sequence = json.loads((folder / "mirrors.json").read_bytes())["sequence"]

    said = verify(base)
    assert f"Accepted list {sequence} from {base}mirrors.json: 2 mirror(s)" in said
    accepted = AcceptedMirrorList.objects.get()
    assert (accepted.sequence, accepted.public_key) == (sequence, Signer.from_settings().public_key)
    assert AuditEntry.objects.filter(action="mirror_list.accepted", data__sequence=sequence).count() == 1

    assert "(already accepted)" in verify(base)
    assert AcceptedMirrorList.objects.count() == 1


def test_a_lower_sequence_than_the_last_accepted_is_refused(
    a_few_mirrors, origin_client, copy_host, django_capture_on_commit_callbacks
):
    folder, base = copy_host
    old = copy_list(folder, origin_client)
    verify(base)
    with django_capture_on_commit_callbacks(execute=True):
        add(onion("a newer onion"))
    copy_list(folder, origin_client)
    newer = json.loads((folder / "mirrors.json").read_bytes())["sequence"]
    verify(base)

    copy_list(folder, origin_client, data=old[0], signature=old[1])  # a censor replaying the older list
    assert f"lower than that of list {newer}, already accepted" in refused(base)
    assert AcceptedMirrorList.objects.order_by("-sequence").first().sequence == newer


def test_an_expired_list_is_refused(a_few_mirrors, origin_client, copy_host):
    folder, base = copy_host
    data, _signature = copy_list(folder, origin_client)
    valid_until = mirror_list.parse_timestamp(json.loads(data)["valid_until"])

    with time_machine.travel(valid_until + dt.timedelta(seconds=1), tick=False):
        assert f"it expired at {json.loads(data)['valid_until']}" in refused(base)
    with time_machine.travel(valid_until - dt.timedelta(seconds=60), tick=False):
        verify(base)  # a minute before, the same list holds


def test_a_changed_byte_or_another_lists_signature_is_refused(
    a_few_mirrors, origin_client, copy_host, django_capture_on_commit_callbacks
):
    folder, base = copy_host
    data, signature = copy_list(folder, origin_client)
    forged = data.replace(b"cdn.mirror-test.example", b"cdn.mirror-trap.example")
    copy_list(folder, origin_client, data=forged, signature=signature)
    assert "its signature does not verify: the signature does not match the data" in refused(base)

    signed_anew(django_capture_on_commit_callbacks)
    newer = origin_client.get("/mirrors.json").content
    copy_list(folder, origin_client, data=newer, signature=signature)  # the old signature on the new list
    assert "does not verify" in refused(base)

    copy_list(folder, origin_client, data=b"<html>blocked</html>", signature=signature)
    assert "it is not JSON" in refused(base)
    (folder / "mirrors.json.minisig").unlink()
    assert "cannot fetch" in refused(base) and "HTTP 404" in refused(base)
    assert not AcceptedMirrorList.objects.exists()


def test_a_signed_list_must_say_what_its_signature_says(a_few_mirrors, origin_client, copy_host):
    """Signed with our key but inconsistent: another sequence in the trusted comment, or not a list at all."""
    folder, base = copy_host
    data, _signature = copy_list(folder, origin_client)
    payload = json.loads(data)
    signer = Signer.from_settings()
    valid_until = mirror_list.parse_timestamp(payload["valid_until"])
    comment = mirror_list.trusted_comment(
        sequence=payload["sequence"] + 5,
        generated_at=mirror_list.parse_timestamp(payload["generated_at"]),
        valid_until=valid_until,
    )
    copy_list(folder, origin_client, data=data, signature=signer.sign(data, trusted_comment=comment))
    assert "names another sequence or end of validity" in refused(base)

    shapeless = json.dumps({"version": "2.0", "sites": "none"}).encode()
    copy_list(folder, origin_client, data=shapeless, signature=signer.sign(shapeless, trusted_comment="x"))
    assert "it is not a mirror list: " in refused(base)


def test_the_same_sequence_with_other_bytes_is_refused(a_few_mirrors, origin_client, copy_host):
    folder, base = copy_host
    data, _signature = copy_list(folder, origin_client)
    verify(base)
    payload = json.loads(data)
    payload["sites"][0]["available_alternatives"].pop()
    other = mirror_list.list_bytes(payload)
    comment = mirror_list.trusted_comment(
        sequence=payload["sequence"],
        generated_at=mirror_list.parse_timestamp(payload["generated_at"]),
        valid_until=mirror_list.parse_timestamp(payload["valid_until"]),
    )
    copy_list(folder, origin_client, data=other, signature=Signer.from_settings().sign(other, trusted_comment=comment))

    assert f"another list with the sequence {payload['sequence']}" in refused(base)


def test_a_new_key_is_trusted_once_the_old_one_announced_it(
    a_few_mirrors, origin_client, copy_host, settings, django_capture_on_commit_callbacks
):
    folder, base = copy_host
    key_a, key_b, key_c = (public_key_of(name) for name in "ABC")
    fingerprint_b = mirror_list.fingerprint(key_b)

    settings.MIRROR_SIGNING_KEY, settings.MIRROR_NEXT_PUBLIC_KEY = seed("A"), key_b
    signed_anew(django_capture_on_commit_callbacks)
    copy_list(folder, origin_client)
    assert f"announces the next key {fingerprint_b}" in verify(base, "--public-key", key_a)

    settings.MIRROR_SIGNING_KEY, settings.MIRROR_NEXT_PUBLIC_KEY = seed("B"), ""
    signed_anew(django_capture_on_commit_callbacks)
    copy_list(folder, origin_client)
    assert f"signed by key {fingerprint_b}" in verify(base)

    settings.MIRROR_SIGNING_KEY = seed("C")  # a key nobody announced
    signed_anew(django_capture_on_commit_callbacks)
    copy_list(folder, origin_client)
    reason = refused(base)
    assert f"signed by key {mirror_list.fingerprint(key_c)}, which is not trusted" in reason

    settings.MIRROR_SIGNING_KEY = seed("A")  # the old key, once the new one has signed
    signed_anew(django_capture_on_commit_callbacks)
    copy_list(folder, origin_client)
    assert f"signed by key {mirror_list.fingerprint(key_a)}, which is not trusted" in refused(base)
    assert [row.public_key for row in AcceptedMirrorList.objects.order_by("sequence")] == [key_a, key_b]


def test_a_first_list_is_checked_with_the_key_given(a_few_mirrors, origin_client, copy_host):
    folder, base = copy_host
    copy_list(folder, origin_client)

    assert "which is not trusted" in refused(base, "--public-key", public_key_of("someone else"))
    assert "--public-key: " in refused(base, "--public-key", "RWnot-a-key")
    with pytest.raises(CommandError, match="only http:// and https://"):
        call_command("verify_mirrors", "ftp://example.org/mirrors.json")
    assert not AcceptedMirrorList.objects.exists()
