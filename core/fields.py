from django.db import models


class HttpsURLField(models.URLField):
    """A URL field whose form assumes https:// when an editor types an address without a scheme."""

    def formfield(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        return super().formfield(**kwargs)
