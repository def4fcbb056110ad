"""What an inbound message says, read defensively: any bytes at all give a :class:`Request` or ``None``."""

import email
import email.policy
import re
from dataclasses import dataclass
from email.utils import getaddresses

ENGLISH, RUSSIAN = "en", "ru"
DEFAULT_LANGUAGE = RUSSIAN  # most who write are readers in Russia; a blank mail is answered in Russian
BODY_CHARACTERS = 4000  # how much of the text is read to guess its language
LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
ADDRESS = re.compile(rf"^[^@\s<>()\[\],;:\"\\]{{1,64}}@({LABEL}(?:\.{LABEL})+)$")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z]")
AUTOMATIC_PRECEDENCE = {"bulk", "list", "junk"}
DAEMON_LOCAL_PARTS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply"}


@dataclass(frozen=True)
class Request:
    sender: str  # the From address: held in memory only, never written anywhere
    domain: str  # the From domain, lower case
    language: str
    automatic: bool  # a bounce, an auto-reply, list or bulk mail (RFC 3834): never answered
    message_id: str  # the request's Message-ID, for In-Reply-To ("" if it had none fit to quote)


def parse(raw: bytes, *, envelope_sender: str | None = None) -> Request | None:
    """The request in ``raw``, or ``None`` when it names no single valid From address. ``envelope_sender``: the SMTP
    ``MAIL FROM`` when known (``""`` is a bounce's null sender)."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
        senders = getaddresses(message.get_all("From", []))
    except Exception:  # a parser's surprise at broken mail is a malformed request, nothing more
        return None
    if len(senders) != 1:
        return None
    sender = senders[0][1].strip()
    match = ADDRESS.match(sender)
    if not match or not sender.isascii():
        return None
    return Request(
        sender=sender,
        domain=match.group(1).lower(),
        language=_language(message),
        automatic=_automatic(message, sender, envelope_sender),
        message_id=_message_id(message),
    )


def _header(message, name) -> str:
    value = message.get(name, "")
    return str(value).strip().lower() if value is not None else ""


def _automatic(message, sender, envelope_sender) -> bool:
    auto_submitted = _header(message, "Auto-Submitted")
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return True
    if _header(message, "Precedence") in AUTOMATIC_PRECEDENCE:
        return True
    if message.get("List-Id") or message.get("List-Unsubscribe") or message.get("X-Auto-Response-Suppress"):
        return True
    return_path = _header(message, "Return-Path")
    if message.get("Return-Path") is not None and return_path in {"", "<>"}:
        return True
    if envelope_sender is not None and envelope_sender.strip() in {"", "<>"}:
        return True
    return sender.split("@", 1)[0].lower() in DAEMON_LOCAL_PARTS


def _message_id(message) -> str:
    value = str(message.get("Message-ID", "") or "").strip()
    return value if re.fullmatch(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>", value) else ""


def _text(message) -> str:
    """The first plain-text part, decoded as well as it goes (the subject when there is none)."""
    parts = message.walk() if message.is_multipart() else [message]
    for part in parts:
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "utf-8"
            try:
                return payload[: BODY_CHARACTERS * 4].decode(charset, "replace")[:BODY_CHARACTERS]
            except LookupError:
                return payload[: BODY_CHARACTERS * 4].decode("utf-8", "replace")[:BODY_CHARACTERS]
    return ""


def _language(message) -> str:
    """Russian or English: the ``Content-Language`` header if it names one of them, else the text's letters
    (Cyrillic: Russian; Latin only: English), else Russian."""
    for tag in _header(message, "Content-Language").replace(";", ",").split(","):
        primary = tag.strip().split("-")[0]
        if primary in (RUSSIAN, ENGLISH):
            return primary
    try:
        text = _text(message)
    except Exception:  # an undecodable body says nothing of the language
        text = ""
    if CYRILLIC.search(text):
        return RUSSIAN
    if LATIN.search(text):
        return ENGLISH
    return DEFAULT_LANGUAGE
