"""``{% transparency_url %}``: the transparency page in the language being rendered (the gap meter links to it)."""

from django import template
from django.utils import translation

register = template.Library()


@register.simple_tag
def transparency_url():
    from support.views.transparency import transparency_url as url_for

    return url_for(translation.get_language() or "")
