"""What editors manage beside pages: licences, authors and topics (Wagtail snippets)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from core.fields import HttpsURLField
from publishing.languages import in_language


@register_snippet
class Licence(models.Model):
    """A licence an image is published under, linking to its deed (Creative Commons or otherwise)."""

    name = models.CharField(_("name"), max_length=120, unique=True, help_text=_("As readers see it, e.g. “CC BY 4.0”."))
    name_ru = models.CharField(
        _("name in Russian"), max_length=120, blank=True, help_text=_("e.g. “Все права защищены”.")
    )
    deed_url = HttpsURLField(
        _("deed URL"),
        blank=True,
        help_text=_("Where readers can read the licence terms. Leave empty for “All rights reserved”."),
    )

    panels = [FieldPanel("name"), FieldPanel("name_ru"), FieldPanel("deed_url")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")

    def __str__(self):
        return self.name

    @property
    def shown_name(self):
        """The name in the language being rendered."""
        return in_language(self, "name")


@register_snippet
class Author(index.Indexed, models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)
    role = models.CharField(_("role"), max_length=120, blank=True, help_text=_("e.g. “Economics correspondent”."))
    role_ru = models.CharField(
        _("role in Russian"), max_length=120, blank=True, help_text=_("e.g. “Экономический обозреватель”.")
    )
    bio = models.TextField(_("short biography"), blank=True, max_length=600)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("role"), FieldPanel("role_ru"), FieldPanel("bio")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    @property
    def shown_role(self):
        """The role in the language being rendered."""
        return in_language(self, "role")


@register_snippet
class Topic(index.Indexed, models.Model):
    """A subject that cuts across sections; each has a front page at /topics/<slug>/ and its own feeds."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    name_ru = models.CharField(_("name in Russian"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True, max_length=400)
    description_ru = models.TextField(_("description in Russian"), blank=True, max_length=400)

    panels = [
        FieldPanel("name"),
        FieldPanel("name_ru"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("description_ru"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("name_ru"),
        index.AutocompleteField("name"),
        index.AutocompleteField("name_ru"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("topic", args=[self.slug])

    @property
    def shown_name(self):
        """The name in the language being rendered."""
        return in_language(self, "name")

    @property
    def shown_description(self):
        return in_language(self, "description")
