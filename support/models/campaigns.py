"""The campaign: what the newsroom costs, since when it has no ads, where it is banned, and how it asks.

The figures readers see (income, the gap, supporters, percent covered) are never typed in: ``support.figures``
derives them from the ledger.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.snippets.models import register_snippet

from core.money import CURRENCY_CHOICES, Money, MoneyError, parse_amount

LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
PAYMENT_METHODS = [("card", _("Card")), ("bank_transfer", _("Bank transfer")), ("crypto", _("Crypto"))]


def validate_amount_list(value):
    try:
        amounts = [parse_amount(item) for item in value.split(",") if item.strip()]
    except MoneyError as error:
        raise ValidationError(str(error)) from None
    if not amounts:
        raise ValidationError(_("Give at least one amount, e.g. “5, 10, 20”."))
    if any(amount <= 0 for amount in amounts):
        raise ValidationError(_("Amounts must be above zero."))


def percent_field(label, default, help_text=""):
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MaxValueValidator(90)], help_text=help_text
    )


class CampaignForm(WagtailAdminModelForm):
    """The campaign's admin form: when the cost has a breakdown, its items must add up to the monthly cost (the
    transparency page shows both, and readers would notice)."""

    def is_valid(self):
        valid = super().is_valid()
        if not valid or "cost_items" not in getattr(self, "formsets", {}):
            return valid
        formset = self.formsets["cost_items"]
        amounts = [
            form.cleaned_data["amount"]
            for form in formset.forms
            if form.cleaned_data.get("amount") is not None and not form.cleaned_data.get("DELETE")
        ]
        cost = self.cleaned_data.get("monthly_cost")
        if amounts and cost is not None and sum(amounts, Decimal(0)) != cost:
            currency = self.cleaned_data.get("currency") or "EUR"
            self.add_error(
                "monthly_cost",
                _(
                    "The items of the cost breakdown add up to %(total)s, but the monthly cost is %(cost)s. "
                    "Change an item or the monthly cost so that they agree."
                )
                % {"total": Money(sum(amounts, Decimal(0)), currency), "cost": Money(cost, currency)},
            )
            return False
        return True


@register_snippet
class Campaign(ClusterableModel):
    name = models.CharField(_("name"), max_length=120, help_text=_("For the newsroom; readers never see it."))
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGES, default="en")
    is_active = models.BooleanField(_("active"), default=False, help_text=_("One active campaign per language."))
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    monthly_cost = models.DecimalField(
        _("monthly cost"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    ad_free_since = models.DateField(_("ad-free since"))
    banned_in = models.CharField(
        _("banned in"),
        max_length=80,
        blank=True,
        help_text=_("Country name as readers read it. Empty hides the notice."),
    )
    min_monthly = models.DecimalField(
        _("minimum monthly amount"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(2),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    min_one_time = models.DecimalField(
        _("minimum one-time amount"),
        max_digits=10,
        decimal_places=2,
        default=Decimal(5),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    monthly_amounts = models.CharField(
        _("monthly amount choices"), max_length=120, default="5, 10, 20", validators=[validate_amount_list]
    )
    one_time_amounts = models.CharField(
        _("one-time amount choices"), max_length=120, default="10, 25, 50", validators=[validate_amount_list]
    )
    show_card = models.BooleanField(_("card"), default=True)
    show_bank_transfer = models.BooleanField(_("bank transfer"), default=True)
    show_crypto = models.BooleanField(_("crypto"), default=True)

    panel_after_paragraph = models.PositiveSmallIntegerField(
        _("panel after paragraph"), default=4, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    banner_enabled = models.BooleanField(_("site banner"), default=False)
    holdback_percent = percent_field(
        _("holdback (%)"), 0, _("Readers who see no ask anywhere, to measure what asking changes.")
    )
    panel_control_percent = percent_field(_("panel control (%)"), 0)
    notice_control_percent = percent_field(_("notice control (%)"), 0)
    appeal_control_percent = percent_field(_("appeal control (%)"), 0)
    banner_control_percent = percent_field(_("banner control (%)"), 0)
    panel_cap = models.PositiveSmallIntegerField(_("panel: at most"), default=10)
    notice_cap = models.PositiveSmallIntegerField(_("notice: at most"), default=10)
    appeal_cap = models.PositiveSmallIntegerField(_("appeal: at most"), default=4)
    banner_cap = models.PositiveSmallIntegerField(_("banner: at most"), default=3)
    cap_days = models.PositiveSmallIntegerField(
        _("times in days"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    close_snooze_days = models.PositiveSmallIntegerField(
        _("closing an ask hides asks for (days)"), default=7, validators=[MaxValueValidator(365)]
    )

    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldRowPanel([FieldPanel("language"), FieldPanel("is_active")])]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("currency"), FieldPanel("monthly_cost")]),
                FieldRowPanel([FieldPanel("ad_free_since"), FieldPanel("banned_in")]),
            ],
            heading=_("The facts"),
        ),
        InlinePanel(
            "cost_items",
            heading=_("What the monthly cost is made of"),
            help_text=_("Shown on the transparency page. When there are items, they must add up to the monthly cost."),
            label=_("cost item"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("min_monthly"), FieldPanel("monthly_amounts")]),
                FieldRowPanel([FieldPanel("min_one_time"), FieldPanel("one_time_amounts")]),
                FieldRowPanel([FieldPanel("show_card"), FieldPanel("show_bank_transfer"), FieldPanel("show_crypto")]),
            ],
            heading=_("Amounts and payment methods"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("panel_after_paragraph"), FieldPanel("banner_enabled")]),
                FieldRowPanel(
                    [
                        FieldPanel("holdback_percent"),
                        FieldPanel("panel_control_percent"),
                        FieldPanel("notice_control_percent"),
                        FieldPanel("appeal_control_percent"),
                        FieldPanel("banner_control_percent"),
                    ]
                ),
                FieldRowPanel(
                    [
                        FieldPanel("panel_cap"),
                        FieldPanel("notice_cap"),
                        FieldPanel("appeal_cap"),
                        FieldPanel("banner_cap"),
                        FieldPanel("cap_days"),
                    ]
                ),
                FieldPanel("close_snooze_days"),
            ],
            heading=_("Placement, experiments and frequency"),
        ),
    ]

    base_form_class = CampaignForm

    class Meta:
        ordering = ["language", "-is_active", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(
                fields=["language"], condition=models.Q(is_active=True), name="one_active_campaign_per_language"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_language_display()}{', active' if self.is_active else ''})"

    def clean(self):
        super().clean()
        if (
            self.is_active
            and Campaign.objects.filter(language=self.language, is_active=True).exclude(pk=self.pk).exists()
        ):
            raise ValidationError({"is_active": _("Another campaign in this language is active. Switch it off first.")})
        if self.min_monthly and self.min_one_time is not None:
            errors = {}
            for field, minimum in (("monthly_amounts", self.min_monthly), ("one_time_amounts", self.min_one_time)):
                try:
                    amounts = self.amount_list(getattr(self, field))
                except MoneyError:
                    continue
                if any(amount < minimum for amount in amounts):
                    errors[field] = _("Every choice must be at least the minimum (%(min)s).") % {"min": minimum}
            if errors:
                raise ValidationError(errors)

    @staticmethod
    def amount_list(value):
        return [parse_amount(item) for item in value.split(",") if item.strip()]

    def payment_methods(self):
        shown = {"card": self.show_card, "bank_transfer": self.show_bank_transfer, "crypto": self.show_crypto}
        return [(key, label) for key, label in PAYMENT_METHODS if shown[key]]

    def control_percent(self, surface):
        return getattr(self, f"{surface}_control_percent")

    def cap(self, surface):
        return getattr(self, f"{surface}_cap")


class CostItem(Orderable):
    """One line of what the monthly cost is made of (salaries, servers, legal help…), as editors write it for the
    transparency page. The items of a campaign add up to its monthly cost (checked in the campaign's form)."""

    campaign = ParentalKey(Campaign, on_delete=models.CASCADE, related_name="cost_items")
    label = models.CharField(_("what"), max_length=120)
    amount = models.DecimalField(
        _("amount a month"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    note = models.CharField(_("note"), max_length=240, blank=True, help_text=_("Optional, shown to readers."))

    panels = [FieldRowPanel([FieldPanel("label"), FieldPanel("amount")]), FieldPanel("note")]

    class Meta(Orderable.Meta):
        verbose_name = _("cost item")
        verbose_name_plural = _("cost items")

    def __str__(self):
        return self.label
