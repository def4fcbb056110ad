"""One inbound message, start to end: read it, decide, reply (or not), and say what was done.

The checks go in this order: a sender at all; not sent by a program (RFC 3834); a DKIM signature of the From domain
that verifies; the sender's daily count; the hourly count. A reply goes only to the From address that DKIM vouched
for (never to ``Reply-To``), so a forged sender can neither be sent mail nor have its count used up.
"""

import enum
import logging

from core.actions import Actor, record
from mirrors import mirror_list
from mirrors.autoresponder import dkim_check, inbound, limits, reply

MAX_BYTES = 256 * 1024  # larger requests are not read (the SMTP server refuses them already)

logger = logging.getLogger(__name__)
ACTOR = Actor.system("mirrors_responder")


class Outcome(enum.StrEnum):
    REPLIED = "replied"
    MALFORMED = "malformed"
    AUTOMATIC = "automatic"
    OWN = "own"
    UNVERIFIED = "unverified"
    SENDER_LIMIT = "sender-limit"
    GLOBAL_LIMIT = "global-limit"
    NOT_SENT = "not-sent"


def respond(raw: bytes, *, envelope_sender: str | None = None) -> Outcome:
    """Answer ``raw`` if it should be; never raises. The log line names the outcome and the language only."""
    try:
        outcome, language = _respond(raw, envelope_sender)
    except Exception:  # one bad message must never stop the responder
        logger.exception("mirrors responder: the request could not be handled")
        return Outcome.MALFORMED
    logger.info("mirrors responder: %s%s", outcome.value, f" ({language})" if language else "")
    return outcome


def _respond(raw, envelope_sender):
    if not isinstance(raw, bytes) or len(raw) > MAX_BYTES:
        return Outcome.MALFORMED, ""
    request = inbound.parse(raw, envelope_sender=envelope_sender)
    if request is None:
        return Outcome.MALFORMED, ""
    if request.automatic:
        return Outcome.AUTOMATIC, ""
    if request.sender.lower() == reply.responder_address().lower():
        return Outcome.OWN, ""
    if not dkim_check.verifies_for(raw, request.domain):
        return Outcome.UNVERIFIED, ""
    if not limits.sender_allowed(request.sender):
        return Outcome.SENDER_LIMIT, request.language
    if not limits.global_allowed():
        return Outcome.GLOBAL_LIMIT, request.language
    message = reply.compose(
        to=request.sender,
        language=request.language,
        in_reply_to=request.message_id,
        signed=mirror_list.latest_list(),
    )
    try:
        reply.send(message)
    except reply.ReplyNotSent as error:
        logger.warning("mirrors responder: the reply was not sent: %s", error)
        return Outcome.NOT_SENT, request.language
    record(actor=ACTOR, action="mirrors.request_answered", language=request.language)
    return Outcome.REPLIED, request.language
