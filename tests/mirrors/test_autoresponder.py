"""The mirrors mailbox (REACH.md R5.3): DKIM-signed requests over real SMTP to the running responder, replies caught
by a real SMTP sink, the signed list checked with our verifier and with the stock ``minisign``.

The responder reads and writes the database from its own thread, so what it must see is committed for real, outside
the per-test transaction (``transaction=True`` would flush the demo newsroom the other tests rely on): each test adds
its mirrors, and afterwards deletes them and every list and audit entry made meanwhile, whatever happened.
"""

import base64
import datetime as dt
import os
import shutil
import signal
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from email.utils import make_msgid

import dkim
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from core.actions import Actor
from core.models import AuditEntry
from core.onion import onion_host
from mirrors import signing
from mirrors.actions import add_mirror, sign_mirror_list
from mirrors.autoresponder import inbound, limits
from mirrors.autoresponder.respond import Outcome
from mirrors.autoresponder.smtp import controller
from mirrors.models import Mirror, MirrorList
from tests.support.conftest import Collector, free_port
from tests.waiting import EVENT_SECONDS, wait_until

SELECTOR = b"test"
DOMAIN = "reader.example"
RESPONDER = "mirrors@samizdat.example"

_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
PRIVATE_PEM = _key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
)
_public_der = _key.public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
)
DNS = {f"{SELECTOR.decode()}._domainkey.{DOMAIN}.": b"v=DKIM1; k=rsa; p=" + base64.b64encode(_public_der)}
lookups = []


def dns_record(name, timeout=5):
    """The stand-in for DNS that ``MIRROR_RESPONDER_DNSFUNC`` names: TXT records of the test's own key only."""
    name = name.decode() if isinstance(name, bytes) else name
    lookups.append(name)
    return DNS.get(name if name.endswith(".") else name + ".")


def request(sender, body="", *, sign=True, headers=None, domain=DOMAIN):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = RESPONDER
    message["Subject"] = "hello"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body)  # (it drops Content-* headers set before it)
    for name, value in (headers or {}).items():
        message[name] = value
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    if sign:
        signature = dkim.sign(
            raw, SELECTOR, domain.encode(), PRIVATE_PEM, include_headers=[b"from", b"to", b"subject", b"message-id"]
        )
        raw = signature + raw
    return raw


@pytest.fixture(scope="module")
def sink():
    """Where the replies go: a real SMTP server that keeps what it receives."""
    server = Controller(Collector(), hostname="127.0.0.1", port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def responder_port():
    port = free_port()
    server = controller("127.0.0.1", port)
    server.start()
    yield port, server.handler
    server.stop()


MINE = {
    "https://mail-one.example": "email",
    "https://public-one.example": "public",
    "https://hidden-one.example": "private",
    "https://letter-one.example": "newsletter",
}


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """The test's mirrors, committed; afterwards they, and every list and audit entry made since, are deleted."""
    with django_db_blocker.unblock():
        last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        last_list = MirrorList.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        try:
            actor = Actor.system("test")
            for url, pool in MINE.items():
                add_mirror(actor=actor, url=url, kind="static", carrier="cdn", pool=pool)
            sign_mirror_list(actor=actor)  # the demo may have signed none
            yield last_entry
        finally:
            AuditEntry.objects.filter(pk__gt=last_entry).delete()
            MirrorList.objects.filter(sequence__gt=last_list).delete()
            Mirror.objects.filter(url__in=MINE).delete()


@pytest.fixture
def responder(settings, sink, responder_port, committed):
    settings.MIRROR_RESPONDER_ADDRESS = RESPONDER
    settings.MIRROR_RESPONDER_DNSFUNC = f"{__name__}.dns_record"
    settings.MIRROR_RESPONDER_PER_SENDER = 3
    settings.MIRROR_RESPONDER_PER_HOUR = 500
    settings.ONION_ADDRESS = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    cache.clear()
    sink.handler.messages.clear()
    port, handler = responder_port
    handler.outcomes.clear()

    class Responder:
        first_new_entry = committed + 1
        outcomes = handler.outcomes
        mails = sink.handler

        def send(self, raw, *, mail_from="reader@reader.example"):
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.sendmail(mail_from, [RESPONDER], raw)
            # the responder answers before it accepts the message: its outcome (and any reply) are there now
            return self.outcomes[-1]

    yield Responder()
    cache.clear()


def text_of(message):
    """The reply's text with the line ends a reader's saved copy has (mail carries CRLF)."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def attachment(message, name):
    for part in message.iter_attachments():
        if part.get_filename() == name:
            return part.get_content()
    raise AssertionError(f"no attachment {name}")


def inline_block(text, start, end):
    return text.split(f"----- {start} -----\n", 1)[1].split(f"----- {end} -----", 1)[0]


def test_a_signed_request_gets_one_reply_with_the_email_pool_and_a_list_that_verifies(responder, tmp_path):
    assert responder.send(request("Reader <reader@reader.example>", "mirrors please")) == Outcome.REPLIED
    [reply] = responder.mails.wait_for(1)
    assert reply.envelope_to == ["reader@reader.example"]
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["From"] == RESPONDER
    assert reply["In-Reply-To"]
    assert "mirror" not in reply["Subject"].lower()
    text = text_of(reply)
    assert "https://mail-one.example" in text
    assert "hidden-one.example" not in text and "letter-one.example" not in text

    latest = MirrorList.objects.order_by("-sequence").first()
    body, signature = attachment(reply, "mirrors.json"), attachment(reply, "mirrors.json.minisig")
    body = body if isinstance(body, bytes) else body.encode()
    signature = signature.decode() if isinstance(signature, bytes) else signature
    assert body == latest.body.encode()
    assert signing.verify(body, signature, latest.public_key)
    inline_body = inline_block(text, "mirrors.json", "mirrors.json.minisig")
    inline_signature = inline_block(text, "mirrors.json.minisig", "end")
    assert signing.verify(inline_body.encode(), inline_signature, latest.public_key)
    assert latest.public_key in text

    if shutil.which("minisign"):  # Debian's minisign, as readers run it
        (tmp_path / "mirrors.json").write_bytes(inline_body.encode())
        (tmp_path / "mirrors.json.minisig").write_text(inline_signature)
        checked = subprocess.run(
            ["minisign", "-Vm", "mirrors.json", "-P", latest.public_key], cwd=tmp_path, capture_output=True
        )
        assert checked.returncode == 0, checked.stderr
    assert AuditEntry.objects.filter(action="mirrors.request_answered", pk__gte=responder.first_new_entry).count() == 1


def test_a_bad_signature_a_missing_one_and_another_domains_get_no_reply(responder):
    tampered = request("reader@reader.example", "mirrors").replace(b"mirrors\r\n", b"mirrors!\r\n")
    assert responder.send(tampered) == Outcome.UNVERIFIED
    assert responder.send(request("reader@reader.example", sign=False)) == Outcome.UNVERIFIED
    # signed by reader.example, but From another domain
    assert responder.send(request("someone@other.example")) == Outcome.UNVERIFIED
    assert responder.mails.messages == []


def test_the_fourth_request_of_a_day_gets_no_reply(responder):
    outcomes = [responder.send(request("reader@reader.example", "hi")) for _ in range(4)]
    assert outcomes == [Outcome.REPLIED] * 3 + [Outcome.SENDER_LIMIT]
    assert len(responder.mails.wait_for(3)) == 3
    assert responder.send(request("other@reader.example", "hi")) == Outcome.REPLIED  # others still get theirs
    assert len(responder.mails.wait_for(4)) == 4


def test_the_hourly_limit_holds_for_everyone(responder, settings):
    settings.MIRROR_RESPONDER_PER_HOUR = 2
    outcomes = [responder.send(request(f"reader{n}@reader.example", "hi")) for n in range(3)]
    assert outcomes == [Outcome.REPLIED, Outcome.REPLIED, Outcome.GLOBAL_LIMIT]
    assert len(responder.mails.wait_for(2)) == 2


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"Precedence": "junk"},
        {"Return-Path": "<>"},
        {"List-Id": "<readers.reader.example>"},
    ],
)
def test_mail_from_programs_gets_no_reply(responder, headers):
    assert responder.send(request("reader@reader.example", "hi", headers=headers)) == Outcome.AUTOMATIC
    assert responder.mails.messages == []


def test_bounces_get_no_reply(responder):
    assert responder.send(request("MAILER-DAEMON@reader.example", "hi")) == Outcome.AUTOMATIC
    assert responder.send(request("reader@reader.example", "hi"), mail_from="") == Outcome.AUTOMATIC
    assert responder.mails.messages == []


@pytest.mark.parametrize(
    ("body", "headers", "language"),
    [
        ("Пришлите зеркала", {}, "ru"),
        ("Send the mirrors", {}, "en"),
        ("", {}, "ru"),  # nothing to tell by: Russian
        ("12345", {}, "ru"),
        ("Send the mirrors", {"Content-Language": "ru-RU"}, "ru"),
        ("Пришлите", {"Content-Language": "en"}, "en"),
        ("Пришлите", {"Content-Language": "de"}, "ru"),
    ],
)
def test_the_reply_speaks_the_requests_language(responder, body, headers, language):
    assert responder.send(request("reader@reader.example", body, headers=headers)) == Outcome.REPLIED
    [reply] = responder.mails.wait_for(1)
    assert reply["Content-Language"] == language
    with translation.override(language):
        assert str(_("This is an automatic reply.")) in text_of(reply)
    assert "mail-one.example" in text_of(reply)


MALFORMED = [
    b"",
    b"\x00\xff\xfe garbage \x80\x81",
    b"Subject: no sender\r\n\r\nhello\r\n",
    b"From: \r\n\r\nhello\r\n",
    b"From: a@reader.example, b@reader.example\r\n\r\nhello\r\n",
    b"From: not an address\r\n\r\n",
    b"From: =?utf-8?b?!!!?= <\xd0\xb0@reader.example>\r\n\r\n",
    b"DKIM-Signature: v=1; a=rsa-sha256; d=reader.example; s=test; b=@@@; bh=???\r\nFrom: r@reader.example\r\n\r\nx",
    b"From: r@reader.example\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\n\xff\xfe",
    b"From: r@reader.example\r\nContent-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--",
]


def test_malformed_mail_never_stops_the_responder(responder):
    for raw in MALFORMED:
        assert responder.send(raw) in {Outcome.MALFORMED, Outcome.UNVERIFIED}
    assert responder.mails.messages == []
    assert responder.send(request("reader@reader.example", "hi")) == Outcome.REPLIED
    assert len(responder.mails.wait_for(1)) == 1


def test_no_table_log_line_or_cache_key_holds_the_senders_address(responder, caplog):
    address = "Private.Person@reader.example"
    caplog.set_level("DEBUG")
    for _attempt in range(4):
        responder.send(request(address, "hi"))
    responder.send(request(address, "hi").replace(b"hi\r\n", b"ho\r\n"))
    assert len(responder.mails.wait_for(3)) == 3
    needles = {address.lower(), "private.person"}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row).lower()
                assert not any(needle in text for needle in needles), table
    assert not any(needle in caplog.text.lower() for needle in needles)
    key = limits.sender_key(address, dt.datetime.now(dt.UTC).date())
    assert address.lower() not in key and cache.get(key) == 4


def test_the_sender_key_changes_every_day_and_never_names_the_address(settings):
    day = dt.date(2026, 12, 7)
    key = limits.sender_key("reader@reader.example", day)
    assert key == limits.sender_key("Reader@Reader.example", day)
    assert key != limits.sender_key("reader@reader.example", day + dt.timedelta(days=1))
    settings.MIRROR_RESPONDER_SALT_SECRET = "another secret"
    assert key != limits.sender_key("reader@reader.example", day)
    assert "reader" not in key


def test_parsing_finds_language_and_automatic_mail():
    parsed = inbound.parse(b"From: Reader <r@reader.example>\r\nContent-Language: en-GB\r\n\r\n\xd0\xb0\r\n")
    assert (parsed.sender, parsed.domain, parsed.language, parsed.automatic) == (
        "r@reader.example",
        DOMAIN,
        "en",
        False,
    )
    assert inbound.parse(b"From: r@reader.example\r\nAuto-Submitted: no\r\n\r\nhi").automatic is False
    assert inbound.parse(b"From: r@reader.example\r\nAuto-Submitted: auto-generated\r\n\r\nhi").automatic is True


def test_nothing_but_the_email_pool_is_sent(responder):
    Mirror.objects.filter(url__in=MINE).update(blocked_at=dt.datetime.now(dt.UTC))
    assert responder.send(request("reader@reader.example", "hi")) == Outcome.REPLIED
    text = text_of(responder.mails.wait_for(1)[0])
    assert "mail-one.example" not in text and "hidden-one.example" not in text


def test_the_command_serves_smtp_until_it_is_stopped(tmp_path):
    port = free_port()
    environment = {**os.environ, "SAMIZDAT_ENV": "test", "MIRROR_RESPONDER_ADDRESS": RESPONDER}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_mirrors_responder", "--host", "127.0.0.1", "--port", str(port)],
        cwd=settings.BASE_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:

        def answers():
            try:
                with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                    return client.ehlo()[0] == 250 and client.docmd("RCPT TO:<other@samizdat.example>")
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                return False

        code, _text = wait_until(answers, "the responder's SMTP server")
        assert code == 503  # no MAIL FROM yet: it speaks SMTP
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.ehlo()
            client.mail("reader@reader.example")
            assert client.rcpt("other@samizdat.example")[0] == 550  # only the mirrors address takes mail
            assert client.rcpt(RESPONDER)[0] == 250
    finally:
        process.send_signal(signal.SIGTERM)
        output, errors = process.communicate(timeout=EVENT_SECONDS)
    assert process.returncode == 0, errors.decode()
    assert f"127.0.0.1:{port}" in output.decode()


def test_the_onion_comes_first(responder, settings):
    settings.ONION_ADDRESS = onion_host(bytes(range(32)))
    assert responder.send(request("reader@reader.example", "hi")) == Outcome.REPLIED
    text = text_of(responder.mails.wait_for(1)[0])
    onion = f"http://{settings.ONION_ADDRESS}"
    assert onion in text and text.index(onion) < text.index("https://mail-one.example")
