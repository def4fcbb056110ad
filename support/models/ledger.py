"""The ledger: what supporters promised (contributions), each attempt to move money (payments), refunds, and the
provider events that triggered changes. Money is Decimal with a currency; totals are derived from these rows (the
revenue history's running sums, ``support.models.tallies``, move with each save and are checked against them).

A supporter is a person at risk: the only personal datum is an email address, kept on :class:`Supporter` alone, so
erasing a supporter leaves anonymous rows that accounting needs.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import CURRENCY_CHOICES, Money
from support.models.tallies import RECURRING, keeping_gift_tally, keeping_plan_tally

FREQUENCIES = [("once", _("once")), ("monthly", _("monthly")), ("annual", _("annual"))]
METHODS = [("card", _("card")), ("bank_transfer", _("bank transfer")), ("crypto", _("crypto"))]


class Supporter(models.Model):
    email = models.EmailField(_("email"), unique=True)
    language = models.CharField(max_length=5, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    # the supporter asked for no mail beyond receipts and links they ask for (no renewal notices, no reminders of a
    # failed renewal)
    do_not_contact = models.BooleanField(_("do not contact"), default=False)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")

    def __str__(self):
        return f"Supporter #{self.pk}"


class EndReason(models.TextChoices):
    """Why a contribution stopped: the difference between a supporter who left and a card that failed them."""

    CANCELLED = "cancelled", _("cancelled")  # by the supporter or staff
    LAPSED = "lapsed", _("lapsed")  # its renewals failed, and the provider gave up
    REFUNDED = "refunded", _("refunded")  # every payment given back
    EXPIRED = "expired", _("expired")  # a card attempt nobody carried on with; it never started


class Contribution(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")  # waiting for its first payment
        ACTIVE = "active", _("active")  # recurring, paid up
        PAST_DUE = "past_due", _("past due")  # recurring, its last renewal failed; the provider still retries
        COMPLETED = "completed", _("completed")  # one-time, paid
        FAILED = "failed", _("failed")  # its first payment failed
        CANCELLED = "cancelled", _("cancelled")  # stopped by the supporter or staff
        REFUNDED = "refunded", _("refunded")  # every payment given back

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=20, unique=True, help_text=_("Quoted by the supporter with a transfer."))
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="contributions"
    )
    campaign = models.ForeignKey("support.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    frequency = models.CharField(max_length=10, choices=FREQUENCIES)
    method = models.CharField(max_length=20, choices=METHODS)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    covers_fees = models.BooleanField(default=False)
    language = models.CharField(max_length=5, default="en")
    # attribution: which ask, on which article, from which site (host only)
    arm = models.CharField(max_length=80, blank=True, db_index=True)
    article_id = models.PositiveBigIntegerField(null=True, blank=True)
    referrer_host = models.CharField(max_length=255, blank=True)
    # the provider's objects (cards): customer and subscription
    provider_customer_id = models.CharField(max_length=255, blank=True)
    provider_subscription_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    crypto_asset = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # when its first payment arrived (it became active or completed), and when and why it stopped, for the history
    started_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True, db_index=True)
    end_reason = models.CharField(max_length=12, choices=EndReason.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [
            models.Index(fields=["status", "frequency"]),
            # the revenue history reads every started regular contribution by these columns alone: from this index,
            # never the wide rows
            models.Index(
                fields=["frequency", "started_at", "ended_at", "currency", "amount"], name="contribution_history"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.money} {self.frequency} ({self.status})"

    def save(self, *args, **kwargs):
        with keeping_plan_tally(self, kwargs.get("update_fields")):
            super().save(*args, **kwargs)

    @property
    def money(self):
        return Money(self.amount, self.currency)

    @property
    def is_recurring(self):
        return self.frequency in RECURRING


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("created")
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        REFUNDED = "refunded", _("refunded")

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CREATED, db_index=True)
    provider = models.CharField(max_length=20)
    provider_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    transaction_reference = models.CharField(
        max_length=255, blank=True, help_text=_("Bank statement line or blockchain transaction id.")
    )
    failure_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        return f"Payment #{self.pk} {self.money} ({self.status})"

    def save(self, *args, **kwargs):
        with keeping_gift_tally(self, kwargs.get("update_fields")):
            super().save(*args, **kwargs)

    @property
    def money(self):
        return Money(self.amount, self.currency)


class Refund(models.Model):
    class Kind(models.TextChoices):
        REFUND = "refund", _("refund")  # given back by the newsroom
        DISPUTE = "dispute", _("dispute")  # taken back by the supporter's bank (a chargeback)

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REFUND)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    provider_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self):
        return f"Refund #{self.pk} of payment #{self.payment_id}"


class AmountChange(models.Model):
    """A regular contribution's amount changed (in its own currency): what the history needs to tell a supporter who
    gives more (expansion) or less (contraction) from one who started or stopped."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="amount_changes")
    before = models.DecimalField(max_digits=12, decimal_places=2)
    after = models.DecimalField(max_digits=12, decimal_places=2)
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("amount change")
        verbose_name_plural = _("amount changes")

    def __str__(self):
        return f"{self.contribution_id}: {self.before} → {self.after}"


class ProviderEvent(models.Model):
    """One event a provider told us about. Recorded once (unique id), handled once."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    # The id of the object a handled event is about (a PaymentIntent, an invoice, a subscription), so that a
    # contribution's page can list its events; empty for the types we ignore (a customer's id is never kept here).
    object_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="one_row_per_provider_event")]
        verbose_name = _("provider event")
        verbose_name_plural = _("provider events")

    def __str__(self):
        return f"{self.provider} {self.type} {self.event_id}"


class ExchangeRate(models.Model):
    """What one unit of a currency was worth in another on a day: entered by staff or imported from a published
    reference rate file (``manage.py import_rates``). Figures in another currency are converted at the latest rate on
    or before the day they count for (``support.rates``); the amounts in the ledger stay in their own currency."""

    from_currency = models.CharField(_("from"), max_length=3, choices=CURRENCY_CHOICES)
    to_currency = models.CharField(_("to"), max_length=3, choices=CURRENCY_CHOICES)
    day = models.DateField(_("date"), help_text=_("The day the rate was published for."))
    rate = models.DecimalField(_("rate"), max_digits=14, decimal_places=6, help_text=_("1 unit of “from” in “to”."))

    class Meta:
        ordering = ["-day", "from_currency", "to_currency"]
        constraints = [
            models.UniqueConstraint(fields=["from_currency", "to_currency", "day"], name="one_rate_per_pair_and_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(from_currency=models.F("to_currency")), name="exchange_rate_two_currencies"
            ),
        ]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")

    def __str__(self):
        return f"{self.day}: 1 {self.from_currency} = {self.rate} {self.to_currency}"
