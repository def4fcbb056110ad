"""The signed manifest (R1 check 11) and the tree hash (R1 check 10), on a small tree shaped like an export."""

import hashlib
import json
import os

import pytest

from mirrors.export.compress import compress_tree
from mirrors.export.manifest import file_digest, remembered_digest, tree_hash_of, verify_tree, write_manifest
from mirrors.signing import Signer, verify

SIGNER = Signer(bytes(range(32)))
OVERLAY = {"feed.xml", "robots.txt"}
VOLATILE = {"export.json"}


def make_tree(root, *, export_id="e1", canonical="https://samizdat.example"):
    (root / "news" / "story").mkdir(parents=True)
    (root / "static").mkdir()
    (root / "index.html").write_text("<!doctype html><title>Home</title>" + "<p>front page</p>" * 100)
    (root / "news" / "story" / "index.html").write_text("<!doctype html><p>Ünïcode story</p>" * 80)
    (root / "static" / "site.css").write_text("body { margin: 0 }\n" * 100)
    (root / "static" / "logo.png").write_bytes(b"\x89PNG" + bytes(range(256)))
    (root / "data.csv.gz").write_bytes(b"\x1f\x8b not a twin: there is no data.csv")
    (root / "feed.xml").write_text(f"<rss><link>{canonical}/</link>" + "<item/>" * 300 + "</rss>")
    (root / "robots.txt").write_text(f"Sitemap: {canonical}/sitemap.xml\n")
    (root / "export.json").write_text(json.dumps({"export_id": export_id}))
    compress_tree(root, cache_dir=root.parent / f"cache-{root.name}")
    return root


def publish(root, **kwargs):
    options = {
        "export_id": "e1",
        "canonical": "https://samizdat.example",
        "generated_at": "2026-11-29T04:00:00+00:00",
        "overlay": OVERLAY,
        "volatile": VOLATILE,
        "signer": SIGNER,
    } | kwargs
    return write_manifest(root, **options)


@pytest.fixture
def export(tmp_path):
    root = make_tree(tmp_path / "export")
    publish(root)
    return root


def test_manifest_lists_every_file_with_its_twins_sorted(export):
    manifest = json.loads((export / "manifest.json").read_text())

    paths = [entry["path"] for entry in manifest["files"]]
    assert paths == sorted(paths)
    assert set(paths) == {
        "data.csv.gz",
        "export.json",
        "feed.xml",
        "index.html",
        "news/story/index.html",
        "robots.txt",
        "static/logo.png",
        "static/site.css",
    }
    story = next(entry for entry in manifest["files"] if entry["path"] == "news/story/index.html")
    raw = (export / "news/story/index.html").read_bytes()
    assert story["size"] == len(raw) and story["sha256"] == hashlib.sha256(raw).hexdigest()
    assert story["type"] == "text/html" and story["overlay"] is False
    assert story["gz"]["sha256"] == hashlib.sha256((export / "news/story/index.html.gz").read_bytes()).hexdigest()
    assert story["br"]["size"] == (export / "news/story/index.html.br").stat().st_size
    feed = next(entry for entry in manifest["files"] if entry["path"] == "feed.xml")
    assert feed["overlay"] is True
    logo = next(entry for entry in manifest["files"] if entry["path"] == "static/logo.png")
    assert logo["gz"] is None and logo["br"] is None
    assert {"export_id", "generated_at", "canonical", "tree_hash", "files"} <= manifest.keys()


def test_signature_carries_export_and_tree_in_its_trusted_comment(export):
    data = (export / "manifest.json").read_bytes()
    manifest = json.loads(data)

    comment = verify(data, (export / "manifest.json.minisig").read_text(), SIGNER.public_key)

    assert comment == f"export:e1\ttree:{manifest['tree_hash']}\ttimestamp:1795924800"


def test_tree_hash_follows_the_formula_and_leaves_out_overlay_and_volatile_files(export):
    manifest = json.loads((export / "manifest.json").read_text())
    hashed = sorted((e["path"], e["sha256"]) for e in manifest["files"] if e["path"] not in OVERLAY | VOLATILE)

    expected = hashlib.sha256("".join(f"{path}\0{digest}\n" for path, digest in hashed).encode()).hexdigest()

    assert manifest["tree_hash"] == expected
    assert tree_hash_of(export, exclude=OVERLAY | VOLATILE) == expected


def test_two_exports_of_the_same_content_for_other_hosts_share_a_tree_hash(tmp_path):
    one = publish(make_tree(tmp_path / "one"), export_id="e1")
    two = publish(
        make_tree(tmp_path / "two", export_id="e2", canonical="https://mirror.example"),
        export_id="e2",
        canonical="https://mirror.example",
    )

    assert one["tree_hash"] == two["tree_hash"]
    assert publish(tmp_path / "one") == one  # deterministic
    (tmp_path / "two" / "index.html").write_text("changed")
    assert tree_hash_of(tmp_path / "two", exclude=OVERLAY | VOLATILE) != one["tree_hash"]


def test_an_intact_export_verifies(export):
    assert verify_tree(export, SIGNER.public_key) == []


@pytest.mark.parametrize(
    "name",
    ["index.html", "news/story/index.html", "news/story/index.html.br", "static/logo.png", "feed.xml", "export.json"],
)
def test_a_flipped_byte_in_any_listed_file_is_found(export, name):
    data = bytearray((export / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (export / name).write_bytes(bytes(data))

    assert verify_tree(export, SIGNER.public_key) == [f"{name}: content differs from the manifest (sha256)"]


def test_missing_extra_and_resized_files_are_found(export):
    (export / "static" / "site.css").unlink()
    (export / "static" / "planted.js").write_text("fetch('https://tracker.example')")
    (export / "robots.txt").write_text("User-agent: *\nDisallow: /\n")

    problems = verify_tree(export, SIGNER.public_key)

    assert "static/site.css: missing" in problems
    assert "static/planted.js: not listed in manifest.json" in problems
    assert any(problem.startswith("robots.txt: size") for problem in problems)
    assert len(problems) == 3


def test_a_tampered_manifest_or_another_key_fails_the_signature(export):
    manifest = (export / "manifest.json").read_bytes()
    (export / "manifest.json").write_bytes(manifest.replace(b'"e1"', b'"e9"'))
    assert verify_tree(export, SIGNER.public_key)[0].startswith("manifest.json.minisig: the signature does not match")

    (export / "manifest.json").write_bytes(manifest)
    problems = verify_tree(export, Signer(bytes(32)).public_key)
    assert len(problems) == 1 and "signed with key" in problems[0]


def test_a_manifest_cannot_point_outside_the_tree(export, tmp_path):
    manifest = json.loads((export / "manifest.json").read_text())
    manifest["files"].append({"path": "../secret", "size": 1, "sha256": "0" * 64})
    (export / "manifest.json").write_text(json.dumps(manifest))

    problems = verify_tree(export, SIGNER.public_key)

    assert "manifest.json: unsafe path '../secret'" in problems


def test_missing_manifest_is_reported(tmp_path):
    assert verify_tree(tmp_path, SIGNER.public_key) == ["manifest.json: missing"]


def test_a_malformed_entry_is_a_problem_not_a_crash(export):
    manifest = json.loads((export / "manifest.json").read_text())
    manifest["files"][0]["gz"] = "yes"
    (export / "manifest.json").write_text(json.dumps(manifest))

    problems = verify_tree(export, SIGNER.public_key)

    assert f"manifest.json: {manifest['files'][0]['path']} has a malformed 'gz' entry" in problems


def test_a_remembered_digest_is_worked_out_again_once_the_file_changes(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b"first")
    digests = {}
    assert remembered_digest(path, digests) == file_digest(path) == hashlib.sha256(b"first").hexdigest()
    assert len(digests) == 1 and remembered_digest(path, digests) == file_digest(path)

    path.write_bytes(b"again")  # same size, same inode
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert remembered_digest(path, digests) == hashlib.sha256(b"again").hexdigest()
    assert remembered_digest(path, None) == hashlib.sha256(b"again").hexdigest()
