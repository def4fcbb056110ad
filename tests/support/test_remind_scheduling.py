"""Due reminders go out from the scheduler; the demo catches its own mail."""

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.management.commands.rundemo import Command as RunDemo
from support.models import Reminder
from tests.support.conftest import links_in, path_of

pytestmark = pytest.mark.django_db


def test_the_scheduler_runs_the_scheduled_commands(settings, mailbox, post_remind, client):
    post_remind({"email": "reader@example.org", "when": "week"})
    client.get(path_of(next(url for url in links_in(mailbox.messages[0]) if "/confirm/" in url)))
    Reminder.objects.update(due_on=timezone.localdate())  # confirmed, and due today
    settings.SCHEDULED_COMMANDS = ["send_due_reminders"]
    call_command("run_scheduler", "--once")
    assert not Reminder.objects.exists()
    assert [m["Subject"] for m in mailbox.messages] == ["Your reminder request", "The reminder you asked for"]


def test_one_failing_command_does_not_stop_the_others(settings, mailbox, post_remind):
    post_remind({"email": "reader@example.org", "when": "week"})
    Reminder.objects.update(requested_at="2000-01-01T00:00:00Z")  # unconfirmed and stale
    settings.SCHEDULED_COMMANDS = ["no_such_command", "send_due_reminders"]
    with pytest.raises(CommandError, match="no_such_command"):
        call_command("run_scheduler", "--once")
    assert not Reminder.objects.exists()


def test_the_demo_runs_a_mail_sink_where_mail_is_sent(settings):
    mail = RunDemo().processes("127.0.0.1:8000")["mail"]
    assert mail[1:4] == ["-m", "aiosmtpd", "-n"]
    assert f"127.0.0.1:{settings.EMAIL_PORT}" in mail
    assert mail[-2:] == ["aiosmtpd.handlers.Mailbox", str(settings.BASE_DIR / "var" / "mail")]
