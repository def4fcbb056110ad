from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    """A reader's request to be reminded to support. Kept only until it is sent or cancelled, then deleted.

    One row per address (``email_digest`` is unique): a second request replaces the first. The links in the mails are
    signed values (``support.reminders``), so no token or other secret is stored here.
    """

    campaign = models.ForeignKey("support.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField(_("email"))
    # Keyed hash of the lower-cased address: one row per address, limits and "forget me" without searching addresses.
    email_digest = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=5, default="en")
    due_on = models.DateField(_("due on"), db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The latest request: an unconfirmed reminder is deleted a week after it.
    requested_at = models.DateTimeField(default=timezone.now)
    arm = models.CharField(max_length=80, blank=True)
    article_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self):
        return f"Reminder #{self.pk} due {self.due_on}"
