"""*Support → Revenue* in the Wagtail admin: "are we closer than last month, and why?"

Who may see it: the Revenue role and superusers (``support.view_contribution`` and ``support.view_payment``, which
Editors and Contributors do not hold). The page only reads.

The query string chooses the period and the currency view: ``?month=YYYY-MM`` (the current month by default), or
``?from=YYYY-MM-DD&to=YYYY-MM-DD`` for any range of whole days; ``?currency=`` one of ``SUPPORT_CURRENCIES`` (the
campaign's by default); ``?campaign=`` whose cost and asks to show. A bad value gets a message, the default and a 400,
never a 500. ``/admin/support/revenue/<table>.csv`` with the same query string downloads one table.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View
from wagtail.admin.auth import permission_denied

from core.money import CURRENCIES
from support.admin.ask_stats import chosen_campaign
from support.admin.page import AdminPage
from support.dunning.figures import recovery_table
from support.models import Campaign
from support.revenue import charts
from support.revenue.attribution import attribution
from support.revenue.history import cohorts, last_months, monthly_history, scan
from support.revenue.period import Span, current_month, payments_between, period_figures
from support.revenue.tables import (
    attribution_tables,
    breakdown_tables,
    cohort_table,
    history_table,
    summary_table,
    to_csv,
)
from support.stats import Period, campaign_stats

PERMISSIONS = ("support.view_contribution", "support.view_payment")
HISTORY_MONTHS = 24
COHORT_MONTHS = 12
MAX_DAYS = 3 * 366
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def can_view_revenue(user) -> bool:
    return user.is_active and all(user.has_perm(permission) for permission in PERMISSIONS)


@dataclass
class Selection:
    span: Span
    currency: str
    campaign: Campaign | None
    problems: list = field(default_factory=list)


def _date(raw):
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def parse_selection(query, campaigns, today: dt.date) -> Selection:
    problems = []
    campaign = chosen_campaign(query, campaigns, problems)

    span = Span.month_of(today)
    month, first, last = (query.get(name, "").strip() for name in ("month", "from", "to"))
    if month:
        match = MONTH.match(month)
        if match and 1 <= int(match.group(2)) <= 12 and 2000 <= int(match.group(1)) <= today.year:
            span = Span.month_of(dt.date(int(match.group(1)), int(match.group(2)), 1))
        else:
            problems.append(_("“%(value)s” is not a month like 2026-03; showing this month.") % {"value": month[:40]})
    elif first or last:
        start, end = _date(first), _date(last or today.isoformat())
        if start is None or end is None:
            problems.append(_("Dates are written like 2026-03-31; showing this month."))
        elif end < start:
            problems.append(_("The period ends before it starts; showing this month."))
        elif (end - start).days >= MAX_DAYS:
            problems.append(_("A period is at most three years; showing this month."))
        elif start > today:
            problems.append(_("The period starts in the future; showing this month."))
        else:
            span = Span(start, min(end, today))

    default_currency = campaign.currency if campaign else "EUR"
    currency = default_currency
    raw = query.get("currency", "").strip().upper()
    if raw:
        if raw in settings.SUPPORT_CURRENCIES and raw in CURRENCIES:
            currency = raw
        else:
            problems.append(
                _("The currency must be one of %(choices)s; showing %(default)s.")
                % {"choices": ", ".join(settings.SUPPORT_CURRENCIES), "default": default_currency}
            )
    return Selection(span, currency, campaign, problems)


def build(selection: Selection, campaigns, *, now=None) -> dict:
    """Every figure and table of the page (the CSV view uses the tables; the page adds the charts)."""
    now = now or timezone.now()
    campaign = selection.campaign
    scanned = scan(last_months(HISTORY_MONTHS, now))  # shared by the history, the cohorts and the periods' MRR
    history = monthly_history(campaign, months=HISTORY_MONTHS, currency=selection.currency, now=now, scanned=scanned)
    paid = payments_between(selection.span.start, min(selection.span.end, now))  # the income's and attribution's
    figures = period_figures(
        campaign,
        selection.span,
        currency=selection.currency,
        now=now,
        scanned=scanned,
        paid=paid,
        recent_gifts=history.recent_gifts,
    )
    previous = period_figures(
        campaign,
        selection.span.previous(),
        currency=selection.currency,
        now=now,
        scanned=scanned,
        with_income=False,
    )
    found = attribution(selection.span, currency=selection.currency, now=now, paid=paid)
    retention = cohorts(months=COHORT_MONTHS, now=now, scanned=scanned)
    period = Period(selection.span.first, min(selection.span.last, timezone.localtime(now).date()))
    asks = [campaign_stats(c, period) for c in campaigns if c.is_active or c == campaign]
    tables = [
        summary_table(figures),
        *breakdown_tables(figures),
        *attribution_tables(found, asks),
        history_table(history),
        cohort_table(retention),
        recovery_table(months=HISTORY_MONTHS, currency=selection.currency, now=now),
    ]
    missing = sorted(set(figures.missing) | set(found.missing) | set(history.missing))
    return {
        "figures": figures,
        "previous": previous,
        "history": history,
        "tables": tables,
        "missing": missing,
        "missing_days": list(figures.missing_days.items()),
    }


def _charts(history, language):
    return {
        "money_chart": charts.money_chart(
            history.months, language, title=_("Recurring income and the gap, last %(n)s months") % {"n": HISTORY_MONTHS}
        ),
        "count_chart": charts.count_chart(
            history.months, language, title=_("Recurring supporters, last %(n)s months") % {"n": HISTORY_MONTHS}
        ),
    }


def _language(request):
    return "ru" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("ru") else "en"


def _selection(request):
    campaigns = list(Campaign.objects.all())  # in the model's order: language, the active one first, name
    return campaigns, parse_selection(request.GET, campaigns, timezone.localdate())


class RevenueDashboardView(AdminPage):
    template_name = "support/admin/revenue.html"
    page_title = gettext_lazy("Revenue")
    header_icon = "success"
    permission_check = staticmethod(can_view_revenue)

    def get(self, request, *args, **kwargs):
        campaigns, selection = _selection(request)
        context = self.get_context_data(campaigns=campaigns, selection=selection, language=_language(request))
        return self.render_to_response(context, status=400 if selection.problems else 200)

    def get_context_data(self, *, campaigns, selection, language, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "selection": selection,
                "campaigns": campaigns,
                "currencies": [c for c in settings.SUPPORT_CURRENCIES if c in CURRENCIES],
                "language": language,
                "time_zone": timezone.get_current_timezone_name(),
                "computed_at": timezone.now(),
                "query": self.request.GET.urlencode(),
                "this_month": current_month().first.strftime("%Y-%m"),
            }
        )
        if selection.campaign is not None:
            built = build(selection, campaigns)
            context.update(built, **_charts(built["history"], language))
        return context


class RevenueTableCSVView(View):
    def get(self, request, name):
        if not can_view_revenue(request.user):
            return permission_denied(request)
        campaigns, selection = _selection(request)
        if selection.problems or selection.campaign is None:
            message = " ".join(selection.problems) or _("There is no campaign yet.")
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        tables = {table.name: table for table in build(selection, campaigns)["tables"]}
        if name not in tables:
            raise Http404(_("There is no table “%(name)s”.") % {"name": name[:40]})
        span = selection.span
        response = HttpResponse(to_csv(tables[name]), content_type="text/csv; charset=utf-8")
        filename = f"samizdat-{name}-{span.first.isoformat()}-{span.last.isoformat()}-{selection.currency}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
