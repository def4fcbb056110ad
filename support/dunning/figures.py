"""The dashboard's figures of failed renewals, month by month (by the month the renewal failed): how many failed, how
many were recovered (paid later), the recovery rate, and the recurring income (MRR) saved — the monthly share of the
recovered ones (an annual contribution counts a twelfth). In one currency (the dashboard's): failed renewals in
another currency are left out, not converted."""

from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.money import Money
from support.models import Dunning
from support.revenue.history import last_months
from support.revenue.tables import Table


def recovery_table(*, months: int, currency: str, now=None) -> Table:
    now = now or timezone.now()
    starts = last_months(months, now)
    counts = {start: [0, 0, Decimal("0")] for start in starts}
    rows = Dunning.objects.filter(failed_at__gte=starts[0], currency=currency).values_list(
        "failed_at", "outcome", "amount", "contribution__frequency"
    )
    for failed_at, outcome, amount, frequency in rows:
        start = max(s for s in starts if s <= failed_at)
        counts[start][0] += 1
        if outcome == Dunning.Outcome.RECOVERED:
            counts[start][1] += 1
            counts[start][2] += amount / 12 if frequency == "annual" else amount
    table_rows = []
    for start in starts:
        failed, recovered, saved = counts[start]
        rate = Decimal(100 * recovered / failed).quantize(Decimal("0.1")) if failed else Decimal("0")
        label = date_format(timezone.localtime(start), "YEAR_MONTH_FORMAT")
        table_rows.append([label, failed, recovered, rate, Money(saved, currency)])
    return Table(
        "recovery",
        _("Failed renewals and their recovery"),
        [_("Month"), _("Failed renewals"), _("Recovered"), _("Recovery rate (%)"), _("MRR saved")],
        table_rows,
        caption=_("By the month the renewal failed; one still being retried is not recovered yet."),
    )
