"""Ask variants: the copy shown on each surface, drawn by weight in the reader's browser.

Every surface (panel, notice, appeal, banner) has one or more variants. With JavaScript off a reader sees the surface's
default variant; with it on, the reader script draws a stable variant from the reader's random id, after the
campaign's holdback and the surface's control share.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet

from support.placeholders import PLACEHOLDERS, validate_copy

SURFACES = [
    ("panel", _("Panel inside the story")),
    ("notice", _("Censorship notice")),
    ("appeal", _("Appeal at the end")),
    ("banner", _("Site banner")),
]
COPY_FIELDS = ("heading", "body", "button_label", "secondary_text")
RESERVED_KEYS = {"control", "holdback", "none"}
# Who a variant is for. A win-back variant is drawn only by browsers the reader script knows were supporters and are
# no longer (support/static/support/reader.js); it is never a surface's default, so without JavaScript the ordinary
# ask shows.
EVERYONE, FORMER_SUPPORTERS = "everyone", "former"
AUDIENCES = [
    (EVERYONE, _("Every reader")),
    (FORMER_SUPPORTERS, _("Former supporters only (win-back)")),
]


def section_pages():
    from publishing.interface import section_filter

    return section_filter()


@register_snippet
class AskVariant(models.Model):
    campaign = models.ForeignKey(
        "support.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="variants"
    )
    surface = models.CharField(_("surface"), max_length=10, choices=SURFACES)
    key = models.SlugField(
        _("key"), max_length=60, help_text=_("Short name used in statistics and to force it with ?ask=<key>.")
    )
    enabled = models.BooleanField(_("on"), default=True)
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Shown when the reader's browser runs no JavaScript.")
    )
    audience = models.CharField(
        _("shown to"),
        max_length=10,
        choices=AUDIENCES,
        default=EVERYONE,
        help_text=_(
            "Win-back: only browsers that gave before and whose contribution ended since (known in the browser alone)."
        ),
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"),
        default=1,
        validators=[MaxValueValidator(1000)],
        help_text=_("Share of readers, relative to the others."),
    )
    starts_at = models.DateTimeField(_("from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    target_sections = models.ManyToManyField(
        "wagtailcore.Page",
        verbose_name=_("only in sections"),
        blank=True,
        related_name="+",
        limit_choices_to=section_pages,
    )
    target_topics = models.ManyToManyField(
        "publishing.Topic", verbose_name=_("only on topics"), blank=True, related_name="+"
    )

    heading = models.CharField(_("heading"), max_length=200, blank=True)
    body = models.TextField(_("copy"), max_length=1500, help_text=_("Blank lines separate paragraphs."))
    button_label = models.CharField(_("button"), max_length=80, blank=True)
    secondary_text = models.CharField(
        _("secondary line"), max_length=200, blank=True, help_text=_("Appeal: e.g. “Not ready to support today?”")
    )
    reads_line = models.CharField(
        _("reading-count line"),
        max_length=200,
        blank=True,
        help_text=_("Shown by the reader's browser only, e.g. “You've read {articles_read} articles this month.”"),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("campaign"), FieldPanel("surface"), FieldPanel("key")]),
                FieldRowPanel([FieldPanel("enabled"), FieldPanel("is_default"), FieldPanel("weight")]),
                FieldPanel("audience"),
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            ],
            heading=_("Experiment"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("heading"),
                FieldPanel("body"),
                FieldPanel("button_label"),
                FieldPanel("secondary_text"),
                FieldPanel("reads_line"),
            ],
            heading=_("Copy"),
            help_text=_("Placeholders: ") + ", ".join("{" + name + "}" for name in PLACEHOLDERS),
        ),
        MultiFieldPanel(
            [FieldPanel("target_sections"), FieldPanel("target_topics")], heading=_("Targeting (empty: everywhere)")
        ),
    ]

    class Meta:
        ordering = ["campaign", "surface", "-is_default", "key"]
        verbose_name = _("ask variant")
        verbose_name_plural = _("ask variants")
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="unique_variant_key_per_campaign")]

    def __str__(self):
        return f"{self.get_surface_display()}: {self.key}"

    def clean(self):
        super().clean()
        errors = {}
        for field in COPY_FIELDS:
            try:
                validate_copy(getattr(self, field))
            except ValidationError as error:
                errors[field] = error
        reads_unknown = [n for n in _names(self.reads_line) if n not in PLACEHOLDERS and n != "articles_read"]
        if reads_unknown:
            errors["reads_line"] = _("Unknown placeholder {%(name)s}.") % {"name": reads_unknown[0]}
        if self.key in RESERVED_KEYS:
            errors["key"] = _("“%(key)s” is reserved; choose another key.") % {"key": self.key}
        if self.audience == FORMER_SUPPORTERS and self.is_default:
            errors["is_default"] = _(
                "A win-back variant cannot be the default: readers without JavaScript see the ordinary ask."
            )
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must come after the start.")
        if errors:
            raise ValidationError(errors)

    def is_running(self, now=None):
        now = now or timezone.now()
        return (
            self.enabled
            and (self.starts_at is None or self.starts_at <= now)
            and (self.ends_at is None or now < self.ends_at)
        )


def _names(text):
    import string

    try:
        return [field for _l, field, _s, _c in string.Formatter().parse(text or "") if field is not None]
    except ValueError:
        return ["{"]
