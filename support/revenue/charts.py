"""Charts of the monthly history, drawn on the server as inline SVG: for the public transparency page and the admin.

Each chart is one ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` (the first and last values, in
words), with a fixed ``viewBox`` so it scales to its box. Nothing in it is fetched or run: no script, no font, no
reference to a file, no ``style`` attribute or element (the reading pages' policy allows style only from our own
stylesheet). Colours are presentation attributes, which ``static/css/charts.css`` may override by class, so a chart
reads the same with or without the stylesheet. Tor Browser's Safest level shows no SVG at all: every chart goes with
its table (:func:`month_table_rows`), which says the same in rows.

Inline in HTML an ``<svg>`` needs no ``xmlns`` (and the export refuses any ``http://`` in a page), so there is none.
The output is deterministic: the same months and language give the same bytes (coordinates rounded to a tenth).
"""

from decimal import ROUND_CEILING, Decimal

from django.utils import formats, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.money import Money
from support.figures import count_in

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 76, 12, 14, 42  # room for the money labels on the left, the months below
PLOT_WIDTH, PLOT_HEIGHT = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
GRIDLINES = 4  # at most this many steps above zero

# Colours when no stylesheet applies (the stylesheet's classes override them).
INCOME, MRR, COST, GAP, GRID, INK, BAR = "#1a5fb4", "#26734d", "#9b1c1c", "#f2d6d6", "#d9d5c8", "#4a4a55", "#1a5fb4"


def _n(value) -> str:
    """A coordinate with one decimal, trailing ".0" dropped: stable bytes for the same input."""
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ceiling(value: Decimal) -> tuple[Decimal, Decimal]:
    """(top, step) of an axis from zero that holds ``value`` in at most :data:`GRIDLINES` round steps
    (1, 2, 2.5 or 5 times a power of ten)."""
    value = Decimal(value)
    if value <= 0:
        return Decimal(GRIDLINES), Decimal(1)
    magnitude = Decimal(1).scaleb(value.adjusted() - 1)
    while True:
        for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5)):
            step = factor * magnitude
            steps = (value / step).to_integral_value(rounding=ROUND_CEILING)
            if steps <= GRIDLINES:
                return step * steps, step
        magnitude *= 10


def _x(index: int, count: int) -> float:
    """The middle of month ``index``'s slot."""
    return LEFT + (index + 0.5) * PLOT_WIDTH / count


def _y(value, top: Decimal) -> float:
    return TOP + PLOT_HEIGHT - float(Decimal(value) / top) * PLOT_HEIGHT


def _month_label(month, language) -> str:
    with translation.override(language):
        return formats.date_format(month.start, "F Y")


def _month_abbreviation(month, language) -> str:
    with translation.override(language):
        return formats.date_format(month.start, "M")


def _joined(parts):
    """Markup already escaped by ``format_html``, one after the other."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _x_labels(months, language):
    """Each month's abbreviation below its slot, and the year under January and under the first month."""
    parts = []
    for index, month in enumerate(months):
        x = _n(_x(index, len(months)))
        parts.append(
            format_html(
                '<text class="chart__label" x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text>',
                x,
                HEIGHT - BOTTOM + 15,
                INK,
                _month_abbreviation(month, language),
            )
        )
        if index == 0 or month.start.month == 1:
            parts.append(
                format_html(
                    '<text class="chart__label chart__label--year" x="{}" y="{}" text-anchor="middle" font-size="11" '
                    'fill="{}">{}</text>',
                    x,
                    HEIGHT - BOTTOM + 30,
                    INK,
                    month.start.year,
                )
            )
    return _joined(parts)


def _grid(top: Decimal, step: Decimal, label):
    """Horizontal gridlines from zero to ``top``, each labelled on the left with ``label(value)``."""
    parts = []
    value = Decimal(0)
    while value <= top:
        y = _n(_y(value, top))
        parts.append(
            format_html(
                '<line class="chart__grid" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text class="chart__label" x="{}" y="{}" text-anchor="end" font-size="11" fill="{}">{}</text>',
                LEFT,
                y,
                WIDTH - RIGHT,
                y,
                GRID,
                LEFT - 6,
                _n(float(y) + 4),
                INK,
                label(value),
            )
        )
        value += step
    return _joined(parts)


def _svg(kind, chart_id, title, desc, body):
    return format_html(
        '<svg class="chart chart--{kind}" role="img" viewBox="0 0 {w} {h}" '
        'width="100%" preserveAspectRatio="xMidYMid meet" aria-labelledby="{id}-title {id}-desc" '
        'data-chart="{kind}" data-points="{points}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        kind=kind,
        w=WIDTH,
        h=HEIGHT,
        id=chart_id,
        points=body.points,
        title=title,
        desc=desc,
        body=body.markup,
    )


class _Body:
    def __init__(self, markup, points):
        self.markup, self.points = markup, points


def _empty(kind, chart_id, title, language):
    with translation.override(language):
        desc = _("No figures yet.")
    return _svg(kind, chart_id, title, desc, _Body(mark_safe(""), 0))


def _polyline(css, colour, coordinates, *, dashed=False):
    points = " ".join(f"{_n(x)},{_n(y)}" for x, y in coordinates)
    dash = mark_safe(' stroke-dasharray="6 4"') if dashed else ""
    return format_html(
        '<polyline class="{}" points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round"{}/>',
        css,
        points,
        colour,
        dash,
    )


def _points(css, colour, coordinates, titles):
    return format_html_join(
        "",
        '<circle class="chart__point ' + css + '" cx="{}" cy="{}" r="3.5" fill="{}"><title>{}</title></circle>',
        ((_n(x), _n(y), colour, text) for (x, y), text in zip(coordinates, titles, strict=True)),
    )


def money_chart(months, language, *, title, chart_id="money-chart"):
    """Income (MRR plus the one-time gifts of the 30 days before each point) and MRR per month, against the monthly
    cost as a horizontal line; what income leaves of the cost (the gap) shaded between them."""
    if not months:
        return _empty("money", chart_id, title, language)
    count = len(months)
    cost = months[-1].cost
    highest = max([cost.amount, *(m.income.amount for m in months), *(m.mrr.amount for m in months)])
    top, step = nice_ceiling(highest)
    currency = cost.currency
    xs = [_x(index, count) for index in range(count)]
    income = [(x, _y(m.income.amount, top)) for x, m in zip(xs, months, strict=True)]
    mrr = [(x, _y(m.mrr.amount, top)) for x, m in zip(xs, months, strict=True)]
    cost_y = _y(cost.amount, top)
    # The gap: from the cost line down to income wherever income falls short (nothing where it covers the cost).
    shortfall = [(x, _y(min(m.income.amount, m.cost.amount), top)) for x, m in zip(xs, months, strict=True)]
    gap_outline = [(xs[0], cost_y), (xs[-1], cost_y), *reversed(shortfall)]
    with translation.override(language):
        income_titles = [
            _("%(month)s: income %(income)s, gap %(gap)s")
            % {"month": _month_label(m, language), "income": m.income.format(language), "gap": m.gap.format(language)}
            for m in months
        ]
        mrr_titles = [
            _("%(month)s: recurring income %(mrr)s")
            % {"month": _month_label(m, language), "mrr": m.mrr.format(language)}
            for m in months
        ]
        first, last = months[0], months[-1]
        desc = _(
            "From %(first)s to %(last)s. Monthly cost: %(cost)s. Income went from %(income_first)s to "
            "%(income_last)s, of which recurring income from %(mrr_first)s to %(mrr_last)s; the gap went from "
            "%(gap_first)s to %(gap_last)s."
        ) % {
            "first": _month_label(first, language),
            "last": _month_label(last, language),
            "cost": cost.format(language),
            "income_first": first.income.format(language),
            "income_last": last.income.format(language),
            "mrr_first": first.mrr.format(language),
            "mrr_last": last.mrr.format(language),
            "gap_first": first.gap.format(language),
            "gap_last": last.gap.format(language),
        }
    body = format_html(
        "{grid}{gap}"
        '<line class="chart__cost" x1="{left}" y1="{cost_y}" x2="{right}" y2="{cost_y}" stroke="{cost_colour}" '
        'stroke-width="2" stroke-dasharray="6 4"/>'
        "{mrr_line}{income_line}{mrr_points}{income_points}{labels}",
        grid=_grid(top, step, lambda value: Money(value, currency).format(language)),
        gap=format_html(
            '<polygon class="chart__gap" points="{}" fill="{}"/>',
            " ".join(f"{_n(x)},{_n(y)}" for x, y in gap_outline),
            GAP,
        ),
        left=LEFT,
        right=WIDTH - RIGHT,
        cost_y=_n(cost_y),
        cost_colour=COST,
        mrr_line=_polyline("chart__line chart__mrr", MRR, mrr),
        income_line=_polyline("chart__line chart__income", INCOME, income),
        mrr_points=_points("chart__point--mrr", MRR, mrr, mrr_titles),
        income_points=_points("chart__point--income", INCOME, income, income_titles),
        labels=_x_labels(months, language),
    )
    return _svg("money", chart_id, title, desc, _Body(body, count))


def count_chart(months, language, *, title, chart_id="count-chart"):
    """A bar per month: the recurring supporters at the month's point."""
    if not months:
        return _empty("count", chart_id, title, language)
    count = len(months)
    top, step = nice_ceiling(Decimal(max(m.recurring_supporters for m in months)))
    if step < 1:  # people come whole
        top, step = top.to_integral_value(rounding=ROUND_CEILING), Decimal(1)
    slot = PLOT_WIDTH / count
    bar_width = max(2.0, slot * 0.6)
    bars = []
    with translation.override(language):
        for index, month in enumerate(months):
            y = _y(month.recurring_supporters, top)
            bars.append(
                format_html(
                    '<rect class="chart__bar" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                    _n(_x(index, count) - bar_width / 2),
                    _n(y),
                    _n(bar_width),
                    _n(TOP + PLOT_HEIGHT - y),
                    BAR,
                    _("%(month)s: %(count)s recurring supporters")
                    % {"month": _month_label(month, language), "count": count_in(language, month.recurring_supporters)},
                )
            )
        first, last = months[0], months[-1]
        desc = _("Recurring supporters from %(first)s to %(last)s: %(count_first)s, then %(count_last)s.") % {
            "first": _month_label(first, language),
            "last": _month_label(last, language),
            "count_first": count_in(language, first.recurring_supporters),
            "count_last": count_in(language, last.recurring_supporters),
        }
    body = format_html(
        "{}{}{}",
        _grid(top, step, lambda value: count_in(language, int(value))),
        _joined(bars),
        _x_labels(months, language),
    )
    return _svg("count", chart_id, title, desc, _Body(body, count))


def month_table_rows(months, language):
    """The rows of the table that goes with a chart: each month's figures formatted for ``language``."""
    return [
        {
            "label": _month_label(month, language),
            "current": month.current,
            "mrr": month.mrr.format(language),
            "one_time": month.one_time.format(language),
            "income": month.income.format(language),
            "cost": month.cost.format(language),
            "gap": month.gap.format(language),
            "percent": month.percent,
            "recurring_supporters": count_in(language, month.recurring_supporters),
            "started": count_in(language, month.started),
            "ended": count_in(language, month.ended),
        }
        for month in months
    ]
