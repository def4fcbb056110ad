"""Pre-compressed twins for an export: ``<file>.gz`` and ``<file>.br`` beside every text file worth compressing.

Static hosts (nginx ``gzip_static``/``brotli_static``) then send the smaller form without compressing on every request.
Both encodings are deterministic (gzip with no timestamp, brotli by construction), so the same page always gives the
same twins, and a content-addressed cache (``<sha256>.gz``, ``<sha256>.q<quality>.br``) means bytes that did not
change since the last export are never compressed again: brotli at quality 11 costs about 50 ms a page.

A twin is a hard link to its cache entry where the file system allows it (the cache sits beside the exports, on the
same file system, unless moved): the cache and every export kept then share one copy of each twin on disk, and an
export writes no twin's bytes at all. A cache entry is never written to once made, and a twin is replaced by removing
it first, never by writing into it, so no write reaches bytes another export or the cache shares. Where linking fails
(another file system, one without hard links), the twin is written as a file of its own.
"""

import gzip
import hashlib
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli

# Text worth compressing. Images, fonts and archives are compressed already: a twin would only waste space.
COMPRESSIBLE_SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".xml", ".svg", ".txt", ".webmanifest", ".map"})
TWIN_SUFFIXES = (".gz", ".br")
MIN_SIZE = 1024  # smaller files fit in one packet as they are; only files over 1 KiB get twins
# Cache entries no export has used for this long are removed: each export adds the twins of the pages it changed.
CACHE_KEEP_DAYS = 30


def is_compressible(path: Path) -> bool:
    return path.suffix.lower() in COMPRESSIBLE_SUFFIXES


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def _cached(cache_file: Path, make) -> tuple[bytes, bool]:
    """The compressed bytes from the cache, or made now and stored there; and whether the cache had them."""
    try:
        data = cache_file.read_bytes()
    except FileNotFoundError:
        pass
    else:
        os.utime(cache_file)  # used now: pruning goes by this time
        return data, True
    data = make()
    # written under a temporary name, then renamed: a concurrent export never reads half a file
    temporary = cache_file.with_name(f".{cache_file.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, cache_file)
    return data, False


def _place_twin(path: Path, data: bytes | None, cache_file: Path) -> None:
    """Makes ``path`` the twin with ``data``: a hard link to ``cache_file`` (which holds ``data``) where possible,
    else a file of its own. ``None`` removes a stale twin: compression did not pay off."""
    path.unlink(missing_ok=True)  # never write into an old twin: it may be a link to a cache entry
    if data is None:
        return
    try:
        os.link(cache_file, path)
    except OSError:  # another file system, no hard links there, or the entry pruned meanwhile by another export
        path.write_bytes(data)


def _compress_file(path: Path, cache_dir: Path, brotli_quality: int) -> dict:
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    gz_entry, br_entry = cache_dir / f"{digest}.gz", cache_dir / f"{digest}.q{brotli_quality}.br"
    gz, gz_hit = _cached(gz_entry, lambda: _gzip(raw))
    br, br_hit = _cached(br_entry, lambda: brotli.compress(raw, quality=brotli_quality))
    gz = gz if len(gz) < len(raw) else None
    br = br if len(br) < len(raw) else None
    _place_twin(path.with_name(path.name + ".gz"), gz, gz_entry)
    _place_twin(path.with_name(path.name + ".br"), br, br_entry)
    return {
        "raw": len(raw),
        "gz": len(gz) if gz is not None else len(raw),
        "br": len(br) if br is not None else len(raw),
        "gz_files": int(gz is not None),
        "br_files": int(br is not None),
        "cache_hits": int(gz_hit) + int(br_hit),
        "compressed": int(not gz_hit) + int(not br_hit),
    }


def candidates(root: Path) -> list[Path]:
    """Every text file over 1 KiB under ``root``, in a stable order."""
    found = []
    for directory, _dirs, files in os.walk(root):
        for name in files:
            path = Path(directory, name)
            if is_compressible(path) and not path.is_symlink() and path.stat().st_size > MIN_SIZE:
                found.append(path)
    return sorted(found)


def compress_tree(root: Path, *, cache_dir: Path, brotli_quality: int = 11, workers: int | None = None) -> dict:
    """Writes ``.gz`` and ``.br`` twins beside every text file over 1 KiB in ``root``, each only when smaller.

    Returns the figures: ``files`` (text files considered), ``raw`` (their bytes), ``gz`` and ``br`` (the bytes a client
    accepting that encoding downloads for them: the twin's size, or the file's where no twin pays off), ``gz_files`` and
    ``br_files`` (twins written), ``cache_hits`` and ``compressed`` (twins taken from the cache or made now), and
    ``cache_pruned`` (cache entries no export used for 30 days, removed).
    Compression runs on ``workers`` threads (default: one per CPU); zlib and brotli release the GIL while they work.
    """
    if not 0 <= brotli_quality <= 11:
        raise ValueError("brotli quality is 0 to 11")
    root, cache_dir = Path(root), Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = candidates(root)
    totals = dict.fromkeys(("raw", "gz", "br", "gz_files", "br_files", "cache_hits", "compressed"), 0)
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        for figures in pool.map(lambda path: _compress_file(path, cache_dir, brotli_quality), paths):
            for key, value in figures.items():
                totals[key] += value
    totals["cache_pruned"] = prune_cache(cache_dir, keep_days=CACHE_KEEP_DAYS)
    return {"files": len(paths), **totals}


def prune_cache(cache_dir: Path, *, keep_days: float) -> int:
    """Removes cache entries unused for ``keep_days`` (and leftovers of interrupted writes); returns how many."""
    cutoff = time.time() - keep_days * 86400
    removed = 0
    for entry in os.scandir(cache_dir):
        try:
            if entry.is_file() and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
        except FileNotFoundError:
            pass  # another export removed it meanwhile
    return removed
