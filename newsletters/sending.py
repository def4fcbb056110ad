"""Sending one batch of an issue, through the primary mail backend and, when it fails, the fallback one.

The send log (:class:`newsletters.models.Delivery`) is what makes this safe to stop and resume anywhere: a row is
written the moment a server accepted a message, and a batch only picks subscribers without one. Each message goes
on its own over a connection kept open (so a failure names exactly the message that did not go), and a failing
primary (refused connection, dropped connection, a temporary error) hands that message and the rest of the batch to
the fallback. A recipient refused for good is logged as refused and not tried again. Only if both backends fail does
the batch raise; the task queue keeps that failure, and sending again later resumes where the log ends.

The one message that can go twice is one a server accepted while the connection died before it could say so:
SMTP cannot tell us about that one, whatever the sender does.
"""

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone

from newsletters.mail import compose
from newsletters.models import Delivery, Issue, recipients

TRANSIENT = (smtplib.SMTPException, OSError)


class SendingFailed(Exception):
    """Neither backend took a message. Says why without an address (the task table keeps it)."""


def primary_connection():
    return get_connection(settings.NEWSLETTER_EMAIL_BACKEND, fail_silently=False)


def fallback_connection():
    """The configured fallback backend, or None when ``NEWSLETTER_FALLBACK_EMAIL_HOST`` is empty."""
    if not settings.NEWSLETTER_FALLBACK_EMAIL_HOST:
        return None
    return get_connection(
        settings.NEWSLETTER_FALLBACK_EMAIL_BACKEND,
        fail_silently=False,
        host=settings.NEWSLETTER_FALLBACK_EMAIL_HOST,
        port=settings.NEWSLETTER_FALLBACK_EMAIL_PORT,
        username=settings.NEWSLETTER_FALLBACK_EMAIL_HOST_USER,
        password=settings.NEWSLETTER_FALLBACK_EMAIL_HOST_PASSWORD,
        use_tls=settings.NEWSLETTER_FALLBACK_EMAIL_USE_TLS,
        timeout=settings.EMAIL_TIMEOUT,
    )


def _close(connection):
    with contextlib.suppress(Exception):  # a dead connection may fail to close; it is dropped either way
        connection.close()


def _send_one(connection, message) -> None:
    if connection.send_messages([message]) != 1:
        raise smtplib.SMTPException("the backend sent nothing")


def pending(issue, limit: int):

    logged = Delivery.objects.filter(issue=issue).values("subscriber_id")
    return list(recipients(issue).exclude(pk__in=logged).order_by("pk").only("pk", "email", "token")[:limit])


def send_batch(issue_id: int, *, size: int | None = None) -> tuple[int, bool]:
    """Send up to ``size`` (``NEWSLETTER_BATCH_SIZE``) messages of the issue. Returns (sent, more_left)."""
    issue = Issue.objects.get(pk=issue_id)
    size = size or settings.NEWSLETTER_BATCH_SIZE
    batch = pending(issue, size)
    if not batch:
        return 0, False
    composed = compose(issue)
    connection, name = primary_connection(), Delivery.Backend.PRIMARY
    sent = 0
    try:
        connection.open()
    except TRANSIENT:
        connection, name = _switch(connection)
    try:
        for subscriber in batch:
            message = composed.message_for(subscriber.email, subscriber.token)
            outcome = _deliver(connection, message)
            if outcome is None and name == Delivery.Backend.PRIMARY:
                connection, name = _switch(connection)
                outcome = _deliver(connection, message)
            if outcome is None:
                raise SendingFailed("neither the primary nor the fallback mail backend took the message")
            Delivery.objects.create(
                issue=issue,
                subscriber_id=subscriber.pk,
                backend=name if outcome else Delivery.Backend.REFUSED,
                sent_at=timezone.now(),
            )
            sent += bool(outcome)
    finally:
        _close(connection)
    return sent, len(batch) == size


def _deliver(connection, message) -> bool | None:
    """True: sent; False: the recipient was refused for good; None: the backend failed."""
    try:
        _send_one(connection, message)
    except smtplib.SMTPRecipientsRefused as error:
        if all(code >= 500 for code, _text in error.recipients.values()):
            return False
        return None
    except TRANSIENT:
        return None
    return True


def _switch(primary):
    _close(primary)
    fallback = fallback_connection()
    if fallback is None:
        raise SendingFailed("the primary mail backend failed and no fallback is configured")
    try:
        fallback.open()
    except TRANSIENT:
        raise SendingFailed("the primary mail backend failed and the fallback could not be reached") from None
    return fallback, Delivery.Backend.FALLBACK
