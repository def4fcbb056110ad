"""The sign-in throttle, through the admin's real sign-in form behind the trusted proxy: wrong passwords pause an
account (the right password is refused too, before any password is checked, with a message that says until when),
other accounts and addresses are unaffected, an address that tries many accounts is paused on its own, the pause ends
by itself or with a new password chosen through the password reset, each pause is one audit entry that holds nothing
that was typed, and the account's owner gets a mail over a real SMTP server."""

import datetime as dt
import json

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client, override_settings

from core.models import AuditEntry
from tests.support import conftest as mail_fixtures
from tests.support.conftest import body_of, links_in, path_of

# The real SMTP server the support tests use, and the mailbox of what it received.
smtp_server, mailbox = mail_fixtures.smtp_server, mail_fixtures.mailbox

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # nginx on the same machine, as the shipped configuration has it
ATTACKER = "198.51.100.66"
NEWSROOM = "198.51.100.10"
ELSEWHERE = "203.0.113.5"
PASSWORD = "a-long-right-password-41"
WRONG = "not-the-password"
START = dt.datetime(2031, 3, 4, 9, 0, tzinfo=dt.UTC)


class CountingHasher(MD5PasswordHasher):
    """Django's fast test hasher, counting every password it hashes or checks (the throttle must cause none)."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)

    def verify(self, password, encoded):
        CountingHasher.calls += 1
        return super().verify(password, encoded)


@pytest.fixture(autouse=True)
def behind_proxy():
    with override_settings(
        TRUSTED_PROXIES=[PROXY], PASSWORD_HASHERS=[f"{__name__}.CountingHasher"], WAGTAILADMIN_BASE_URL="https://x.test"
    ):
        yield


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def editor(behind_proxy):
    return get_user_model().objects.create_user(
        "Ivana", email="ivana@example.org", password=PASSWORD, is_superuser=True
    )


@pytest.fixture
def colleague(behind_proxy):
    return get_user_model().objects.create_user(
        "colleague", email="c@example.org", password=PASSWORD, is_superuser=True
    )


def sign_in(username, password, address=ATTACKER, client=None):
    """POST the admin's sign-in form as a browser behind nginx does; the response, and the client it used."""
    client = client or Client()
    response = client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )
    response.client = client
    return response


def signed_in(response):
    return (
        response.status_code == 302 and response["Location"] == "/admin/" and "_auth_user_id" in response.client.session
    )


def errors(response):
    page = BeautifulSoup(response.content, "html.parser")
    return " ".join(item.get_text(" ", strip=True) for item in page.select(".messages li.error"))


def fail(username, times, address=ATTACKER):
    for _ in range(times):
        response = sign_in(username, WRONG, address)
        assert response.status_code == 200, response.status_code
        assert "didn't match" in errors(response)


def paused_entries():
    return AuditEntry.objects.filter(action="sign_in.paused").order_by("pk")


# --- an account


def test_wrong_passwords_pause_the_account_and_then_the_right_one_is_refused_too(editor, clock):
    fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 1)
    last = sign_in("ivana", WRONG)  # the same account however it is capitalised
    assert last.status_code == 429
    assert "paused until 09:15 UTC (in 15 minutes)" in errors(last)

    right = sign_in("Ivana", PASSWORD, NEWSROOM)  # the owner, from another address, with the right password
    assert right.status_code == 429
    assert not signed_in(right)
    assert right["Retry-After"] == str(settings.SIGN_IN_LOCK_SECONDS)
    message = errors(right)
    assert "Too many wrong passwords: signing in is paused until 09:15 UTC (in 15 minutes)" in message
    assert "even with the right password" in message
    assert (
        "“Forgotten password?” below sends you a link to choose a new one, and a new password ends the pause" in message
    )
    assert (
        BeautifulSoup(right.content, "html.parser").select_one("a.reset-password")["href"] == "/admin/password_reset/"
    )
    assert right.client.get("/admin/").status_code == 302  # not signed in


def test_a_refused_attempt_checks_no_password(editor):
    CountingHasher.calls = 0
    fail("Ivana", 1)
    assert CountingHasher.calls > 0  # a wrong password is checked (the hasher does count)
    fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 2)
    assert sign_in("Ivana", WRONG).status_code == 429
    CountingHasher.calls = 0
    for password in (PASSWORD, WRONG, PASSWORD):
        assert sign_in("Ivana", password, NEWSROOM).status_code == 429
    assert CountingHasher.calls == 0


def test_other_accounts_and_addresses_are_not_affected(editor, colleague):
    fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 1)
    assert sign_in("Ivana", WRONG).status_code == 429
    assert signed_in(sign_in("colleague", PASSWORD, ATTACKER))  # the same address, another account
    assert signed_in(sign_in("colleague", PASSWORD, NEWSROOM))


def test_the_pause_ends_by_itself_and_its_count_starts_afresh(editor, clock):
    fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 1)
    assert sign_in("Ivana", WRONG).status_code == 429
    clock.shift(dt.timedelta(minutes=14))
    late = sign_in("Ivana", PASSWORD, NEWSROOM)
    assert late.status_code == 429  # refused attempts do not make the pause longer, but it is still in force
    assert "(in 1 minute)" in errors(late)

    clock.shift(dt.timedelta(minutes=1, seconds=1))
    fail("Ivana", 1)  # one wrong password after the pause is just that, not a new pause
    assert signed_in(sign_in("Ivana", PASSWORD, NEWSROOM))
    assert paused_entries().count() == 1


def test_a_name_nobody_has_is_paused_with_the_same_words(editor, clock):
    """The page must not tell an attacker which accounts exist."""
    fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 1, address=NEWSROOM)
    fail("nobody-here", settings.SIGN_IN_FAILURE_LIMIT - 1, address=ELSEWHERE)
    existing, missing = sign_in("Ivana", WRONG, NEWSROOM), sign_in("nobody-here", WRONG, ELSEWHERE)
    assert (existing.status_code, missing.status_code) == (429, 429)
    assert errors(existing) == errors(missing)
    assert errors(sign_in("Ivana", PASSWORD, NEWSROOM)) == errors(sign_in("nobody-here", PASSWORD, ELSEWHERE))


# --- an address


def test_an_address_trying_many_accounts_is_paused_but_others_are_not(editor, clock):
    per_name = settings.SIGN_IN_FAILURE_LIMIT - 1  # never enough to pause any one account
    names = [f"guess{number}" for number in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT // per_name + 1)]
    refused = None
    for name in names:
        for _ in range(per_name):
            response = sign_in(name, WRONG, ATTACKER)
            if response.status_code == 429:
                refused = response
                break
        if refused:
            break
    assert refused is not None
    assert "paused until 09:15 UTC" in errors(refused)
    assert "ends the pause" not in errors(refused)  # a new password does not end an address's pause

    from_there = sign_in("Ivana", PASSWORD, ATTACKER)
    assert from_there.status_code == 429
    assert not signed_in(from_there)
    assert signed_in(sign_in("Ivana", PASSWORD, NEWSROOM))
    (entry,) = paused_entries()
    assert (entry.data["kind"], entry.subject_id) == ("client_address", "")


ONION = "c" * 56 + ".onion"


def test_staff_signing_in_through_the_onion_share_one_bucket_with_more_room(editor):
    """Tor hands every onion request to nginx on this machine, so all of them are one client address to us."""
    with override_settings(ONION_ADDRESS=ONION, ALLOWED_HOSTS=["testserver", ONION]):
        per_name = settings.SIGN_IN_FAILURE_LIMIT - 1
        for number in range(settings.SIGN_IN_ADDRESS_FAILURE_LIMIT // per_name + 1):  # past one address's limit
            for _ in range(per_name):
                response = Client().post(
                    "/admin/login/",
                    {"username": f"guess{number}", "password": WRONG},
                    REMOTE_ADDR=PROXY,
                    HTTP_HOST=ONION,
                )
                assert response.status_code == 200
        client = Client()
        response = client.post(
            "/admin/login/",
            {"username": "Ivana", "password": PASSWORD, "next": "/admin/"},
            REMOTE_ADDR=PROXY,
            HTTP_HOST=ONION,
        )
        assert response.status_code == 302
        assert "_auth_user_id" in client.session
    assert not paused_entries().exists()


# --- audit and mail


def test_each_pause_is_audited_once_and_holds_nothing_that_was_typed(editor):
    fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 1)
    assert sign_in("IVANA", WRONG).status_code == 429
    for password in (WRONG, PASSWORD, WRONG):
        assert sign_in("ivana", password).status_code == 429
    (entry,) = paused_entries()
    assert (entry.actor_kind, entry.actor_id) == ("system", "sign_in_throttle")
    assert (entry.subject_type, entry.subject_id) == ("auth.user", str(editor.pk))
    assert entry.data["kind"] == "account"
    assert entry.data["failures"] == settings.SIGN_IN_FAILURE_LIMIT

    fail("typed-by-an-attacker", settings.SIGN_IN_FAILURE_LIMIT - 1, address=NEWSROOM)
    assert sign_in("typed-by-an-attacker", WRONG, NEWSROOM).status_code == 429
    unknown = paused_entries().last()
    assert (unknown.data["kind"], unknown.subject_type, unknown.subject_id) == ("account", "", "")
    stored = json.dumps([[e.actor_id, e.subject_id, e.data] for e in paused_entries()]).lower()
    for typed in ("ivana", "typed-by-an-attacker", WRONG, PASSWORD, ATTACKER, NEWSROOM):
        assert typed not in stored


def test_the_owner_is_told_by_mail_once_per_pause(editor, clock, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 1)
        assert sign_in("Ivana", WRONG).status_code == 429
        for _ in range(3):
            assert sign_in("Ivana", PASSWORD).status_code == 429
    (message,) = mailbox.messages
    assert message.envelope_to == ["ivana@example.org"]
    assert message["Subject"] == "Signing in to your account is paused"
    body = body_of(message)
    assert "paused until 2031-03-04 09:15 (UTC), even with the right password" in body
    assert f"a wrong password {settings.SIGN_IN_FAILURE_LIMIT} times within 15 minutes" in body
    assert links_in(message) == ["https://x.test/admin/password_reset/"]
    assert WRONG not in body and PASSWORD not in body and ATTACKER not in body


def test_a_name_nobody_has_mails_nobody(editor, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fail("ivana@example.org", settings.SIGN_IN_FAILURE_LIMIT - 1)
        assert sign_in("ivana@example.org", WRONG).status_code == 429
    assert paused_entries().count() == 1
    assert mailbox.messages == []


def test_a_new_password_from_the_reset_ends_the_pause(editor, mailbox):
    fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 1)
    assert sign_in("Ivana", WRONG).status_code == 429

    owner = Client()
    asked = owner.post("/admin/password_reset/", {"email": "ivana@example.org"})
    assert asked.status_code == 302
    (mail,) = mailbox.messages
    (link,) = [url for url in links_in(mail) if "/password_reset/confirm/" in url]
    form = owner.get(path_of(link))
    assert form.status_code == 302  # Django moves the token out of the address first
    chosen = owner.post(
        form["Location"], {"new_password1": "another-long-pass-77", "new_password2": "another-long-pass-77"}
    )
    assert chosen.status_code == 302

    assert sign_in("Ivana", PASSWORD, NEWSROOM).status_code == 200  # the old password is just wrong now
    assert signed_in(sign_in("Ivana", "another-long-pass-77", NEWSROOM))


def test_wagtails_front_end_sign_in_is_throttled_too(editor):
    fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 1)
    assert sign_in("Ivana", WRONG).status_code == 429
    client = Client()
    response = client.post(
        "/_util/login/", {"username": "Ivana", "password": PASSWORD}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=NEWSROOM
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_success_starts_the_accounts_count_afresh(editor):
    for _ in range(2):
        fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 1)
        assert signed_in(sign_in("Ivana", PASSWORD))
    assert not paused_entries().exists()
    fail("Ivana", settings.SIGN_IN_FAILURE_LIMIT - 1)
    assert sign_in("Ivana", WRONG).status_code == 429  # counted from the last success on
