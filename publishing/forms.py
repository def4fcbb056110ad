from wagtail.images.forms import BaseImageForm


class NewsImageForm(BaseImageForm):
    """The image upload and edit form: alt text, caption, credit and licence are required before an image is saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("alt_text", "caption", "credit", "licence"):
            if name in self.fields:
                self.fields[name].required = True
