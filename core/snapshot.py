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

from django.utils.safestring import mark_safe

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


def remember_with_parts(key, render, **parts):
    """``render(**parts)``, markup that is the same for many pages but for a few small ``parts`` (an article's id, a
    section's name). Inside a batch it is rendered once per ``key`` with a stand-in for each part, which the parts
    then replace. A stand-in is letters and hyphens only, so it passes unchanged through HTML escaping and URL
    encoding."""
    if not active():
        return render(**parts)
    stand_ins = {name: f"sz-stand-in-{name}" for name in parts}
    html = remember(key, lambda: render(**stand_ins))
    for name, value in parts.items():
        html = html.replace(stand_ins[name], str(value))
    return mark_safe(html)  # noqa: S308  (markup rendered with stand-ins, and parts its caller escaped or built)
