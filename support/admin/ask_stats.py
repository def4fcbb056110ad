"""The “Ask statistics” page of the Wagtail admin: per surface, what each arm of a campaign's experiments did.

Who may see it: anyone who may use the admin *and* holds ``support.view_askcounter`` (superusers always). The
newsroom gives it to the Editors group and to whoever looks after reader revenue; Contributors do not get it.

The page only reads. A bad ``?campaign=`` or ``?days=`` gets a message, the defaults and a 400 — never a 500.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from support.admin.page import AdminPage
from support.arms import HOLDBACK
from support.models import SURFACES, Campaign
from support.stats import DEFAULT_PERIOD_DAYS, PERIOD_CHOICES, Rate, campaign_stats, period_ending

VIEW_PERMISSION = "support.view_askcounter"
NO_VALUE = "—"
REASONS = {
    "no impressions": gettext_lazy("No impressions in this period."),
    "more events than impressions": gettext_lazy(
        "More than impressions: readers without JavaScript are not counted, so there is no honest rate."
    ),
}


def can_view_stats(user):
    return user.is_active and user.has_perm(VIEW_PERMISSION)


# --- the query string


class StatsFilterForm(forms.Form):
    """Only renders the choice (the view parses the query string itself, so that bad input gets a clear message)."""

    campaign = forms.ChoiceField(label=gettext_lazy("Campaign"))
    days = forms.ChoiceField(label=gettext_lazy("Period"))

    def __init__(self, *args, campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [(str(c.pk), str(c)) for c in campaigns]
        self.fields["days"].choices = [(str(n), _("Last %(days)s days") % {"days": n}) for n in PERIOD_CHOICES]


@dataclass
class Selection:
    campaign: Campaign | None
    days: int
    problems: list


def chosen_campaign(query, campaigns, problems):
    """The campaign ``?campaign=`` names among ``campaigns`` (already loaded: whatever the value, it never reaches the
    database), else the first active one, then the first at all; a bad value adds its message to ``problems``."""
    default = next((c for c in campaigns if c.is_active), campaigns[0] if campaigns else None)
    raw = query.get("campaign", "").strip()
    if not raw:
        return default
    found = {str(c.pk): c for c in campaigns}.get(raw)
    if found is None:
        showing = _("showing “%(name)s”") % {"name": default.name} if default else _("there are no campaigns yet")
        problems.append(_("There is no campaign “%(value)s”; %(showing)s.") % {"value": raw[:40], "showing": showing})
        return default
    return found


def parse_selection(query, campaigns):
    """The campaign and period asked for in ``query``, falling back to defaults with a message for each bad value.

    The default campaign is the first active one (then the first at all); the default period the last 30 days.
    """
    problems = []
    campaign = chosen_campaign(query, campaigns, problems)
    days = DEFAULT_PERIOD_DAYS
    raw = query.get("days", "").strip()
    if raw:
        if raw in {str(n) for n in PERIOD_CHOICES}:
            days = int(raw)
        else:
            choices = ", ".join(str(n) for n in PERIOD_CHOICES)
            problems.append(
                _("The period must be %(choices)s days, not “%(value)s”; showing the last %(days)s days.")
                % {"choices": choices, "value": raw[:40], "days": DEFAULT_PERIOD_DAYS}
            )
    return Selection(campaign, days, problems)


# --- what a cell shows


def _number(value):
    return formats.number_format(value, force_grouping=True)


def _points(fraction):
    """A fraction as percent with two decimals, rounded half up (Django's number_format would cut the digits off)."""
    hundredths = Decimal(repr(fraction * 100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return formats.number_format(hundredths, decimal_pos=2)


def _percent(fraction):
    return _points(fraction) + " %"


def _signed_points(fraction):
    text = _points(abs(fraction))
    sign = "−" if text.strip("0.,") and fraction < 0 else "+"  # −0.00 reads as a difference; it is none
    return f"{sign}{text}"


def cell(text, interval="", title="", clear=False):
    """What one table cell shows: a figure, its interval (may wrap onto its own line), a tooltip, and emphasis."""
    return {"text": text, "interval": interval, "title": title, "clear": clear}


def rate_cell(rate: Rate, *, with_interval=True):
    """“1.23 %” and “[0.45–2.10 %]”, or “—” with the reason as a tooltip."""
    if rate.value is None:
        return cell(NO_VALUE, title=str(REASONS.get(rate.reason, rate.reason)))
    interval = ""
    if with_interval and rate.interval is not None:
        interval = f"[{_points(rate.interval.low)}–{_points(rate.interval.high)} %]"
    return cell(_percent(rate.value), interval, title=f"{rate.successes} / {rate.trials}")


def difference_cell(difference):
    """“+0.12 pp” and “[−0.05 to +0.29]” in percentage points; “not enough data”; “—” where nothing is compared."""
    if difference is None:
        return cell(NO_VALUE)
    if difference.value is None:
        return cell(_("not enough data"), title=_("Needs conversions and impressions on both sides."))
    low, high = difference.interval.low, difference.interval.high
    interval = _("[%(low)s to %(high)s]") % {"low": _signed_points(low), "high": _signed_points(high)}
    # An interval that leaves out zero: the difference is unlikely to be chance at the 95 % level.
    return cell(
        _("%(diff)s pp") % {"diff": _signed_points(difference.value)},
        interval,
        title=_("against %(arm)s") % {"arm": difference.baseline},
        clear=low > 0 or high < 0,
    )


def arm_label(row):
    if row.kind == "holdback":
        return _("Holdback: no ask anywhere")
    if row.kind == "control":
        return _("Control: no ask on this surface")
    if row.kind == "unknown":
        return _("(no such variant any more)")
    variant = row.variant
    words = (variant.heading or variant.body).split()
    label = " ".join(words[:6]) + (" …" if len(words) > 6 else "")
    flags = [str(_("default")) if variant.is_default else "", str(_("off")) if not variant.enabled else ""]
    return label + "".join(f" ({flag})" for flag in flags if flag)


def display_row(row, language):
    counts = row.counts
    return {
        "arm": row.arm,
        "label": arm_label(row),
        "kind": row.kind,
        "impressions": _number(counts.impressions),
        "clicks": _number(counts.clicks),
        "click_rate": rate_cell(row.click_rate, with_interval=False),
        "closes": _number(counts.closes),
        "reminders": _number(counts.reminders),
        "conversions": _number(row.conversions),
        "revenue": row.revenue.format(language),
        "conversion_rate": rate_cell(row.conversion_rate),
        "differences": [difference_cell(row.vs_control), difference_cell(row.vs_holdback)],
    }


def display_tables(stats, language):
    surface_names = dict(SURFACES)
    tables = [{"title": _("Holdback"), "arm": HOLDBACK, "rows": [display_row(stats.holdback, language)]}]
    for surface in stats.surfaces:
        title = surface_names.get(surface.surface, _("Arms without a variant"))
        tables.append({"title": title, "rows": [display_row(row, language) for row in surface.arms]})
    return tables


# --- the page


class AskStatsView(AdminPage):
    template_name = "support/admin/stats.html"
    page_title = gettext_lazy("Ask statistics")
    header_icon = "table"
    permission_check = staticmethod(can_view_stats)

    def get(self, request, *args, **kwargs):
        campaigns = list(Campaign.objects.order_by("language", "-is_active", "name"))
        selection = parse_selection(request.GET, campaigns)
        context = self.get_context_data(campaigns=campaigns, selection=selection)
        return self.render_to_response(context, status=400 if selection.problems else 200)

    def get_context_data(self, *, campaigns, selection, **kwargs):
        context = super().get_context_data(**kwargs)
        form = StatsFilterForm(
            campaigns=campaigns,
            initial={"campaign": str(selection.campaign.pk) if selection.campaign else "", "days": str(selection.days)},
        )
        context.update(
            {
                "form": form,
                "selection": selection,
                "stats": None,
                "tables": [],
                "time_zone": timezone.get_current_timezone_name(),
            }
        )
        if selection.campaign is not None:
            language = "ru" if (translation.get_language() or "").startswith("ru") else "en"
            stats = campaign_stats(selection.campaign, period_ending(timezone.localdate(), selection.days))
            context.update({"stats": stats, "tables": display_tables(stats, language)})
        return context
