"""Support tests: a real SMTP server (aiosmtpd) that Django's SMTP backend delivers to, and small helpers."""

import email
import email.policy
import re
import socket
import threading
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.test import Client, override_settings

from tests.waiting import EVENT_SECONDS


def free_port():
    """A port nobody listens on now (aiosmtpd's Controller cannot be given port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


REFUSED_PREFIX = "refused"


class Collector:
    """aiosmtpd handler: keeps every message it receives, parsed; refuses for good any recipient named “refused…”.

    Its server runs in a thread of its own: a test that did not send the mail itself (a live server did) waits for it
    with ``wait_for``.
    """

    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()

    def wait_for(self, count=1, *, seconds=EVENT_SECONDS):
        """The messages received, once there are at least ``count``; fails if they are fewer after ``seconds``."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=seconds):
                subjects = [message["Subject"] for message in self.messages]
                raise AssertionError(f"{len(self.messages)} mails after {seconds} s, expected {count}: {subjects}")
            return list(self.messages)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith(REFUSED_PREFIX):
            return f"550 5.1.1 <{address}>: Recipient address rejected"  # servers quote the address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


def body_of(message):
    return message.get_body(("plain",)).get_content()


def links_in(message):
    return re.findall(r"https?://\S+", body_of(message))


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="session")
def smtp_server():
    controller = Controller(Collector(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    """Mail goes over SMTP to a real server for this test; ``mailbox.messages`` is what arrived."""
    handler = smtp_server.handler
    handler.messages.clear()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=smtp_server.port,
        EMAIL_USE_TLS=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=5,
    ):
        yield handler
    handler.messages.clear()


@pytest.fixture
def post_remind(client, django_capture_on_commit_callbacks):
    """POST the reminder form the way a browser does; after-commit work (the confirmation mail) runs at once."""

    def post(data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/support/remind/", data, **extra)

    return post


@pytest.fixture
def revenue(db):
    """The demo's revenue person, logged in with their password as they would log in."""
    client = Client()
    assert client.login(username="revenue", password="samizdat-demo")
    return client


# The seeded ledger of the revenue tests (tests/support/revenue_ledger.py), for every test module that asks for it.
from tests.support.revenue_ledger import seeded  # noqa: E402, F401
