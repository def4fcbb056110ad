"""``{% ways_to_give language %}``: the bank account and crypto addresses, inline, wherever a page offers them."""

from django import template

register = template.Library()


@register.inclusion_tag("support/ways_inline.html")
def ways_to_give(language):
    from support.views.ways import ways_context

    return ways_context(language)
