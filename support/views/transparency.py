"""The transparency page: what the newsroom costs a month and what that is made of, what covers it, the gap, and how
the gap went month by month.

``/support/transparency/`` (and ``/support/<language>/transparency/`` in the other languages) is a reading page: the
same bytes for everyone, no cookie, nothing about any reader; exported to static mirrors and kept in the published
tree, which renders it again with the pages that show asks when the figures move (its ``data-ledger-figures`` marks
it, :data:`mirrors.tree.publish.LIVE_MARKERS`). The figures of the moment are the gap panel's
(:func:`support.figures.figures_for`); the history is :func:`support.revenue.history.monthly_history`'s.

The page says on which day its figures were computed, and up to which entry of the ledger they count, rather than
the second it was rendered: two renders of the same ledger on the same day give the same bytes, as the export and the
published tree expect of every page.
"""

from django.conf import settings
from django.db.models import Max
from django.template.response import TemplateResponse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.money import Money
from core.reading import mark_reading
from support.figures import excluded_text, figures_for
from support.revenue.charts import count_chart, money_chart, month_table_rows
from support.revenue.history import monthly_history
from support.surfaces import active_campaign
from support.views.localized import localized_url, page_language

HISTORY_MONTHS = 12


def transparency_url(language: str) -> str:
    """The transparency page in ``language``."""
    return localized_url("support:transparency", language)


def latest_ledger_entry():
    """The moment of the newest payment, start, stop, amount change or refund the ledger holds (``None`` if none)."""
    from support.models import AmountChange, Contribution, Payment, Refund

    moments = [
        Payment.objects.aggregate(at=Max("succeeded_at"))["at"],
        *Contribution.objects.aggregate(started=Max("started_at"), ended=Max("ended_at")).values(),
        AmountChange.objects.aggregate(at=Max("changed_at"))["at"],
        Refund.objects.aggregate(at=Max("created_at"))["at"],
    ]
    moments = [moment for moment in moments if moment is not None]
    return max(moments) if moments else None


def _moment(value, language):
    local = timezone.localtime(value)
    text = formats.date_format(local, "j E Y, H:i" if language == "ru" else "j F Y, H:i")
    return {"iso": local.isoformat(timespec="minutes"), "text": f"{text} {local.tzname()}"}


def transparency_context(campaign, language, *, now=None):
    """What the page shows for ``campaign``, formatted for ``language``."""
    now = now or timezone.now()
    figures = figures_for(campaign)
    history = monthly_history(campaign, months=HISTORY_MONTHS, now=now)
    recurring = history.months[-1].mrr  # MRR now: the live figures' recurring income
    items = list(campaign.cost_items.all())
    currency = campaign.currency
    items_total = Money(sum((item.amount for item in items), Money.zero(currency).amount), currency)
    latest = latest_ledger_entry()
    today = timezone.localtime(now)
    return {
        "campaign": campaign,
        "figures": figures,
        "values": {
            "monthly_cost": figures.monthly_cost.format(language),
            "recurring": recurring.format(language),
            "one_time": (figures.income - recurring).clamp_at_zero().format(language),
            "income": figures.income.format(language),
            "gap": figures.gap.format(language),
            "percent": figures.percent,
            "recurring_supporters": history.months[-1].recurring_supporters,
            "supporters": figures.supporters,
            "excluded": excluded_text(figures, language),
        },
        "items": [
            {"label": item.label, "amount": Money(item.amount, currency).format(language), "note": item.note}
            for item in items
        ],
        "items_total": items_total.format(language),
        "items_agree": not items or items_total == figures.monthly_cost,
        "history": history,
        "money_chart": money_chart(history.months, language, title=_("Income against the monthly cost, by month")),
        "count_chart": count_chart(history.months, language, title=_("Recurring supporters, by month")),
        "rows": month_table_rows(history.months, language),
        "computed_on": {
            "iso": today.date().isoformat(),
            "text": formats.date_format(today, "j E Y" if language == "ru" else "j F Y"),
        },
        "latest_entry": _moment(latest, language) if latest is not None else None,
    }


@require_safe
def transparency(request, language=None):
    language = page_language(language)
    campaign = active_campaign(language)
    with translation.override(language):
        context = {"language": language}
        if campaign is not None:
            context.update(transparency_context(campaign, language))
        response = TemplateResponse(request, "support/transparency.html", context)
        response.render()
    response["Content-Language"] = language
    # Live figures: readers get them at most this old from the page cache, as on the pages with asks.
    return mark_reading(response, request=request, cache_seconds=settings.GOAL_MAX_AGE)
