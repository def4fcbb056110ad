"""The small blocks an article body is made of; each renders with its own template in templates/publishing/blocks/."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

BODY_RICH_TEXT_FEATURES = ["bold", "italic", "link"]


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        super().__init__(features=BODY_RICH_TEXT_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")
        template = "publishing/blocks/paragraph.html"


class SubheadingBlock(blocks.CharBlock):
    def __init__(self, **kwargs):
        super().__init__(max_length=120, **kwargs)

    class Meta:
        icon = "title"
        label = _("Subheading")
        template = "publishing/blocks/subheading.html"


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"), max_length=400)
    attribution = blocks.CharBlock(label=_("Attribution"), max_length=160, required=False)

    class Meta:
        icon = "openquote"
        label = _("Pull quote")
        template = "publishing/blocks/pull_quote.html"


class InlineImageBlock(blocks.StructBlock):
    """An image in the story. Caption, credit and licence come from the image; the caption can be overridden here."""

    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(
        label=_("Caption for this story"),
        max_length=400,
        required=False,
        help_text=_("Leave empty to use the image's caption."),
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "publishing/blocks/inline_image.html"


class FactBoxBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    body = blocks.RichTextBlock(label=_("Facts"), features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "list-ul"
        label = _("Fact box")
        template = "publishing/blocks/fact_box.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = ParagraphBlock()
    subheading = SubheadingBlock()
    pull_quote = PullQuoteBlock()
    image = InlineImageBlock()
    fact_box = FactBoxBlock()
