"""``{% transparency_url %}`` and ``{% already_url %}``: the transparency page (the gap meter links to it) and
"I already support", in the language being rendered."""

from django import template
from django.utils import translation

register = template.Library()


@register.simple_tag
def transparency_url():
    from support.views.transparency import transparency_url as url_for

    return url_for(translation.get_language() or "")


@register.simple_tag
def already_url():
    from support.views.localized import localized_url

    return localized_url("support:already", translation.get_language() or "")
