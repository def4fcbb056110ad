"""Pre-compressed twins (R1 check 9) on a small tree shaped like an export."""

import errno
import gzip
import hashlib
import os
import time

import brotli
import pytest

from mirrors.export.compress import compress_tree

PROSE = " ".join(f"Paragraph {n}: the newsroom reports what it is told not to." for n in range(200))


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "export"
    (root / "news" / "story").mkdir(parents=True)
    (root / "static" / "img").mkdir(parents=True)
    (root / "news" / "story" / "index.html").write_text(f"<!doctype html><p>{PROSE}</p>")
    (root / "static" / "site.css").write_text("body { margin: 0 }\n" * 200)
    (root / "static" / "reader.js").write_text("console.log('x');\n" * 100)
    (root / "feed.xml").write_text(f"<rss><item>{PROSE}</item></rss>")
    (root / "support").mkdir()
    (root / "support" / "goal.json").write_text('{"percent": 40}')  # under 1 KiB
    (root / "robots.txt").write_text("User-agent: *\n")
    (root / "static" / "img" / "logo.png").write_bytes(b"\x89PNG" + b"\0" * 4000)
    (root / "static" / "img" / "photo.jpg").write_bytes(b"\xff\xd8" + b"a" * 4000)
    (root / "static" / "font.woff2").write_bytes(b"wOF2" + b"a" * 4000)
    (root / "static" / "img" / "photo.webp").write_bytes(b"RIFF" + b"a" * 4000)
    (root / "random.txt").write_bytes(_noise(4000))  # incompressible: twins would be larger
    return root


def _noise(size):
    out, block = b"", b"start"
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return out[:size]


def test_every_text_file_over_1_kib_gets_twins_that_decompress_to_it(tree, tmp_path):
    stats = compress_tree(tree, cache_dir=tmp_path / "cache")

    for name in ("news/story/index.html", "static/site.css", "static/reader.js", "feed.xml"):
        raw = (tree / name).read_bytes()
        gz = (tree / f"{name}.gz").read_bytes()
        br = (tree / f"{name}.br").read_bytes()
        assert gzip.decompress(gz) == raw
        assert gz[4:8] == b"\0\0\0\0"  # the gzip header's MTIME
        assert brotli.decompress(br) == raw
        assert len(gz) < len(raw) and len(br) < len(raw)
    assert stats["files"] == 5  # the four above and random.txt
    assert stats["gz_files"] == stats["br_files"] == 4
    assert stats["gz"] < stats["raw"] and stats["br"] < stats["gz"]


def test_small_binary_and_incompressible_files_get_no_twins(tree, tmp_path):
    compress_tree(tree, cache_dir=tmp_path / "cache")

    for name in ("support/goal.json", "robots.txt", "random.txt"):
        assert not (tree / f"{name}.gz").exists() and not (tree / f"{name}.br").exists()
    for name in ("static/img/logo.png", "static/img/photo.jpg", "static/img/photo.webp", "static/font.woff2"):
        assert not (tree / f"{name}.gz").exists() and not (tree / f"{name}.br").exists()


def test_twins_are_byte_identical_across_runs(tree, tmp_path):
    compress_tree(tree, cache_dir=tmp_path / "one")
    first = {p: p.read_bytes() for p in tree.rglob("*.gz")} | {p: p.read_bytes() for p in tree.rglob("*.br")}
    for twin in first:
        twin.unlink()

    compress_tree(tree, cache_dir=tmp_path / "two")  # a cold cache: compressed again from scratch

    assert {p: p.read_bytes() for p in first} == first


def test_unchanged_bytes_are_never_compressed_twice(tree, tmp_path):
    cache = tmp_path / "cache"
    cold = compress_tree(tree, cache_dir=cache)
    (tree / "static" / "site.css").write_text("main { padding: 1rem }\n" * 200)

    warm = compress_tree(tree, cache_dir=cache)

    assert cold["cache_hits"] == 0 and cold["compressed"] == 10
    assert warm["compressed"] == 2  # only the changed stylesheet, gz and br
    assert warm["cache_hits"] == 8
    assert gzip.decompress((tree / "static" / "site.css.gz").read_bytes()).startswith(b"main {")


def test_brotli_cache_is_keyed_by_quality(tree, tmp_path):
    cache = tmp_path / "cache"
    compress_tree(tree, cache_dir=cache, brotli_quality=5)
    fast = (tree / "news" / "story" / "index.html.br").read_bytes()

    stats = compress_tree(tree, cache_dir=cache, brotli_quality=11)

    assert stats["compressed"] == 5  # brotli again at the new quality; gzip from the cache
    best = (tree / "news" / "story" / "index.html.br").read_bytes()
    assert brotli.decompress(fast) == brotli.decompress(best) and len(best) <= len(fast)


def test_a_stale_twin_is_removed_when_compression_no_longer_pays(tree, tmp_path):
    compress_tree(tree, cache_dir=tmp_path / "cache")
    (tree / "feed.xml").write_bytes(_noise(3000))

    compress_tree(tree, cache_dir=tmp_path / "cache")

    assert not (tree / "feed.xml.gz").exists() and not (tree / "feed.xml.br").exists()


def test_bad_quality_is_refused(tree, tmp_path):
    with pytest.raises(ValueError, match="0 to 11"):
        compress_tree(tree, cache_dir=tmp_path / "cache", brotli_quality=12)


def test_cache_entries_unused_for_a_month_are_pruned(tree, tmp_path):
    cache = tmp_path / "cache"
    compress_tree(tree, cache_dir=cache)
    (cache / "0123abcd.gz").write_bytes(b"from a page long gone")
    month_ago = time.time() - 31 * 86400
    os.utime(cache / "0123abcd.gz", (month_ago, month_ago))
    for entry in cache.iterdir():  # entries this export uses are kept, however old: using them renews them
        if entry.name != "0123abcd.gz":
            os.utime(entry, (month_ago, month_ago))

    stats = compress_tree(tree, cache_dir=cache)

    assert stats["cache_pruned"] == 1 and stats["cache_hits"] == 10
    assert not (cache / "0123abcd.gz").exists()
    assert len(list(cache.iterdir())) == 10


def _entry(cache, raw, suffix):
    return cache / f"{hashlib.sha256(raw).hexdigest()}{suffix}"


def test_twins_share_the_cache_entrys_bytes_and_a_new_twin_never_writes_into_them(tree, tmp_path):
    cache = tmp_path / "cache"
    css = tree / "static" / "site.css"
    old = css.read_bytes()
    compress_tree(tree, cache_dir=cache)
    old_entry = _entry(cache, old, ".gz")
    assert os.path.samefile(tree / "static" / "site.css.gz", old_entry)  # one copy on disk for cache and export
    assert os.path.samefile(tree / "static" / "site.css.br", _entry(cache, old, ".q11.br"))

    css.write_text("main { padding: 1rem }\n" * 200)
    compress_tree(tree, cache_dir=cache)

    assert gzip.decompress((tree / "static" / "site.css.gz").read_bytes()) == css.read_bytes()
    assert gzip.decompress(old_entry.read_bytes()) == old  # the old entry (and any export linking it) untouched


def test_twins_are_written_as_files_where_they_cannot_be_linked(tree, tmp_path, monkeypatch):
    def no_hard_links(source, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_hard_links)
    cache = tmp_path / "cache"
    compress_tree(tree, cache_dir=cache)

    raw = (tree / "feed.xml").read_bytes()
    twin = tree / "feed.xml.gz"
    assert gzip.decompress(twin.read_bytes()) == raw
    assert not os.path.samefile(twin, _entry(cache, raw, ".gz"))
    assert twin.read_bytes() == _entry(cache, raw, ".gz").read_bytes()
