"""Exchange rates in the Wagtail admin (*Snippets → Exchange rates*), and the warning staff get when figures would
leave money out: a currency readers can give in that has no rate into a campaign's currency for today, or whose
newest rate is older than ``RATE_STALE_DAYS``."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.components import Component
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from support.models import Campaign, ExchangeRate
from support.rates import RateBook

#: A rate this many days old or older is named in the warning (the ECB publishes every business day).
RATE_STALE_DAYS = 7


@dataclass(frozen=True)
class RateProblem:
    currency: str
    into: str
    latest: dt.date | None  # None: no rate at all

    @property
    def text(self) -> str:
        if self.latest is None:
            return _("No exchange rate from %(code)s into %(into)s: money in %(code)s is left out of the figures.") % {
                "code": self.currency,
                "into": self.into,
            }
        return _("The newest rate from %(code)s into %(into)s is of %(day)s.") % {
            "code": self.currency,
            "into": self.into,
            "day": self.latest.isoformat(),
        }


def rate_problems(today: dt.date | None = None) -> list[RateProblem]:
    """For every active campaign's currency, the currencies offered at checkout without a usable rate today."""
    today = today or timezone.localdate()
    problems = []
    targets = sorted(set(Campaign.objects.filter(is_active=True).values_list("currency", flat=True)))
    for target in targets:
        book = RateBook(target)
        for code in settings.SUPPORT_CURRENCIES:
            if code == target:
                continue
            if book.rate(code, today) is None:
                problems.append(RateProblem(code, target, None))
            else:
                latest = book.latest_day(code)
                if latest is not None and (today - latest).days >= RATE_STALE_DAYS:
                    problems.append(RateProblem(code, target, latest))
    return problems


class RateIndexView(IndexView):
    def get(self, request, *args, **kwargs):
        for problem in rate_problems():
            messages.warning(request, problem.text)
        return super().get(request, *args, **kwargs)


class ExchangeRateViewSet(SnippetViewSet):
    model = ExchangeRate
    index_view_class = RateIndexView
    icon = "resubmit"
    menu_label = gettext_lazy("Exchange rates")
    list_display = ["day", "from_currency", "to_currency", "rate"]
    list_filter = ["from_currency", "to_currency"]
    ordering = ["-day", "from_currency", "to_currency"]


class RatesPanel(Component):
    """On the admin's home page, for people who see the revenue: which currencies lack a rate."""

    name = "exchange-rates"
    template_name = "support/admin/rates_panel.html"
    order = 140

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["problems"] = rate_problems()
        return context

    def render_html(self, parent_context=None):
        if not rate_problems():
            return ""
        return super().render_html(parent_context)
