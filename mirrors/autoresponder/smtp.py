"""An aiosmtpd handler for the mirrors mailbox on a self-hosted MX (``manage.py run_mirrors_responder``).

Every message is accepted once its data arrived (``250``), whatever becomes of it: refusing would make the sending
server bounce to the (maybe forged) sender. Recipients other than the responder's address are refused at ``RCPT``.
The answer is decided and sent before the ``250``, in a worker thread (Django's database access is synchronous).
"""

import asyncio
import logging

from aiosmtpd.controller import Controller
from django.db import connections

from mirrors.autoresponder import reply
from mirrors.autoresponder.respond import MAX_BYTES, respond


class ResponderHandler:
    def __init__(self):
        self.outcomes = []  # what became of each message, in order (no addresses)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.strip().lower() != reply.responder_address().lower():
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        sender = envelope.mail_from or ""
        outcome = await asyncio.get_running_loop().run_in_executor(None, _respond_in_thread, raw, sender)
        self.outcomes.append(outcome)
        return "250 Message accepted"


def _respond_in_thread(raw, sender):
    try:
        return respond(raw, envelope_sender=sender)
    finally:
        connections.close_all()  # this worker thread's own connections: none is left open between messages


def controller(host: str, port: int) -> Controller:
    """The SMTP server, not yet started: ``.start()`` runs it in a thread, ``.stop()`` ends it.

    aiosmtpd logs every command (``MAIL FROM:<address>``) at INFO and every data line at DEBUG on ``mail.log``: that
    logger is kept to errors, so no log line ever holds a sender's address.
    """
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    return Controller(
        ResponderHandler(),
        hostname=host,
        port=port,
        data_size_limit=MAX_BYTES,
        decode_data=False,
        server_hostname="localhost",
    )
