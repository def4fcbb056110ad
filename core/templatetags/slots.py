from django import template
from django.utils.safestring import mark_safe

from core import slots

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context, name, **kwargs):
    return mark_safe(slots.render(name, context, **kwargs))  # noqa: S308  (renderers return escaped template output)
