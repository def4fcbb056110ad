"""Bank statement lines that matched nothing, kept for staff to resolve (support/admin/unmatched.py).

A line is kept with what the import itself keeps of it — date, amount, currency, the references it quoted — and never
its description, so no payer's name is stored. Its key is the line's own (``StatementLine.key``): importing the same
statement again finds the same row and adds nothing.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnmatchedTransfer(models.Model):
    class Reason(models.TextChoices):
        UNKNOWN_REFERENCE = "unknown_reference", _("Unknown reference")
        NO_REFERENCE = "no_reference", _("No reference")
        AMOUNT_DIFFERS = "amount_differs", _("Amount differs")
        NEEDS_ATTENTION = "needs_attention", _("Needs a look")

    class Status(models.TextChoices):
        OPEN = "open", _("To review")
        ATTACHED = "attached", _("Attached to a contribution")
        ANONYMOUS = "anonymous", _("Counted as an anonymous gift")
        DISMISSED = "dismissed", _("Not ours")

    key = models.CharField(max_length=200, unique=True)
    received_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    references = models.CharField(_("references quoted"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    payment = models.ForeignKey("support.Payment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "pk"]
        indexes = [models.Index(fields=["status", "received_on"], name="unmatched_by_status")]
        verbose_name = _("unmatched transfer")
        verbose_name_plural = _("unmatched transfers")

    def __str__(self):
        return f"{self.received_on} {self.amount} {self.currency}"
