"""The demo's mailbox in the browser: what the demo's SMTP sink wrote to its Maildir, at ``/demo/mail/``.

A person trying the demo has no mail client pointed at ``var/mail``, yet receipts, reminders and magic links are part
of what they came to see. These two pages list the Maildir (newest first) and show one message's text, with its links
made clickable. Only the text part is shown: an HTML part is named but never put into our page, so nothing from a
message can run or load here, and the pages keep the site's strict Content-Security-Policy.

The URLs exist only when ``DEMO_MAILBOX_DIR`` names a Maildir, which settings allow outside production only (the demo
sets it to ``var/mail``; tests point it at their own).
"""

import email
import email.policy
import mailbox
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

#: The list shows at most this many messages (the newest): a demo's mailbox is small, but nothing stops it growing.
LIST_LIMIT = 200
#: What Python's Maildir (and so aiosmtpd's Mailbox handler) names a message: time, unique part, host. Anything else
#: in a URL is not a key of ours, and never reaches the file system.
KEY = re.compile(r"^[A-Za-z0-9._-]{1,200}$")
#: Links in a text part: http(s) only, up to the first space or character that cannot end a URL in plain text.
LINK = re.compile(r"https?://[^\s<>\"']+")
TRAILING = ".,;:!?)]}"


@dataclass(frozen=True)
class Summary:
    key: str
    date: datetime | None
    sender: str
    to: str
    subject: str


def _maildir():
    location = getattr(settings, "DEMO_MAILBOX_DIR", "")
    if not location or not Path(location, "new").is_dir():
        raise Http404
    return mailbox.Maildir(location, factory=None, create=False)


def _header(message, name):
    """A header as text; a malformed one is shown as best it can be, never an error."""
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError, LookupError):
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _date(message, key):
    try:
        date = parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        pass
    else:
        return date if date.tzinfo else date.replace(tzinfo=UTC)  # "-0000" means: zone unknown
    seconds = key.split(".", 1)[0]  # Maildir keys start with the time the message was delivered
    return datetime.fromtimestamp(int(seconds), tz=UTC) if seconds.isdigit() else None


def _parse(raw: bytes, *, headers_only=False):
    parser = email.parser.BytesParser(policy=email.policy.default)
    return parser.parsebytes(raw, headersonly=headers_only)


def summaries(box) -> list[Summary]:
    found = []
    for key in box.iterkeys():
        try:
            with box.get_file(key) as handle:
                # the headers are all the list needs; a message's body can be large
                message = _parse(handle.read(64 * 1024), headers_only=True)
        except (KeyError, OSError):
            continue  # moved or deleted while we looked
        found.append(
            Summary(
                key, _date(message, key), _header(message, "From"), _header(message, "To"), _header(message, "Subject")
            )
        )
    oldest = datetime.min.replace(tzinfo=UTC)
    found.sort(key=lambda summary: (summary.date or oldest, summary.key), reverse=True)
    return found[:LIST_LIMIT]


def text_of(message) -> str:
    """The message's plain text, decoded; a part in an unknown charset is decoded as UTF-8 with replacements."""
    part = message.get_body(("plain",))
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, ValueError, AttributeError):
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def other_parts(message) -> list[str]:
    """The content types of the parts that are not shown (an HTML alternative, attachments)."""
    shown = message.get_body(("plain",))
    return [
        part.get_content_type()
        for part in message.walk()
        if not part.is_multipart() and part is not shown and part.get_content_maintype() != "multipart"
    ]


def linked(text: str):
    """``text`` escaped, with every http(s) link in it made a link. Nothing else of the message becomes markup."""
    pieces, position = [], 0
    for match in LINK.finditer(text):
        url = match.group(0).rstrip(TRAILING)
        end = match.start() + len(url)
        pieces.append(format_html("{}", text[position : match.start()]))
        pieces.append(format_html('<a href="{}" rel="noreferrer">{}</a>', url, url))
        position = end
    pieces.append(format_html("{}", text[position:]))
    return mark_safe("".join(pieces))  # noqa: S308  (every piece was escaped by format_html)


def _private(response):
    response.render()
    add_never_cache_headers(response)  # mail is personal, even in a demo: no shared cache, no page cache
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def message_list(request):
    box = _maildir()
    context = {"messages": summaries(box), "limit": LIST_LIMIT}
    return _private(TemplateResponse(request, "core/demo_mailbox.html", context))


@require_safe
def message_detail(request, key):
    if not KEY.match(key):
        raise Http404
    box = _maildir()
    try:
        raw = box.get_bytes(key)
    except (KeyError, OSError):
        raise Http404 from None
    message = _parse(raw)
    context = {
        "key": key,
        "date": _date(message, key),
        "headers": [(name, _header(message, name)) for name in ("From", "To", "Subject", "Message-ID")],
        "text": linked(text_of(message)),
        "other_parts": other_parts(message),
    }
    return _private(TemplateResponse(request, "core/demo_mail_message.html", context))


urlpatterns = [
    path("", message_list, name="demo_mailbox"),
    path("<str:key>/", message_detail, name="demo_mail_message"),
]
