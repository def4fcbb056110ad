"""What changed that reading pages show: one announcement, after commit, for everything that stores pages.

Apps say *what* changed (a page, an image, a snippet, the asks of a language) with :func:`announce`; once the
transaction commits, the page cache forgets every page and ``reading_pages_changed`` is sent with every change the
transaction announced, each once. Whoever keeps pages as files (the published tree, ``mirrors.tree``) listens there and
rewrites what depends on the changes. ``core`` knows none of those listeners.
"""

from dataclasses import asdict, dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from core.page_cache import invalidate_all_pages
from core.signals import reading_pages_changed

PAGE = "page"  # key: the page's id
IMAGE = "image"  # key: the image's id
SNIPPET = "snippet"  # key: "app_label.model:pk"
ASKS = "asks"  # key: a language, or "" for every language
SITE = "site"  # key: "" (the sites, their root pages, view restrictions: anything may have changed)
KINDS = frozenset({PAGE, IMAGE, SNIPPET, ASKS, SITE})


@dataclass(frozen=True, order=True)
class Change:
    kind: str
    key: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Unknown kind of change: {self.kind!r}")

    def as_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(kind=str(data["kind"]), key=str(data.get("key", "")))


# Changes announced in the transaction now open, per database connection; sent together when it commits.
_PENDING_ATTRIBUTE = "_samizdat_pending_changes"


def announce(*changes: Change, using=DEFAULT_DB_ALIAS):
    """Tell every page store that ``changes`` happened, once the current transaction commits (at once outside one)."""
    connection = connections[using]
    pending = getattr(connection, _PENDING_ATTRIBUTE, None)
    # A set left over from a transaction that rolled back is no longer awaited by any on-commit callback.
    if pending is None or not any(callback is pending["flush"] for _ids, callback, _robust in connection.run_on_commit):
        pending = {"changes": set(), "flush": None}

        def flush():
            setattr(connection, _PENDING_ATTRIBUTE, None)
            _send(sorted(pending["changes"]))

        pending["flush"] = flush
        pending["changes"].update(changes)
        setattr(connection, _PENDING_ATTRIBUTE, pending)
        transaction.on_commit(flush, using=using)
        if not connection.in_atomic_block:  # on_commit ran it already
            setattr(connection, _PENDING_ATTRIBUTE, None)
        return
    pending["changes"].update(changes)


def _send(changes):
    invalidate_all_pages()
    reading_pages_changed.send(sender=Change, changes=changes)
