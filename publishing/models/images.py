"""Images carry what a newsroom must publish with them: alt text, caption, credit and licence, all required at upload.

Pages show only renditions (re-encoded files made by ``{% image %}``), never the original upload, which can carry
camera metadata such as GPS positions.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image

from core.fields import HttpsURLField
from publishing.models.snippets import Licence


class NewsImage(AbstractImage):
    alt_text = models.CharField(
        _("alt text"), max_length=250, help_text=_("What the image shows, for readers who cannot see it.")
    )
    caption = models.CharField(_("caption"), max_length=400)
    credit = models.CharField(_("credit"), max_length=200, help_text=_("Photographer, agency or source."))
    credit_url = HttpsURLField(_("credit link"), blank=True, help_text=_("Optional link to the source."))
    licence = models.ForeignKey(Licence, verbose_name=_("licence"), on_delete=models.PROTECT, related_name="images")

    # Wagtail's optional "description" is replaced by the required alt text.
    admin_form_fields = tuple(name for name in Image.admin_form_fields if name != "description") + (
        "alt_text",
        "caption",
        "credit",
        "credit_url",
        "licence",
    )

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")

    @property
    def default_alt_text(self):
        return self.alt_text


class NewsRendition(AbstractRendition):
    image = models.ForeignKey(NewsImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
