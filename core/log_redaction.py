"""Secret links never reach a log: every record is rewritten on its way out, its secret path segments and query
values replaced by ``[redacted]``.

A magic link to manage one's support (``/support/manage/<token>/``), a reminder's confirm, cancel and forget links,
a contribution's pay page (``/support/pay/<public_id>/``, an unguessable id that is all it takes to see the page and
pay) and the admin's password reset links are keys: whoever reads them in a log can act as the person they were
mailed to, or learn who gave. Yet Django logs the path of every 4xx and 5xx (``Bad Request: /support/manage/…``), and
gunicorn the request line of an error (and of every request, with its access log on).

Which routes carry secrets is read from the URLconf itself, so a new one cannot be forgotten: a route parameter named
in :data:`SECRET_PARAMETERS`, or any ``<uuid:…>``, is a secret segment. Every other parameter that can hold more than
a number must be named in :data:`PUBLIC_PARAMETERS`; ``tests/core/test_log_redaction.py`` fails for any that is in
neither. Query values of the same names are redacted too, and so is anything shaped like a value signed by
``django.core.signing`` (``payload:timestamp:signature``) wherever it appears, a traceback included.

:class:`RedactSecrets` is the filter; ``LOGGING`` in settings puts it on the one console handler every logger writes
to, and ``deploy/gunicorn.conf.py`` on gunicorn's own handlers. Until the URLconf can be read (a process that has not
set Django up yet, such as gunicorn's master), only the shapes are redacted: signed values and every UUID.
"""

import logging
import re
import threading

REDACTED = "[redacted]"
#: Route parameters (and query parameters) whose values are secrets.
SECRET_PARAMETERS = frozenset({"token", "uidb64", "public_id"})
#: Route parameters that may hold text but are no secret: ours and those of Wagtail's admin.
PUBLIC_PARAMETERS = frozenset(
    {
        "action",
        "action_name",
        "app_label",
        "app_name",
        "asset",
        "content_type_app_name",
        "content_type_model_name",
        "filter_spec",
        "key",
        "language",
        "model_name",
        "month",
        "name",
        "object_id",
        "path",
        "pk",
        "revision_id_a",
        "revision_id_b",
        "section",
        "slug",
        "what",
        "year",
    }
)

# A secret segment, as far as it can reach in a log line: up to the next slash, query, fragment, space or quote.
SEGMENT = r"[^/?#&\s\"'<>]+"
SIGNED_VALUE = re.compile(r"\.?[A-Za-z0-9_-]{2,}:[0-9A-Za-z]{1,12}:[A-Za-z0-9_-]{27,}")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SECRET_QUERY = re.compile(r"([?&](?:" + "|".join(sorted(SECRET_PARAMETERS)) + r")=)[^&#\s\"'<>]*")


# --- The routes ---------------------------------------------------------------------------------------------------


def routes(resolver=None):
    """Every route of the URLconf: ``(regex, {parameter: converter or None})``, the regex the route's levels joined
    (without their anchors), the converters those of its ``path()`` levels (None for a ``re_path()`` group)."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix, converters):
        for entry in patterns:
            pattern = entry.pattern
            regex = getattr(pattern, "regex", None)
            if regex is None:  # a language prefix or another pattern with no regex of its own
                continue
            text = regex.pattern.removeprefix("^")
            found = {**converters, **dict.fromkeys(regex.groupindex)}
            found.update(getattr(pattern, "converters", {}))
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + text, found)
            else:
                yield prefix + text.removesuffix(r"\Z").removesuffix("$"), found

    yield from walk((resolver or get_resolver()).url_patterns, "", {})


def is_secret(name, converter):
    return name in SECRET_PARAMETERS or type(converter).__name__ == "UUIDConverter"


def _group_end(regex, start):
    """The index just past the group that opens at ``regex[start]``."""
    depth, index, in_class = 0, start, False
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError(f"unbalanced group in {regex!r}")


def secret_path_regex(regex, converters):
    """A regex that finds the route's path in any text, its secret groups named ``s0``, ``s1``…, ending with the
    last of them (whatever follows — a slash, more of the path, a query — is kept); None without a secret."""
    out, index, secrets, end = [], 0, 0, None
    for match in re.finditer(r"\(\?P<(\w+)>", regex):
        if match.start() < index:  # inside a group already rewritten
            continue
        close = _group_end(regex, match.start())
        name = match.group(1)
        out.append(regex[index : match.start()])
        if is_secret(name, converters.get(name)):
            out.append(f"(?P<s{secrets}>{SEGMENT})")
            secrets += 1
            end = len(out)
        else:
            out.append("(?:" + regex[match.end() : close])
        index = close
    if end is None:
        return None
    return "/" + "".join(out[:end])


class _Rules:
    """The compiled path rules for one URLconf, made on first use (the URLconf is read once the app is ready)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.building = threading.local()
        self.for_resolver = None
        self.patterns = ()

    def current(self):
        """The path patterns, or None while the URLconf cannot be read (the caller then redacts by shape)."""
        from django.apps import apps
        from django.conf import settings

        if not settings.configured or not apps.ready or getattr(self.building, "active", False):
            return None
        from django.urls import get_resolver

        resolver = get_resolver()
        if resolver is self.for_resolver:
            return self.patterns
        self.building.active = True  # a record logged while the URLconf is imported is redacted by shape
        try:
            found = {secret_path_regex(regex, converters) for regex, converters in routes(resolver)}
        except Exception:
            return None
        finally:
            self.building.active = False
        with self.lock:
            self.patterns = tuple(re.compile(text) for text in sorted(found - {None}))
            self.for_resolver = resolver
        return self.patterns


RULES = _Rules()


def _hide_groups(match):
    """The matched text with each secret group (``s0``, ``s1``…) replaced by the marker."""
    text, start, parts, position = match.group(0), match.start(), [], 0
    for name in sorted(match.re.groupindex, key=lambda name: match.start(name)):
        if match.group(name) is None:
            continue
        parts += [text[position : match.start(name) - start], REDACTED]
        position = match.end(name) - start
    return "".join(parts) + text[position:]


def redact(text):
    """``text`` with every secret path segment, secret query value and signed value replaced by ``[redacted]``."""
    if not isinstance(text, str) or not text:
        return text
    patterns = RULES.current()
    if "/" in text or "=" in text:
        for pattern in patterns or ():
            text = pattern.sub(_hide_groups, text)
        text = SECRET_QUERY.sub(lambda match: match.group(1) + REDACTED, text)
    text = SIGNED_VALUE.sub(REDACTED, text)
    if patterns is None:
        text = UUID.sub(REDACTED, text)
    return text


# --- The filter ---------------------------------------------------------------------------------------------------


class RedactedRequest:
    """A request attached to a record (Django's ``django.request`` records carry one), as a formatter may print it:
    its path redacted; everything else is the request's own."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(self._request, name)

    @property
    def path(self):
        return redact(self._request.path)

    @property
    def path_info(self):
        return redact(self._request.path_info)

    def get_full_path(self, *args, **kwargs):
        return redact(self._request.get_full_path(*args, **kwargs))

    def build_absolute_uri(self, *args, **kwargs):
        return redact(self._request.build_absolute_uri(*args, **kwargs))

    def __repr__(self):
        return redact(repr(self._request))

    __str__ = __repr__


class RedactSecrets(logging.Filter):
    """Rewrite a record so that no secret of a link is in its message, its exception's text, its stack or its
    request. The message is formatted here once (so arguments of any kind, a dict of gunicorn's atoms included, are
    covered) and kept as the record's message when something was redacted. Never drops a record."""

    def filter(self, record):
        try:
            self._rewrite(record)
        except Exception:  # redaction must never cost a record, nor let one through unredacted
            record.msg, record.args = f"{REDACTED} (a {record.levelname} record of {record.name})", None
            record.exc_info = record.exc_text = record.stack_info = None
        return True

    def _rewrite(self, record):
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: both as text (logging would print them raw)
            record.msg, record.args = redact(f"{record.msg} {record.args!r}"), None
        else:
            redacted = redact(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            text = logging.Formatter().formatException(record.exc_info)
            if redact(text) != text:
                record.exc_text = redact(text)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, (RedactedRequest, str)) and hasattr(request, "path"):
            record.request = RedactedRequest(request)
