"""Keeping supporters: a failed renewal followed until it is paid or ends (:class:`Dunning`), and the notice sent
before an annual contribution renews (:class:`RenewalNotice`), and the one mail asking a former supporter back
(:class:`WinBackMail`). Neither row holds an address: the mail goes to the
contribution's supporter."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dunning(models.Model):
    """One failed renewal (one provider invoice) of a regular contribution, and the mails it caused."""

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", _("recovered")  # paid later: on the provider's retry or with a new card
        CANCELLED = "cancelled", _("cancelled")  # the supporter or staff stopped the contribution
        LAPSED = "lapsed", _("lapsed")  # the provider gave up

    contribution = models.ForeignKey("support.Contribution", on_delete=models.CASCADE, related_name="dunnings")
    invoice_id = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    failed_at = models.DateTimeField(db_index=True)
    mails_sent = models.PositiveSmallIntegerField(default=0)
    last_mailed_at = models.DateTimeField(null=True, blank=True)
    card_updated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("failed renewal")
        verbose_name_plural = _("failed renewals")

    def __str__(self):
        return f"Failed renewal #{self.pk} of contribution #{self.contribution_id}"


class WinBackMail(models.Model):
    """The one mail asking a former supporter back, a quiet period after their contribution ended: one per
    contribution, ever."""

    contribution = models.OneToOneField("support.Contribution", on_delete=models.CASCADE, related_name="win_back_mail")
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("win-back mail")
        verbose_name_plural = _("win-back mails")

    def __str__(self):
        return f"Win-back mail of contribution #{self.contribution_id}"


class RenewalNotice(models.Model):
    """The notice an annual contribution's supporter got before one renewal: one per contribution and renewal date."""

    contribution = models.ForeignKey("support.Contribution", on_delete=models.CASCADE, related_name="renewal_notices")
    renews_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contribution", "renews_on"], name="one_notice_per_renewal"),
        ]
        verbose_name = _("renewal notice")
        verbose_name_plural = _("renewal notices")

    def __str__(self):
        return f"Renewal notice of contribution #{self.contribution_id} for {self.renews_on}"
