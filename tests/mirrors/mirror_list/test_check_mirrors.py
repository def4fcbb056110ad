"""manage.py check_mirrors over real HTTP: static copies judged by their signed manifest against the origin's export,
reverse proxies by the list they pass through; each finding recorded, an audit entry only when a health changes."""

import base64
import io
import json
import shutil
import socket
from contextlib import ExitStack

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.models import AuditEntry
from mirrors.actions import sign_mirror_list
from mirrors.admin_views import health_figures
from mirrors.export.manifest import tree_hash_of, write_manifest
from mirrors.models import Mirror
from mirrors.signing import Signer
from tests.mirrors.mirror_list.conftest import TEST_ACTOR, onion, public_key_of, seed
from tests.static_host import static_host

pytestmark = pytest.mark.django_db


def make_export(root, *, page, signer=None):
    """A small export as export_mirror lays one out: files, export.json with their tree hash, a signed manifest."""
    root.mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\n")
    (root / "index.html").write_text(page)
    tree_hash = tree_hash_of(root, exclude={"export.json"})
    (root / "export.json").write_text(json.dumps({"export_id": root.name, "tree_hash": tree_hash}))
    write_manifest(
        root,
        signer=signer or Signer.from_settings(),
        export_id=root.name,
        canonical="https://samizdat.example",
        generated_at="2026-11-29T10:00:00Z",
        overlay=set(),
        volatile={"export.json"},
    )
    return tree_hash


def a_closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mirror(url, kind=Mirror.Kind.STATIC, **fields):
    """A mirror row as the admin would store it (the check is what is tested; these hosts are plain HTTP on this
    machine, which the admin rightly refuses for a real mirror)."""
    now = timezone.now()
    return Mirror.objects.create(url=url, kind=kind, added_at=now, updated_at=now, **fields)


@pytest.fixture
def hosts(clean_slate, tmp_path, origin_client, django_capture_on_commit_callbacks):
    """The origin's export and mirrors of every sort, each served by its own static host."""
    origin = tmp_path / "origin"
    current = make_export(origin / "exports" / "e2", page="<p>today</p>")
    (origin / "current").symlink_to("exports/e2")
    shutil.copytree(origin / "exports" / "e2", tmp_path / "fresh")
    make_export(tmp_path / "stale", page="<p>yesterday</p>")
    shutil.copytree(origin / "exports" / "e2", tmp_path / "forged")
    manifest = tmp_path / "forged" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b"e2", b"e9"))
    make_export(tmp_path / "stranger", page="<p>today</p>", signer=Signer(bytes(32)))

    with django_capture_on_commit_callbacks(execute=True):
        sign_mirror_list(actor=TEST_ACTOR)
    old = {name: origin_client.get(f"/mirrors.json{name}").content for name in ("", ".minisig")}
    with django_capture_on_commit_callbacks(execute=True):
        sign_mirror_list(actor=TEST_ACTOR, force=True)
    for name, served in (("proxy", None), ("old-proxy", old)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "robots.txt").write_text("User-agent: *\n")
        for suffix in ("", ".minisig"):
            body = served[suffix] if served else origin_client.get(f"/mirrors.json{suffix}").content
            (folder / f"mirrors.json{suffix}").write_bytes(body)

    names = ("fresh", "stale", "forged", "stranger", "proxy", "old-proxy")
    with ExitStack() as stack:
        bases = {name: stack.enter_context(static_host(tmp_path / name)).rstrip("/") for name in names}
        rows = {name: mirror(bases[name], kind="proxy" if "proxy" in name else "static") for name in names}
        rows["down"] = mirror(f"http://127.0.0.1:{a_closed_port()}")
        rows["onion"] = mirror(onion("not reachable here"), kind=Mirror.Kind.ONION, carrier=Mirror.Carrier.ONION)
        rows["blocked"] = mirror(f"http://127.0.0.1:{a_closed_port()}/blocked", blocked_at=timezone.now())
        yield {"origin": origin, "tree_hash": current, "mirrors": rows}


def check(*options):
    out = io.StringIO()
    try:
        call_command("check_mirrors", *options, "--timeout", "10", stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def test_each_mirror_gets_the_health_it_deserves(hosts):
    output, failure = check("--export", str(hosts["origin"]))
    rows = {name: Mirror.objects.get(pk=row.pk) for name, row in hosts["mirrors"].items()}

    assert failure == "2 fresh, 2 stale, 3 down, 1 not checked."  # exit status 1: a mirror is down
    expected = {
        "fresh": "fresh",
        "stale": "stale",
        "forged": "down",
        "stranger": "down",
        "proxy": "fresh",
        "old-proxy": "stale",
        "down": "down",
        "onion": "unknown",
        "blocked": "unknown",
    }
    assert {name: row.health for name, row in rows.items()} == expected
    assert "export e2, tree " + hosts["tree_hash"][:12] in rows["fresh"].health_detail
    assert "the origin's is " + hosts["tree_hash"][:12] in rows["stale"].health_detail
    assert "not signed with our key" in rows["forged"].health_detail
    assert "not signed with our key" in rows["stranger"].health_detail
    assert "serves list" in rows["old-proxy"].health_detail and "the newest is" in rows["old-proxy"].health_detail
    assert "Connection refused" in rows["down"].health_detail
    assert rows["fresh"].verified_at is not None and rows["stale"].verified_at is None
    assert rows["onion"].checked_at is None and rows["blocked"].checked_at is None
    assert "not checked: onion services are reached only through Tor" in output
    assert health_figures() == {"unknown": 1, "fresh": 2, "stale": 2, "down": 3}  # the blocked one is on no list


def test_a_health_change_is_audited_once_and_each_check_is_recorded(hosts):
    check("--export", str(hosts["origin"]))
    first = AuditEntry.objects.filter(action="mirror.health").count()
    fresh = Mirror.objects.get(pk=hosts["mirrors"]["fresh"].pk)

    check("--export", str(hosts["origin"]))
    assert first == 7  # every checked mirror left "not checked yet"
    assert AuditEntry.objects.filter(action="mirror.health").count() == first  # nothing changed since
    assert Mirror.objects.get(pk=fresh.pk).checked_at >= fresh.checked_at
    entry = AuditEntry.objects.filter(action="mirror.health", subject_id=str(fresh.pk)).get()
    assert (entry.actor_kind, entry.actor_id, entry.data["was"], entry.data["now"]) == (
        "system",
        "check_mirrors",
        "unknown",
        "fresh",
    )


def test_the_origins_export_comes_from_the_setting(hosts, settings):
    settings.MIRROR_EXPORT_DIR = str(hosts["origin"])
    _output, failure = check()
    assert failure == "2 fresh, 2 stale, 3 down, 1 not checked."


def test_static_mirrors_need_the_origins_export_to_be_judged(hosts, tmp_path, settings):
    settings.MIRROR_EXPORT_DIR = ""
    _output, failure = check()
    assert "set MIRROR_EXPORT_DIR" in failure
    _output, failure = check("--export", str(tmp_path / "nowhere"))
    assert "holds no export" in failure
    assert not Mirror.objects.exclude(health="unknown").exists()


def test_a_newsroom_without_trouble_exits_cleanly(hosts, settings):
    Mirror.objects.exclude(pk__in=[hosts["mirrors"]["fresh"].pk, hosts["mirrors"]["proxy"].pk]).update(
        retired_at=timezone.now()
    )
    output, failure = check("--export", str(hosts["origin"]))
    assert failure is None and "2 fresh, 0 stale, 0 down." in output


def test_a_manifest_signed_with_the_announced_next_key_is_ours_too(hosts, tmp_path, settings):
    make_export(tmp_path / "next", page="<p>today</p>", signer=Signer(base64.b64decode(seed("next"))))
    settings.MIRROR_NEXT_PUBLIC_KEY = public_key_of("next")
    Mirror.objects.update(retired_at=timezone.now())
    with static_host(tmp_path / "next") as base:
        row = mirror(base.rstrip("/"))
        check("--export", str(hosts["origin"]))
    row.refresh_from_db()
    assert row.health == "fresh", row.health_detail
