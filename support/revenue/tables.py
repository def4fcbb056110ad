"""Every table the revenue dashboard shows, built once from the figures, so that the page and its CSV files can never
disagree: a :class:`Table` holds plain values (``Money``, ints, Decimals, text), which the page formats for the
reader's language and the CSV writes as plain numbers (amounts with a dot and their currency in its own column).
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.money import Money
from support.models.ledger import FREQUENCIES, METHODS
from support.stats import Rate


@dataclass(frozen=True)
class Table:
    name: str  # the CSV's file name, and the section's id
    title: str
    headers: list
    rows: list  # lists of values, one per header
    caption: str = ""


def summary_table(figures) -> Table:
    f = figures
    rows = [
        [_("Recurring income (MRR) at the start"), f.running_start, f.mrr_start],
        [_("New recurring supporters"), f.new.count, f.new.mrr],
        [_("Restarted recurring supporters"), f.restarted.count, f.restarted.mrr],
        [_("Expansion (amounts raised)"), f.expansion.count, f.expansion.mrr],
        [_("Contraction (amounts lowered)"), f.contraction.count, _negative(f.contraction.mrr)],
        [_("Cancelled"), f.cancelled.count, _negative(f.cancelled.mrr)],
        [_("Lapsed (failed renewals)"), f.lapsed.count, _negative(f.lapsed.mrr)],
        [_("Refunded plans"), f.refunded_plans.count, _negative(f.refunded_plans.mrr)],
        [_("Net MRR movement"), "", f.net_mrr],
        [_("Recurring income (MRR) at the end"), f.running_end, f.mrr_end],
        [_("Churn rate (of the plans running at the start)"), "", f.churn_rate if f.churn_rate is not None else ""],
        [_("Income received"), f.payments, f.income],
        [_("of which one-time gifts"), "", f.one_time_income],
        [_("of which regular payments"), "", f.recurring_income],
        [_("Average gift"), "", f.average_gift or ""],
        [_("Refunds"), f.refunds_count, _negative(f.refunds)],
        [_("Disputes (chargebacks)"), f.disputes_count, _negative(f.disputes)],
        [_("Monthly cost"), "", f.cost],
        [_("Income that covers it (MRR + one-time gifts of the last 30 days)"), "", f.covering_income],
        [_("The gap"), "", f.gap],
        [_("Share covered (%)"), "", Decimal(f.percent)],
    ]
    return Table("summary", _("The period in figures"), [_("Figure"), _("Count"), _("Amount")], rows)


def _negative(money: Money) -> Money:
    return Money(-money.amount, money.currency) if money.amount else money


def breakdown_tables(figures) -> list:
    methods, frequencies = dict(METHODS), dict(FREQUENCIES)
    languages = {"en": _("English"), "ru": _("Russian"), "": _("no campaign")}
    income = [_("Payments"), _("Income")]
    return [
        Table(
            "by-method",
            _("Income by payment method"),
            [_("Method"), *income],
            [[str(methods.get(key, key)), n, total] for key, (n, total) in figures.by_method.items()],
        ),
        Table(
            "by-frequency",
            _("Income by frequency"),
            [_("Frequency"), *income],
            [[str(frequencies.get(key, key)), n, total] for key, (n, total) in figures.by_frequency.items()],
        ),
        Table(
            "by-currency",
            _("Income by currency"),
            [_("Currency"), _("Payments"), _("In that currency"), _("Converted")],
            [
                [code, n, own, converted if converted is not None else _("no rate")]
                for code, (n, own, converted) in figures.by_currency.items()
            ],
        ),
        Table(
            "by-language",
            _("Income by language campaign"),
            [_("Campaign language"), *income],
            [[str(languages.get(key, key)), n, total] for key, (n, total) in figures.by_language.items()],
        ),
    ]


def attribution_tables(found, asks) -> list:
    columns = [_("Conversions"), _("Payments"), _("Income")]
    tables = [
        Table(
            "by-ask",
            _("By ask (from the ledger)"),
            [_("Arm"), _("Surface"), *columns],
            [[row.label, row.surface, row.conversions, row.payments, row.income] for row in found.by_arm],
        ),
        Table(
            "by-article",
            _("By article"),
            [_("Article"), *columns],
            [[row.label, row.conversions, row.payments, row.income] for row in found.by_article],
        ),
        Table(
            "by-section",
            _("By section"),
            [_("Section"), *columns],
            [[row.label, row.conversions, row.payments, row.income] for row in found.by_section],
        ),
        Table(
            "by-referrer",
            _("By where readers came from"),
            [_("Referrer"), *columns],
            [[row.label, row.conversions, row.payments, row.income] for row in found.by_referrer],
        ),
    ]
    for stats in asks:
        arms = [*(arm for surface in stats.surfaces for arm in surface.arms), stats.holdback]
        rows = [
            [arm.arm, arm.surface or "", arm.impressions, arm.conversions, arm.conversion_rate, arm.revenue]
            for arm in arms
        ]
        tables.append(
            Table(
                f"asks-{stats.campaign.language}",
                _("Asks of “%(name)s”: conversion rate per impression") % {"name": stats.campaign.name},
                [_("Arm"), _("Surface"), _("Impressions"), _("Conversions"), _("Conversion rate [95 %]"), _("Revenue")],
                rows,
                caption=_("Wilson intervals (95 %); impressions are counted only in browsers with JavaScript on."),
            )
        )
    return tables


def history_table(history) -> Table:
    rows = [
        [
            month.label + (" " + _("(so far)") if month.current else ""),
            month.mrr,
            month.one_time,
            month.income,
            month.gap,
            Decimal(month.percent),
            month.recurring_supporters,
            month.started,
            month.ended,
        ]
        for month in history.months
    ]
    return Table(
        "history",
        _("Month by month"),
        [
            _("Month"),
            _("MRR"),
            _("One-time gifts"),
            _("Income against the cost"),
            _("Gap"),
            _("Covered (%)"),
            _("Recurring supporters"),
            _("Started"),
            _("Stopped"),
        ],
        rows,
        caption=_("Each month at its end; the current month now."),
    )


def cohort_table(cohorts) -> Table:
    width = max((len(c.running) for c in cohorts), default=0)
    rows = [
        [
            cohort.label,
            cohort.size,
            *[CohortCell(cohort.share(i), cohort.running[i]) if i < len(cohort.running) else "" for i in range(width)],
        ]
        for cohort in cohorts
    ]
    return Table(
        "cohorts",
        _("Retention by the month plans started"),
        [_("Started in"), _("Plans"), *[_("month %(n)s") % {"n": i} for i in range(width)]],
        rows,
        caption=_("The share of each month's new regular contributions still running at the end of each month since."),
    )


@dataclass(frozen=True)
class CohortCell:
    share: int | None
    running: int


# --- CSV


def _csv_values(value):
    if isinstance(value, Money):
        return [str(value.amount), value.currency]
    if isinstance(value, Rate):  # the rate and its interval, as fractions
        interval = value.interval
        return [
            "" if figure is None else f"{figure:.6f}"
            for figure in (value.value, interval.low if interval else None, interval.high if interval else None)
        ]
    if isinstance(value, CohortCell):
        return [str(value.running), "" if value.share is None else str(value.share)]
    return [str(value)]


#: The CSV columns a cell of each kind takes, and what they are called after the table's header.
_CSV_COLUMNS = {
    Money: lambda header: [header, f"{header} ({_('currency')})"],
    Rate: lambda header: [header, f"{header} ({_('low')})", f"{header} ({_('high')})"],
    CohortCell: lambda header: [f"{header} ({_('running')})", f"{header} (%)"],
}


def to_csv(table: Table) -> str:
    """The table as CSV: a column's kind is that of its first filled cell; an empty cell fills its columns blank."""
    kinds = [type(next((row[i] for row in table.rows if row[i] != ""), "")) for i in range(len(table.headers))]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [name for header, kind in zip(table.headers, kinds, strict=True) for name in _columns(kind, str(header))]
    )
    for row in table.rows:
        values = []
        for value, kind in zip(row, kinds, strict=True):
            values += [""] * len(_columns(kind, "")) if value == "" else _csv_values(value)
        writer.writerow(values)
    return out.getvalue()


def _columns(kind, header):
    return _CSV_COLUMNS[kind](header) if kind in _CSV_COLUMNS else [header]
