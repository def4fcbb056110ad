"""Email addresses as readers type them: one rule for every form that takes one (the checkout, “Remind me later”,
the manage link), and the one form in which an address is stored and compared.

``normalise_email(value)`` returns an address in that form or raises ``ValidationError`` with a message for the
reader; ``EmailAddressField`` is the form field that uses it; ``canonical_email(value)`` is what identities, lookups
and digests compare.

Decisions, so they are made once:

* **Around the address**, whitespace is dropped (spaces, tabs, line breaks, no-break spaces: what copying from a mail
  or a note adds). **Inside it** — and at either end, where copying brings them too — any invisible character is
  refused with its own message, never removed: format characters (zero-width space U+200B, byte-order mark U+FEFF,
  the bidirectional marks U+200E and U+202E, the soft hyphen U+00AD, …), every space but the plain one, variation
  selectors and other characters that show nothing. Removing them would change the address without the reader
  knowing, and mail would go to someone else. Control characters (a line break inside, a NUL) and a plain space
  inside are refused as any malformed address is.
* **Before the @** (the local part): ASCII letters, digits and ``! # $ % & ' * + / = ? ^ _ ` { | } ~ -``, in parts
  joined by single dots (none first or last), at most 64 characters. Quoted local parts (``"a b"@example.org``) are
  refused: no mail service hands them out, and they carry spaces and @ into an address. Letters outside ASCII are
  refused with their own message: they need SMTPUTF8, and Django's SMTP backend does not speak it (it would write the
  local part as an RFC 2047 encoded word, which no server delivers).
* **After the @** (the domain): a name of at least two labels (``localhost`` is refused), each 1–63 characters of
  letters, digits and hyphens, neither first nor last, the last label not all digits; no empty label and no trailing
  dot. Address literals (``[127.0.0.1]``, ``[IPv6:::1]``) are refused: a reader's mail service has a name.
  Internationalised names (``пример.рф``) are welcome, checked in their IDNA form — the one Django's mail sends to
  (``django.utils.encoding.punycode``), at most 253 characters. A label IDNA would change (full-width letters, ``ß``)
  is refused: what is stored is exactly what is mailed.
* **The whole address** is at most 254 characters, the domain counted in its IDNA form (RFC 5321's limit on a path).
* **One form**: the domain lower-case and in Unicode — a label typed in its IDNA form (``xn--p1ai``) becomes the
  Unicode one (``рф``) — and the local part as typed: RFC 5321 lets a mail server tell its cases apart, so mail goes
  exactly where the reader asked (``normalise_email``). What addresses are **compared** by — a supporter's identity,
  a reminder's digest, the manage link's lookup — is that form lower-cased throughout (``canonical_email``), as the
  ledger has always stored supporters, so ``Reader@пример.рф`` and ``reader@XN--E1AFMKFD.XN--P1AI`` are one
  supporter, one reminder and one manage link.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 254
MAX_LOCAL_LENGTH = 64
MAX_DOMAIN_LENGTH = 253
MAX_LABEL_LENGTH = 63
LONGEST_TYPED = 1000  # longer than any address could be, even with spaces around it: refused before any work

INVALID = _("Enter a valid email address, like name@example.org.")
INVISIBLE = _(
    "Enter a valid email address: this one contains an invisible character, often copied along with it. "
    "Please type the address again."
)
DOMAIN = _("Enter a valid email address: after the @ comes a domain name, like example.org.")
NON_ASCII_LOCAL = _(
    "Please enter another email address: we cannot send mail to one with letters other than Latin ones before the @."
)

MESSAGES = {"invalid": INVALID, "invisible": INVISIBLE, "domain": DOMAIN, "non_ascii_local": NON_ASCII_LOCAL}

DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
LABEL = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?\Z")

#: Characters that show nothing but belong to no “other” or separator category.
SHOW_NOTHING = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0]
    + list(range(0x180B, 0x1810))
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0100, 0xE01F0))
)


def _invisible(character: str) -> bool:
    category = unicodedata.category(character)
    if character == " " or category == "Cc":  # a plain space or a control character: malformed, not invisible
        return False
    return category[0] in "CZ" or ord(character) in SHOW_NOTHING


def _refuse(code: str):
    return ValidationError(MESSAGES[code], code=code)


def _label_in_unicode(label: str) -> str:
    """One lower-cased domain label in Unicode, or raise: it must be what IDNA gives back for its own ASCII form."""
    if not label:
        raise _refuse("domain")
    try:
        if label.isascii():
            ascii_form = label
            unicode_form = label.encode("ascii").decode("idna") if label.startswith("xn--") else label
            if unicode_form.encode("idna").decode("ascii") != ascii_form:  # a malformed or padded xn-- label
                raise _refuse("domain")
        else:
            unicode_form = label
            ascii_form = label.encode("idna").decode("ascii")
            if ascii_form.encode("ascii").decode("idna") != unicode_form:  # IDNA maps it to another name
                raise _refuse("domain")
    except UnicodeError:
        raise _refuse("domain") from None
    if len(ascii_form) > MAX_LABEL_LENGTH or not LABEL.match(ascii_form):
        raise _refuse("domain")
    return unicode_form


def _domain(domain: str) -> tuple[str, int]:
    """(the domain in its stored form, the length of its IDNA form), or raise."""
    if domain.startswith("["):  # an address literal: [127.0.0.1], [IPv6:::1]
        raise _refuse("domain")
    labels = domain.lower().split(".")
    if len(labels) < 2:
        raise _refuse("domain")
    stored = [_label_in_unicode(label) for label in labels]
    ascii_length = len(".".join(label.encode("idna").decode("ascii") for label in stored))
    if ascii_length > MAX_DOMAIN_LENGTH or labels[-1].isdigit():
        raise _refuse("domain")
    return ".".join(stored), ascii_length


def normalise_email(value) -> str:
    """The address ``value`` in its one form (the domain lower-case in Unicode, the local part as typed). Raises
    ``ValidationError`` (code ``invalid``, ``invisible``, ``domain`` or ``non_ascii_local``, with the reader's
    message) for anything the rules above refuse."""
    text = str(value or "")
    if len(text) > LONGEST_TYPED:
        raise _refuse("invalid")
    text = text.strip()
    if not text:
        raise _refuse("invalid")
    if any(_invisible(character) for character in text):
        raise _refuse("invisible")
    if any(unicodedata.category(character) == "Cc" for character in text):
        raise _refuse("invalid")
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or "@" in local:
        raise _refuse("invalid")
    if not local.isascii():
        raise _refuse("non_ascii_local")
    if len(local) > MAX_LOCAL_LENGTH or not DOT_ATOM.match(local):
        raise _refuse("invalid")
    domain, ascii_length = _domain(domain)
    if len(local) + 1 + ascii_length > MAX_LENGTH:
        raise _refuse("invalid")
    return f"{local}@{domain}"


def canonical_email(value) -> str:
    """What an address is stored as an identity (``Supporter``), looked up and digested by: :func:`normalise_email`'s
    form lower-cased, or, for an address the rules refuse (one stored before them), its stripped text lower-cased, as
    it was stored then."""
    try:
        return normalise_email(value).lower()
    except ValidationError:
        return str(value or "").strip().lower()


class EmailAddressField(forms.CharField):
    """A form field for an email address: :func:`normalise_email`'s rules and form. ``error_messages`` may replace the
    message of any of its codes (``invalid``, ``invisible``, ``domain``, ``non_ascii_local``) or ``required``."""

    widget = forms.EmailInput
    default_error_messages = MESSAGES

    def to_python(self, value):
        text = "" if value in self.empty_values else str(value)
        if not text.strip():
            return ""
        try:
            return normalise_email(text)
        except ValidationError as error:
            raise ValidationError(self.error_messages[error.code], code=error.code) from None
