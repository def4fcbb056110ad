"""The demo's mailbox (core/demo_mailbox.py): mail sent over SMTP to a real server that writes a Maildir, as the
demo's sink does, then read in the browser's pages."""

import importlib
import mailbox

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from django.core.mail import EmailMultiAlternatives, send_mail
from django.test import override_settings
from django.urls import clear_url_caches

from tests.support.conftest import free_port


def _reload_urls():
    import samizdat.urls

    importlib.reload(samizdat.urls)
    clear_url_caches()


@pytest.fixture
def maildir(tmp_path):
    """A real SMTP server writing a Maildir, and the site's mailbox pages routed to it."""
    directory = tmp_path / "mail"
    for part in ("tmp", "new", "cur"):
        (directory / part).mkdir(parents=True)
    controller = Controller(Mailbox(str(directory)), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with override_settings(
            DEMO_MAILBOX_DIR=str(directory),
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=controller.port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=5,
        ):
            _reload_urls()
            yield directory
    finally:
        controller.stop()
        _reload_urls()  # the setting is off again: so are the pages


def _keys(directory):
    return list(mailbox.Maildir(str(directory), factory=None, create=False).keys())


@pytest.mark.django_db
def test_mail_sent_over_smtp_is_listed_newest_first_and_readable(client, maildir):
    send_mail("Older one", "First.", None, ["first@example.org"])
    message = EmailMultiAlternatives(
        "Your receipt",
        "Thank you.\nManage your support: http://127.0.0.1:8000/support/manage/abc.def/.\nBye <b>now</b>",
        to=["reader@example.org"],
        headers={"Date": "Tue, 01 Jan 2036 10:00:00 +0000"},
    )
    message.attach_alternative('<p onclick="alert(1)">Thank you <script>alert(2)</script></p>', "text/html")
    message.send()
    assert len(_keys(maildir)) == 2

    listing = client.get("/demo/mail/")
    assert listing.status_code == 200
    assert "no-store" in listing["Cache-Control"] and not listing.cookies
    assert "unsafe-inline" not in listing["Content-Security-Policy"]
    body = listing.content.decode()
    assert body.index("Your receipt") < body.index("Older one")  # newest first
    assert "reader@example.org" in body and "first@example.org" in body

    key = next(k for k in _keys(maildir) if b"Your receipt" in mailbox.Maildir(str(maildir)).get_bytes(k))
    assert f'href="/demo/mail/{key}/"' in body
    page = client.get(f"/demo/mail/{key}/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "reader@example.org" in text and "Your receipt" in text
    # the link is clickable, without the full stop that ends its sentence; the rest stays text
    assert (
        '<a href="http://127.0.0.1:8000/support/manage/abc.def/" rel="noreferrer">'
        "http://127.0.0.1:8000/support/manage/abc.def/</a>." in text
    )
    assert "Bye &lt;b&gt;now&lt;/b&gt;" in text
    # the HTML part is named, never put into the page
    assert "text/html" in text
    assert "alert(" not in text and "onclick" not in text


@pytest.mark.django_db
def test_an_empty_mailbox_says_how_mail_gets_there(client, maildir):
    response = client.get("/demo/mail/")
    assert response.status_code == 200
    assert "No mail yet" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key",
    ["1234567890.M1P2Q3.nowhere", "..", "%2e%2e", "new", "a%2Fb", "x" * 300, "a%20b", "…"],
)
def test_an_unknown_or_malformed_key_is_404(client, maildir, key):
    send_mail("Something", "Text.", None, ["reader@example.org"])
    assert client.get(f"/demo/mail/{key}/").status_code == 404


@pytest.mark.django_db
def test_a_message_without_text_or_with_a_strange_charset_still_shows(client, maildir):
    raw = (
        b"From: a@example.org\r\nTo: b@example.org\r\nSubject: =?x-unknown?q?odd?=\r\nDate: not a date\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\nhello \xff world\r\n"
    )
    mailbox.Maildir(str(maildir)).add(raw)
    listing = client.get("/demo/mail/")
    assert listing.status_code == 200
    (key,) = _keys(maildir)
    page = client.get(f"/demo/mail/{key}/")
    assert page.status_code == 200
    assert "hello" in page.content.decode()


@pytest.mark.django_db
def test_only_get_and_head(client, maildir):
    assert client.post("/demo/mail/").status_code == 405


@pytest.mark.django_db
def test_not_routed_when_the_setting_is_off(client, settings):
    assert settings.DEMO_MAILBOX_DIR == ""
    assert client.get("/demo/mail/").status_code == 404


def test_production_never_has_a_mailbox(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    script = "from django.conf import settings; print(repr(settings.DEMO_MAILBOX_DIR))"
    env = {
        "SAMIZDAT_ENV": "production",
        "SECRET_KEY": "x" * 50,
        "DEMO_MAILBOX_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "samizdat.settings",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "''"


@pytest.mark.parametrize("template", ["support/manage_sent.html", "support/remind_sent.html"])
@pytest.mark.django_db
def test_pages_that_announce_mail_point_to_the_mailbox_only_when_it_exists(rf, settings, template):
    from django.template.loader import render_to_string

    request = rf.get("/")
    assert "/demo/mail/" not in render_to_string(template, {"minutes": 60}, request=request)
    settings.DEMO_MAILBOX_DIR = "/nonexistent"
    assert 'href="/demo/mail/"' in render_to_string(template, {"minutes": 60}, request=request)
