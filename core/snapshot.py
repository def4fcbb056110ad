"""One snapshot of the site rendered many times over: what every page of it shares is worked out once.

A static export renders every public page of one unchanging database. Much of what a page needs is the same for all of
them (the running campaign and its figures, whether any page has a view restriction, the navigation, the card of an
article that many "Read more" lists and archives show). Inside :func:`batch`, :func:`remember` keeps such answers for
the rest of the batch; outside one (a reader's request on the live site) it simply computes them, so live pages never
see a stale answer.

The memo lives in a context variable, so it belongs to the thread (and the request) that opened the batch only.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_memo = ContextVar("samizdat_snapshot_memo", default=None)


@contextmanager
def batch(memo=None):
    """Render inside one snapshot; ``memo`` (a dict) carries what was remembered from one batch into the next."""
    token = _memo.set({} if memo is None else memo)
    try:
        yield
    finally:
        _memo.reset(token)


def active():
    return _memo.get() is not None


def remember(key, compute):
    """``compute()``, or inside a batch the value it gave for ``key`` earlier in the batch."""
    memo = _memo.get()
    if memo is None:
        return compute()
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = compute()
        return value
