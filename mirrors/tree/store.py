"""The published tree on disk: its files, written atomically, and its index.

Nothing here renders or decides what to write; :mod:`mirrors.tree.publish` does, holding :meth:`Tree.locked`.
"""

import fcntl
import hashlib
import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import brotli

from mirrors.export.compress import MIN_SIZE, _cached, _gzip, is_compressible

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,      -- the URL path, as readers ask for it
    file TEXT NOT NULL,         -- where it lives under pages/
    kind TEXT NOT NULL,         -- the export inventory's kind (page, feed, sitemap, robots)
    owner TEXT NOT NULL,        -- what it belongs to: page:<id>, topic:<id>, topics, feed:…, sitemap, robots
    digest TEXT NOT NULL,       -- sha256 of its bytes
    live INTEGER NOT NULL,      -- shows asks or live figures (rewritten by the refresh)
    language TEXT NOT NULL,     -- its Content-Language, if any
    refs TEXT NOT NULL,         -- JSON: the internal paths it links to
    images TEXT NOT NULL        -- JSON: the ids of the images it shows
);
CREATE INDEX IF NOT EXISTS files_owner ON files (owner);
CREATE TABLE IF NOT EXISTS facts (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass
class Stored:
    path: str
    file: str
    kind: str
    owner: str
    digest: str
    live: bool
    language: str
    refs: set = field(default_factory=set)
    images: set = field(default_factory=set)


class Tree:
    """The tree at ``root``: ``pages/`` (what nginx serves), the index, the lock and the compression cache."""

    def __init__(self, root, *, brotli_quality=11):
        self.root = Path(root)
        self.pages = self.root / "pages"
        self.cache_dir = self.root / ".compress-cache"
        self.brotli_quality = brotli_quality
        self._db = None

    # --- the lock: one writer at a time, across processes (web, worker, scheduler, a deploy's full rebuild)

    @contextmanager
    def locked(self):
        self.root.mkdir(parents=True, exist_ok=True)
        self.pages.mkdir(exist_ok=True)
        self.cache_dir.mkdir(exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._db = sqlite3.connect(self.root / "index.sqlite3", isolation_level=None)
            try:
                self._db.executescript(SCHEMA)
                yield self
            finally:
                self._db.close()
                self._db = None

    # --- the index

    def stored(self) -> dict[str, Stored]:
        rows = self._db.execute("SELECT path, file, kind, owner, digest, live, language, refs, images FROM files")
        return {
            row[0]: Stored(*row[:5], bool(row[5]), row[6], set(json.loads(row[7])), set(json.loads(row[8])))
            for row in rows
        }

    def remember(self, entry: Stored):
        self._db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.path,
                entry.file,
                entry.kind,
                entry.owner,
                entry.digest,
                int(entry.live),
                entry.language,
                json.dumps(sorted(entry.refs)),
                json.dumps(sorted(entry.images)),
            ),
        )

    def forget(self, path):
        self._db.execute("DELETE FROM files WHERE path = ?", (path,))

    def fact(self, name, default=None):
        row = self._db.execute("SELECT value FROM facts WHERE name = ?", (name,)).fetchone()
        return default if row is None else row[0]

    def set_fact(self, name, value):
        self._db.execute("INSERT OR REPLACE INTO facts VALUES (?, ?)", (name, str(value)))

    # --- files

    def target(self, file_name) -> Path:
        return self.pages.joinpath(*file_name.split("/"))

    def twins_for(self, file_name, body) -> dict[str, bytes | None]:
        """The ``.gz`` and ``.br`` twins of ``body`` (``None`` where a twin would not pay off), from the cache."""
        if not is_compressible(Path(file_name)) or len(body) <= MIN_SIZE:
            return {".gz": None, ".br": None}
        digest = hashlib.sha256(body).hexdigest()
        gz, _hit = _cached(self.cache_dir / f"{digest}.gz", lambda: _gzip(body))
        br, _hit = _cached(
            self.cache_dir / f"{digest}.q{self.brotli_quality}.br",
            lambda: brotli.compress(body, quality=self.brotli_quality),
        )
        return {".gz": gz if len(gz) < len(body) else None, ".br": br if len(br) < len(body) else None}

    def write(self, file_name, body, twins):
        """Put ``body`` at ``file_name`` with its twins, each renamed into place whole: twins first, then the file,
        so a reader gets either the old bytes or the new ones, never part of a file, whatever encoding it asks for."""
        target = self.target(file_name)
        target.parent.mkdir(parents=True, exist_ok=True)
        for suffix, data in twins.items():
            twin = target.with_name(target.name + suffix)
            if data is None:
                twin.unlink(missing_ok=True)
            else:
                _replace(twin, data)
        _replace(target, body)

    def remove(self, file_name):
        """Remove a file and its twins (the file first: nginx looks for the file before its twins)."""
        target = self.target(file_name)
        target.unlink(missing_ok=True)
        for suffix in (".gz", ".br"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        directory = target.parent
        while directory != self.pages:  # empty directories left by a removed page
            try:
                directory.rmdir()
            except OSError:
                break
            directory = directory.parent

    def write_text(self, name, text):
        """A file of the tree's own beside pages/ (headers.conf, languages.map), renamed into place whole."""
        _replace(self.root / name, text.encode("utf-8"))

    def files_on_disk(self) -> set[str]:
        """Every page file under pages/ (twins and temporary files aside), relative, POSIX."""
        found = set()
        for directory, _dirs, files in os.walk(self.pages):
            for name in files:
                if name.endswith((".gz", ".br")) or name.startswith("."):
                    continue
                found.add(Path(directory, name).relative_to(self.pages).as_posix())
        return found


def digest_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _replace(target: Path, data: bytes):
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.chmod(temporary, 0o644)
    os.replace(temporary, target)
