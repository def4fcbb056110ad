"""“Remind me later”, end to end over HTTP and real SMTP: request, confirm, wait, receive, and nothing is kept."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.actions import Actor
from core.models import AuditEntry
from support.actions.reminders import cancel_reminder, confirm_reminder, request_reminder, send_reminder
from support.models import AskCounter, Campaign, Reminder
from support.reminders import LimitReached, ReminderError, cancel_token, email_digest
from tests.support.conftest import body_of, free_port, links_in, path_of

pytestmark = pytest.mark.django_db

ADDRESS = "Reader.Kestrava@example.org"
START = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def tables_holding(*needles):
    """Every database table with a value that contains one of ``needles`` (case-insensitive)."""
    needles = [needle.lower() for needle in needles]
    found = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = " ".join(
                    value.lower()
                    if isinstance(value, str)
                    else bytes(value).decode("utf-8", "ignore").lower()
                    if isinstance(value, bytes | memoryview)
                    else ""
                    for value in row
                )
                if any(needle in text for needle in needles):
                    found.add(table)
                    break
    return found


def link(message, fragment):
    return next(url for url in links_in(message) if fragment in url)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_request_confirm_wait_receive_and_nothing_is_kept(client, mailbox, post_remind, article, clock):
    campaign = Campaign.objects.get(language="en", is_active=True)
    today = timezone.localdate()

    # The reader asks from the appeal of an article.
    page = client.get(f"/support/remind/?variant=appeal-favour&article={article.pk}")
    assert page.status_code == 200
    response = post_remind({"email": ADDRESS, "when": "month", "variant": "appeal-favour", "article": article.pk})
    assert response.status_code == 200
    assert b"Check your email" in response.content

    reminder = Reminder.objects.get()
    assert (reminder.due_on, reminder.confirmed_at, reminder.language) == (today + dt.timedelta(days=30), None, "en")
    assert (reminder.arm, reminder.article_id, reminder.campaign) == ("appeal-favour", article.pk, campaign)
    counter = AskCounter.objects.get(campaign=campaign, day=today, arm="appeal-favour")
    assert counter.reminders == 1

    # One confirmation mail, with a neutral subject and absolute links.
    [confirmation] = mailbox.messages
    assert confirmation["Subject"] == "Your reminder request"
    assert confirmation.envelope_to == [ADDRESS]
    assert confirmation["From"] == settings.DEFAULT_FROM_EMAIL
    assert "samizdat" not in confirmation["Subject"].lower()
    confirm_url = link(confirmation, "/support/remind/confirm/")
    assert confirm_url.startswith(settings.CANONICAL_URL + "/support/remind/confirm/")
    assert link(confirmation, "/support/remind/cancel/")
    assert "April 1, 2026" in body_of(confirmation)  # 2 March + 30 days

    # Nothing is sent before the due date, even once confirmed.
    confirmed = client.get(path_of(confirm_url))
    assert confirmed.status_code == 200
    assert b"Your reminder is confirmed" in confirmed.content
    assert "no-store" in confirmed["Cache-Control"]
    assert not confirmed.cookies
    assert Reminder.objects.get().confirmed_at is not None
    assert client.get(path_of(confirm_url)).status_code == 200  # a second click changes nothing
    call_command("send_due_reminders", verbosity=0)
    clock.shift(dt.timedelta(days=29))
    call_command("send_due_reminders", verbosity=0)
    assert len(mailbox.messages) == 1
    assert tables_holding(ADDRESS) == {Reminder._meta.db_table}

    # On the due date the reminder arrives, and the address is gone.
    clock.shift(dt.timedelta(days=1))
    call_command("send_due_reminders", verbosity=0)
    assert len(mailbox.messages) == 2
    reminder_mail = mailbox.messages[1]
    assert reminder_mail["Subject"] == "The reminder you asked for"
    assert reminder_mail.envelope_to == [ADDRESS]
    checkout = urlsplit(link(reminder_mail, "/support/?"))
    assert f"{checkout.scheme}://{checkout.netloc}" == settings.CANONICAL_URL
    assert parse_qs(checkout.query) == {
        "frequency": ["monthly"],
        "amount": [format(campaign.min_monthly.normalize(), "f")],
        "currency": [campaign.currency],
        "variant": ["appeal-favour"],
        "article": [str(article.pk)],
        "source": ["reminder"],
    }
    forget_url = link(reminder_mail, "/support/remind/forget/")

    assert not Reminder.objects.exists()
    assert tables_holding(ADDRESS, ADDRESS.split("@")[0], email_digest(ADDRESS)) == set()
    actions = list(AuditEntry.objects.filter(action__startswith="reminder.").values_list("action", "data"))
    assert [action for action, _data in reversed(actions)] == [
        "reminder.requested",
        "reminder.confirmed",
        "reminder.sent",
    ]
    assert ADDRESS.lower() not in str(actions).lower()

    # Running again sends nothing twice; "forget me" still answers, and says nothing is kept.
    call_command("send_due_reminders", verbosity=0)
    assert len(mailbox.messages) == 2
    forgotten = client.get(path_of(forget_url))
    assert forgotten.status_code == 200
    assert b"Nothing is kept" in forgotten.content


def test_an_unconfirmed_reminder_is_never_sent_and_is_deleted_after_a_week(mailbox, post_remind, clock):
    assert post_remind({"email": ADDRESS, "when": "week"}).status_code == 200
    assert len(mailbox.messages) == 1
    clock.shift(dt.timedelta(days=7) - dt.timedelta(minutes=1))  # due, but not confirmed
    call_command("send_due_reminders", verbosity=0)
    assert Reminder.objects.count() == 1
    clock.shift(dt.timedelta(minutes=2))
    call_command("send_due_reminders", verbosity=0)
    assert not Reminder.objects.exists()
    assert len(mailbox.messages) == 1
    assert AuditEntry.objects.filter(action="reminder.purged", data__unconfirmed=1).exists()


def test_the_cancel_link_deletes_the_reminder(client, mailbox, post_remind):
    post_remind({"email": ADDRESS})
    cancel_path = path_of(link(mailbox.messages[0], "/support/remind/cancel/"))
    client.get(path_of(link(mailbox.messages[0], "/support/remind/confirm/")))
    response = client.get(cancel_path)
    assert response.status_code == 200
    assert b"Your reminder is cancelled" in response.content
    assert not Reminder.objects.exists()
    again = client.get(cancel_path)
    assert again.status_code == 200
    assert b"There is nothing to cancel" in again.content
    confirm_again = client.get(path_of(link(mailbox.messages[0], "/support/remind/confirm/")))
    assert b"There is nothing to confirm" in confirm_again.content


def test_forget_me_deletes_a_later_reminder_of_the_same_address(client, mailbox, post_remind, clock):
    post_remind({"email": ADDRESS, "when": "week"})
    client.get(path_of(link(mailbox.messages[0], "/support/remind/confirm/")))
    clock.shift(dt.timedelta(days=7))
    call_command("send_due_reminders", verbosity=0)
    forget_path = path_of(link(mailbox.messages[-1], "/support/remind/forget/"))
    post_remind({"email": ADDRESS.upper(), "when": "quarter"})  # a new request, the same address
    assert Reminder.objects.count() == 1
    response = client.get(forget_path)
    assert response.status_code == 200
    assert b"Your address is deleted" in response.content
    assert not Reminder.objects.exists()
    assert AuditEntry.objects.filter(action="reminder.forgotten", data={"count": 1}).exists()


def test_a_new_request_replaces_the_due_date_of_an_unconfirmed_reminder(mailbox, post_remind):
    post_remind({"email": ADDRESS, "when": "week"})
    post_remind({"email": ADDRESS.lower(), "when": "quarter"})
    reminder = Reminder.objects.get()
    assert reminder.due_on == timezone.localdate() + dt.timedelta(days=91)
    assert len(mailbox.messages) == 2


def test_a_confirmed_reminder_moves_only_when_its_owner_confirms(client, mailbox, post_remind):
    today = timezone.localdate()
    post_remind({"email": ADDRESS, "when": "week"})
    client.get(path_of(link(mailbox.messages[0], "/support/remind/confirm/")))
    post_remind({"email": ADDRESS, "when": "quarter"})  # anyone may type the address
    reminder = Reminder.objects.get()
    assert reminder.due_on == today + dt.timedelta(days=7)
    assert reminder.confirmed_at is not None
    move = mailbox.messages[1]
    assert "move the reminder" in body_of(move)
    client.get(path_of(link(move, "/support/remind/confirm/")))
    assert Reminder.objects.get().due_on == today + dt.timedelta(days=91)


def test_a_russian_article_gives_a_russian_reminder(client, mailbox, post_remind, russian_article, clock):
    campaign = Campaign.objects.get(language="ru", is_active=True)
    page = client.get(f"/support/remind/?article={russian_article.pk}")
    assert page["Content-Language"] == "ru"
    assert b'<html lang="ru">' in page.content
    post_remind({"email": ADDRESS, "article": russian_article.pk, "variant": "ru-appeal-favour"})
    reminder = Reminder.objects.get()
    assert (reminder.language, reminder.campaign, reminder.arm) == ("ru", campaign, "ru-appeal-favour")
    assert "1 апреля 2026" in body_of(mailbox.messages[0])  # the date as a Russian reader writes it


def test_a_failed_send_keeps_the_reminder_for_the_next_run(client, mailbox, smtp_server, post_remind, clock, settings):
    post_remind({"email": ADDRESS, "when": "week"})
    client.get(path_of(link(mailbox.messages[0], "/support/remind/confirm/")))
    clock.shift(dt.timedelta(days=7))
    reminder = Reminder.objects.get()
    settings.EMAIL_PORT = free_port()  # nobody listens: the mail server is down
    with pytest.raises(OSError):
        send_reminder(actor=Actor.system("test"), reminder_id=reminder.pk)
    assert Reminder.objects.filter(pk=reminder.pk).exists()
    assert not AuditEntry.objects.filter(action="reminder.sent").exists()
    settings.EMAIL_PORT = smtp_server.port
    assert send_reminder(actor=Actor.system("test"), reminder_id=reminder.pk)
    assert not send_reminder(actor=Actor.system("test"), reminder_id=reminder.pk)  # sent once only
    assert [m["Subject"] for m in mailbox.messages] == ["Your reminder request", "The reminder you asked for"]


def test_a_refused_address_is_dropped_and_never_quoted_by_the_task_queue(settings, mailbox, post_remind, monkeypatch):
    """With the real database queue: a failed task keeps its traceback, and an SMTP error quotes the recipient."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker runs in this test's transaction; its between-task connection check would close that connection
    # (autocommit is off inside the test), which PostgreSQL cannot survive. The tasks themselves run unchanged.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    address = "refused.reader@example.org"
    assert post_remind({"email": address, "when": "week"}).status_code == 200

    def run_worker():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    run_worker()
    failed = DBTaskResult.objects.get(task_path="support.tasks.send_reminder_confirmation")
    assert failed.status == "FAILED"
    assert "MailNotSent: recipient refused [550]" in failed.traceback
    assert tables_holding(address) == {Reminder._meta.db_table}

    Reminder.objects.update(confirmed_at=timezone.now(), due_on=timezone.localdate())  # as if it had been confirmed
    call_command("send_due_reminders", verbosity=0)
    run_worker()
    assert DBTaskResult.objects.get(task_path="support.jobs.send_due_reminder").return_value is False
    assert not Reminder.objects.exists()
    assert AuditEntry.objects.filter(action="reminder.undeliverable").exists()
    assert tables_holding(address, "refused.reader") == set()
    assert mailbox.messages == []


def test_the_actions_work_without_http(mailbox, django_capture_on_commit_callbacks):
    reader = Actor.reader()
    with django_capture_on_commit_callbacks(execute=True):
        reminder, token = request_reminder(actor=reader, email=ADDRESS, when="quarter", language="xx")
    assert (reminder.language, reminder.arm, reminder.campaign.language) == ("en", "", "en")
    assert token not in str(list(Reminder.objects.values())) + str(list(AuditEntry.objects.values()))
    outcome = confirm_reminder(actor=reader, token=token)
    assert outcome.found and outcome.due_on == timezone.localdate() + dt.timedelta(days=91)
    with pytest.raises(ReminderError):
        request_reminder(actor=reader, email=ADDRESS, when="fortnight")
    with pytest.raises(ReminderError):
        request_reminder(actor=reader, email="no address", when="week")
    request_reminder(actor=reader, email=ADDRESS, when="week")
    request_reminder(actor=reader, email=ADDRESS, when="week")
    with pytest.raises(LimitReached):
        request_reminder(actor=reader, email=ADDRESS, when="week")
    assert Reminder.objects.get().due_on == outcome.due_on  # still confirmed for the quarter
    assert cancel_reminder(actor=reader, token=cancel_token(reminder)).found
    assert not Reminder.objects.exists()
