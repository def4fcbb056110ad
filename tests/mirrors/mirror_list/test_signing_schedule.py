"""When a new list is signed: when what it says changes (never for a health check), when half of its validity has
passed (the scheduler runs sign_mirror_list every minute), and never without a key — then nothing changes at all."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from core.models import AuditEntry
from mirrors import mirror_list
from mirrors.actions import MirrorListNotSigned
from mirrors.models import Mirror, MirrorList
from tests.mirrors.mirror_list.conftest import add

pytestmark = pytest.mark.django_db


def newest():
    return MirrorList.objects.order_by("-sequence").first()


def sign(*options):
    out = io.StringIO()
    call_command("sign_mirror_list", *options, stdout=out)
    return out.getvalue()


def test_a_list_that_still_holds_is_not_signed_again(a_few_mirrors):
    before = newest()
    assert sign() == f"Still valid: list {before.sequence}, valid until {before.valid_until:%Y-%m-%d %H:%M} UTC.\n"
    assert newest() == before
    assert sign("--force").startswith(f"Signed list {before.sequence + 1}, valid until ")
    entry = AuditEntry.objects.filter(action="mirror_list.signed").first()
    assert (entry.data["sequence"], entry.data["why"], entry.actor_id) == (
        before.sequence + 1,
        "forced",
        "sign_mirror_list",
    )


def test_the_list_is_renewed_once_half_its_validity_has_passed(a_few_mirrors, settings):
    settings.MIRROR_LIST_VALID_DAYS = 4
    first = newest()
    assert first.valid_until - first.generated_at == dt.timedelta(days=7)  # signed before the setting changed
    halfway = first.generated_at + (first.valid_until - first.generated_at) / 2

    with time_machine.travel(halfway - dt.timedelta(seconds=1), tick=False):
        assert sign().startswith("Still valid")
    with time_machine.travel(halfway, tick=False):
        assert sign().startswith(f"Signed list {first.sequence + 1}")
    renewed = newest()
    assert renewed.generated_at == halfway and renewed.valid_until == halfway + dt.timedelta(days=4)
    assert AuditEntry.objects.filter(action="mirror_list.signed").first().data["why"] == "renewed"
    assert json.loads(renewed.body)["sites"] == json.loads(first.body)["sites"]


def test_a_new_export_is_named_in_the_next_list(a_few_mirrors, settings, tmp_path):
    out = tmp_path / "export"
    (out / "exports" / "e1").mkdir(parents=True)
    (out / "current").symlink_to("exports/e1")
    (out / "exports" / "e1" / "export.json").write_text(json.dumps({"export_id": "e1", "tree_hash": "ab" * 32}))
    settings.MIRROR_EXPORT_DIR = str(out)

    assert sign().startswith("Signed list")
    assert json.loads(newest().body)["export"] == {"tree_hash": "ab" * 32, "manifest": "/manifest.json"}
    assert sign().startswith("Still valid")


def test_the_scheduler_signs_what_is_due(a_few_mirrors, settings):
    assert "sign_mirror_list" in settings.SCHEDULED_COMMANDS
    settings.SCHEDULED_COMMANDS = ["sign_mirror_list"]
    first = newest()

    with time_machine.travel(first.valid_until, tick=False):
        call_command("run_scheduler", "--once")
    assert newest().sequence == first.sequence + 1


def test_without_a_key_nothing_is_signed_and_nothing_changes(a_few_mirrors, settings):
    settings.MIRROR_SIGNING_KEY, settings.MIRROR_SIGNING_KEY_FILE = "", ""
    mirrors, lists = Mirror.objects.count(), MirrorList.objects.count()

    with pytest.raises(CommandError, match="The mirror list cannot be signed: Set MIRROR_SIGNING_KEY"):
        sign("--force")
    client = Client()
    client.force_login(get_user_model().objects.get(username="editor"))
    response = client.post(
        "/admin/mirrors/add/",
        {"url": "https://unsigned.mirror-test.example", "kind": "static", "carrier": "domain", "pool": "public"},
    )
    assert response.status_code == 400 and "cannot be signed" in response.content.decode()
    with pytest.raises(MirrorListNotSigned, match="cannot be signed"):
        add("https://unsigned-too.mirror-test.example")
    assert (Mirror.objects.count(), MirrorList.objects.count()) == (mirrors, lists)


def test_the_list_keeps_a_clock_that_went_back_from_making_it_older(a_few_mirrors):
    first = newest()
    with time_machine.travel(first.generated_at - dt.timedelta(hours=1), tick=False):
        sign("--force")
    second = newest()
    assert second.sequence == first.sequence + 1 and second.generated_at == first.generated_at
    assert mirror_list.comment_fields(second.signature.splitlines()[2].split(": ", 1)[1])["sequence"] == str(
        second.sequence
    )


def test_a_bad_next_key_stops_signing_and_the_export_with_its_name(a_few_mirrors, settings, tmp_path):
    settings.MIRROR_NEXT_PUBLIC_KEY = "RWnot-a-key"
    lists = MirrorList.objects.count()

    with pytest.raises(CommandError, match="MIRROR_NEXT_PUBLIC_KEY: the public key is not base64"):
        sign("--force")
    with pytest.raises(CommandError) as raised:
        call_command("export_mirror", str(tmp_path / "out"), "--jobs", "1")
    assert "nothing was published.\n/mirrors.json: The mirror list cannot be signed" in str(raised.value)
    assert not (tmp_path / "out" / "current").exists() and MirrorList.objects.count() == lists
