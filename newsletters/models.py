"""The newsroom's own mailing lists (REACH.md R5.2): kept here, so no provider can take them away.

* :class:`Subscriber` — one address, its language, whether its owner confirmed it (double opt-in) and the secret of
  its unsubscribe link. It is the same person as a :class:`support.models.Supporter` only where the reader agreed
  (``supporter``); erasing that supporter deletes the subscriber with them (``CASCADE``).
* :class:`Membership` — which lists (daily digest, weekly, SOS) the address asked for.
* :class:`Issue` — one newsletter an editor composed from pages: its list, language, subject, intro, articles, when it
  goes out and how far sending has come.
* :class:`Delivery` — the send log: one row per issue and subscriber, written the moment a server accepted the
  message, so that a send resumed or switched to the fallback backend never mails anyone twice.

Every write goes through a named action (:mod:`newsletters.actions`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NewsletterList(models.TextChoices):
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly newsletter")
    SOS = "sos", _("SOS: full texts by email if the site is blocked")


class Subscriber(models.Model):
    email = models.CharField(_("email"), max_length=254, unique=True)  # canonical_email() of what was typed
    language = models.CharField(_("language"), max_length=5, default="en")
    token = models.CharField(max_length=43, unique=True)  # the secret of the unsubscribe link
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    supporter = models.OneToOneField(
        "support.Supporter", null=True, blank=True, on_delete=models.CASCADE, related_name="subscriber"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self):
        return f"Subscriber #{self.pk}"


class Membership(models.Model):
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="memberships")
    list = models.CharField(_("list"), max_length=10, choices=NewsletterList.choices)
    confirmed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscriber", "list"], name="newsletters_one_membership")]

    def __str__(self):
        return f"{self.subscriber_id}:{self.list}"


def no_articles():
    return []


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")

    list = models.CharField(_("list"), max_length=10, choices=NewsletterList.choices)
    language = models.CharField(_("language"), max_length=5, default="en")
    subject = models.CharField(_("subject"), max_length=150)
    intro = models.TextField(_("intro"), blank=True)
    article_ids = models.JSONField(default=no_articles)  # ArticlePage ids, in the editor's order
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    send_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)  # when sending started
    sent = models.PositiveIntegerField(default=0)
    through_fallback = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    def __str__(self):
        return self.subject


class Delivery(models.Model):
    class Backend(models.TextChoices):
        PRIMARY = "primary", _("primary")
        FALLBACK = "fallback", _("fallback")
        REFUSED = "refused", _("refused by the server for good")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    backend = models.CharField(max_length=10, choices=Backend.choices)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "subscriber"], name="newsletters_one_delivery")]

    def __str__(self):
        return f"{self.issue_id}→{self.subscriber_id}"


def recipients(issue):
    """Confirmed addresses on the issue's list in its language."""
    return Subscriber.objects.filter(
        confirmed_at__isnull=False,
        language=issue.language,
        memberships__list=issue.list,
        memberships__confirmed=True,
    )
