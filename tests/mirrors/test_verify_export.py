"""manage.py verify_export on a signed tree: a summary and exit 0, or every problem and exit 1 (R1 check 11)."""

import base64
import json
import os
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mirrors.signing import Signer
from tests.mirrors.test_manifest import SIGNER, make_tree, publish


@pytest.fixture
def published(tmp_path, settings):
    """An export published the way export_mirror does it: exports/<id>/ and a current link beside them."""
    settings.MIRROR_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
    root = make_tree(tmp_path / "site" / "exports" / "e1")
    publish(root)
    os.symlink("exports/e1", tmp_path / "site" / "current")
    return tmp_path / "site"


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_export", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return 1, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_an_intact_export_passes_with_a_summary(published):
    status, out, _ = run(published)

    assert status == 0
    assert "Export e1 of 2026-11-29T04:00:00+00:00 for https://samizdat.example" in out
    assert "8 files" in out
    assert "Every file matches the signed manifest." in out


def test_the_export_root_itself_may_be_named(published):
    assert run(published / "exports" / "e1")[0] == 0


def test_one_flipped_byte_fails_and_is_named(published):
    story = published / "current" / "news" / "story" / "index.html"
    data = bytearray(story.read_bytes())
    data[10] ^= 0x20
    story.write_bytes(bytes(data))

    status, _, err = run(published)

    assert status == 1
    assert "news/story/index.html: content differs from the manifest (sha256)" in err
    assert "1 problem(s)" in err


def test_a_public_key_may_be_given(published):
    assert run(published, "--public-key", SIGNER.public_key)[0] == 0

    status, _, err = run(published, "--public-key", Signer(bytes(32)).public_key)
    assert status == 1 and "signed with key" in err

    status, _, err = run(published, "--public-key", "RWnonsense")
    assert status == 1 and "--public-key" in err


def test_a_directory_without_an_export_is_refused(tmp_path):
    status, _, err = run(tmp_path)

    assert status == 1 and "holds no export" in err


@pytest.mark.django_db
def test_the_demo_export_verifies_with_the_configured_key(demo_export):
    status, out, err = run(demo_export.out)  # the directory holding `current`

    assert status == 0, err
    assert f"Export {demo_export.root.name} " in out  # exports/<id>


@pytest.mark.django_db
def test_one_flipped_byte_in_the_demo_export_is_caught(demo_export, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(demo_export.root, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    article = next(e["path"] for e in manifest["files"] if e["path"].startswith("news/") and e["br"])
    data = bytearray((copy / article).read_bytes())
    data[len(data) // 3] ^= 0x01
    (copy / article).write_bytes(bytes(data))

    status, _, err = run(copy)

    assert status == 1
    assert f"{article}: content differs from the manifest (sha256)" in err
