"""The reply: the ``email``-pool mirrors and the onion, how to check the list, and the newest signed public list
with its minisign signature, both inline (to copy from any mail client) and attached (the exact bytes to check with
``minisign -Vm mirrors.json -P RW…``). Plain text, a neutral subject, ``Auto-Submitted: auto-replied``."""

import smtplib
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.onion import onion_address, onion_url
from mirrors import mirror_list
from mirrors.models import Mirror, MirrorList

SUBJECT = _("Your request")
TEMPLATE = "mirrors/email/autoreply.txt"
POOL = Mirror.Pool.EMAIL


class ReplyNotSent(Exception):
    """The reply did not go out; the reason never quotes the address (SMTP errors do)."""


def responder_address() -> str:
    return settings.MIRROR_RESPONDER_ADDRESS


def mirror_urls() -> list[str]:
    """The ``email`` pool's listed mirrors (onions first), and the onion service when none of them is it."""
    urls = [mirror.url for mirror in mirror_list.listed_mirrors(POOL)]
    if onion_address():
        onion = onion_url("")
        if not any(urlsplit(url).hostname == onion_address() for url in urls):
            urls.insert(0, onion)
    return urls


def compose(*, to: str, language: str, in_reply_to: str = "", signed: MirrorList | None) -> EmailMessage:
    with translation.override(language):
        body = render_to_string(
            TEMPLATE,
            {
                "site_name": settings.WAGTAIL_SITE_NAME,
                "mirrors": mirror_urls(),
                "public_key": signed.public_key if signed else "",
                "list_body": signed.body if signed else "",
                "list_signature": signed.signature if signed else "",
            },
        )
        subject = str(SUBJECT)
    domain = urlsplit(settings.CANONICAL_URL).hostname or "localhost"
    headers = {
        "Message-ID": make_msgid(domain=domain),
        "Auto-Submitted": "auto-replied",
        "Content-Language": language,
    }
    if in_reply_to:
        headers["In-Reply-To"] = headers["References"] = in_reply_to
    message = EmailMessage(subject=subject, body=body, from_email=responder_address(), to=[to], headers=headers)
    if signed is not None:
        message.attach(mirror_list.FILE_NAME, signed.body.encode(), "application/json")
        message.attach(f"{mirror_list.FILE_NAME}.minisig", signed.signature.encode(), "application/octet-stream")
    return message


def send(message: EmailMessage) -> None:
    try:
        message.send()
    except smtplib.SMTPResponseException as error:
        raise ReplyNotSent(f"{type(error).__name__} {error.smtp_code}") from None
    except (smtplib.SMTPException, OSError) as error:
        raise ReplyNotSent(type(error).__name__) from None
