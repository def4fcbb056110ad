from django.db import models
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    """A reader's request to be reminded to support. Kept only until it is sent or cancelled, then deleted."""

    campaign = models.ForeignKey("support.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField(_("email"))
    email_digest = models.CharField(max_length=64, db_index=True)  # keyed hash: limits and "forget me" without search
    language = models.CharField(max_length=5, default="en")
    due_on = models.DateField(_("due on"), db_index=True)
    token_digest = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    arm = models.CharField(max_length=80, blank=True)
    article_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("reminder")

    def __str__(self):
        return f"Reminder #{self.pk} due {self.due_on}"
