"""How the revenue dashboard writes a table cell (``support.revenue.tables``): money in the reader's language, counts
grouped, rates with their interval, retention shares as a shaded cell."""

from decimal import Decimal

from django import template
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.html import format_html

from core.money import Money
from support.admin.ask_stats import rate_cell
from support.revenue.tables import CohortCell
from support.stats import Rate

register = template.Library()
SHADES = 5  # classes revenue-shade-0 … revenue-shade-4, lightest to darkest


@register.simple_tag
def revenue_cell(value, language):
    if isinstance(value, Money):
        return format_html('<td class="w-tabular-nums w-whitespace-nowrap">{}</td>', value.format(language))
    if isinstance(value, bool) or value is None:
        return format_html("<td>{}</td>", "" if value is None else value)
    if isinstance(value, int | Decimal):
        return format_html('<td class="w-tabular-nums">{}</td>', formats.number_format(value, force_grouping=True))
    if isinstance(value, Rate):  # as the ask statistics show a rate: its interval, or why there is none
        return render_to_string("support/admin/_stats_cell.html", {"cell": rate_cell(value)})
    if isinstance(value, CohortCell):
        if value.share is None:
            return format_html("<td>{}</td>", "—")
        shade = min(SHADES - 1, value.share * SHADES // 101)
        return format_html(
            '<td class="w-tabular-nums revenue-shade-{}" title="{}">{} %</td>', shade, value.running, value.share
        )
    return format_html("<td>{}</td>", value)
