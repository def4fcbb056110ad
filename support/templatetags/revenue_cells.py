"""How the revenue dashboard writes a table cell (``support.revenue.tables``): money in the reader's language, counts
grouped, rates with their interval, retention shares as a shaded cell."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html

from core.money import Money
from support.revenue.tables import CohortCell, RateCell

register = template.Library()
SHADES = 5  # classes revenue-shade-0 … revenue-shade-4, lightest to darkest


def _percent(fraction):
    return formats.number_format(Decimal(repr(fraction * 100)).quantize(Decimal("0.01")), decimal_pos=2)


@register.simple_tag
def revenue_cell(value, language):
    if isinstance(value, Money):
        return format_html('<td class="w-tabular-nums w-whitespace-nowrap">{}</td>', value.format(language))
    if isinstance(value, bool) or value is None:
        return format_html("<td>{}</td>", "" if value is None else value)
    if isinstance(value, int | Decimal):
        return format_html('<td class="w-tabular-nums">{}</td>', formats.number_format(value, force_grouping=True))
    if isinstance(value, RateCell):
        if value.value is None:
            return format_html("<td>{}</td>", "—")
        interval = f" [{_percent(value.low)}–{_percent(value.high)} %]" if value.low is not None else ""
        return format_html('<td class="w-tabular-nums">{} %{}</td>', _percent(value.value), interval)
    if isinstance(value, CohortCell):
        if value.share is None:
            return format_html("<td>{}</td>", "—")
        shade = min(SHADES - 1, value.share * SHADES // 101)
        return format_html(
            '<td class="w-tabular-nums revenue-shade-{}" title="{}">{} %</td>', shade, value.running, value.share
        )
    return format_html("<td>{}</td>", value)
