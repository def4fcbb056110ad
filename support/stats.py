"""What the asks do, per arm of a campaign: counts, rates with 95 % intervals, and each variant against its baselines.

An *arm* is what a reader was assigned: a variant key, ``control:<surface>`` (no ask on that surface) or ``holdback``
(no ask anywhere). Counts come from the anonymous daily ``AskCounter`` rows; conversions and revenue from the ledger.

The statistics are the textbook ones, written out here so that they can be read and checked:

* a rate (clicks or conversions per impression) gets a **Wilson score interval**, which stays inside 0–1 and behaves
  with few events, where the plain normal interval does not;
* the difference between an arm's conversion rate and its baseline's gets the **normal approximation for two
  independent proportions** (unpooled standard error). It needs events on both sides: with a zero count anywhere the
  answer is "not enough data" rather than a falsely narrow interval.

Rates are floats (they are statistics, not money); revenue stays :class:`core.money.Money`.
"""

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from statistics import NormalDist

from django.db.models import Sum

from core.money import Money
from support import ledger
from support.arms import HOLDBACK, SURFACE_NAMES

CONFIDENCE = 0.95
Z_95 = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)  # 1.959963984540054
PERIOD_CHOICES = (7, 30, 90)
DEFAULT_PERIOD_DAYS = 30
COUNT_COLUMNS = ("impressions", "clicks", "closes", "reminders")


# --- the statistics


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval | None:
    """The Wilson score interval of ``successes`` out of ``trials``; ``None`` when there were no trials.

    centre = (p + z²/2n) / (1 + z²/n),  half-width = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²)
    """
    if successes < 0 or trials < 0 or successes > trials:
        raise ValueError(f"{successes} successes out of {trials} trials is not a proportion.")
    if trials == 0:
        return None
    n = trials
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # With p = 0 (or 1) the lower (upper) end is exactly 0 (1); floating point would leave a hair of rounding there.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(low, high)


@dataclass(frozen=True)
class Rate:
    """``successes`` per ``trials``; ``value`` and ``interval`` are ``None`` when there is no rate to give."""

    successes: int
    trials: int
    value: float | None
    interval: Interval | None
    reason: str = ""  # why there is no rate

    @classmethod
    def of(cls, successes: int, trials: int) -> "Rate":
        if trials <= 0:
            return cls(successes, trials, None, None, "no impressions")
        if successes > trials:
            # Readers without JavaScript convert but are never counted as impressions (and counters are anonymous
            # beacons), so this can happen; a rate above 100 % would be a lie, so there is none.
            return cls(successes, trials, None, None, "more events than impressions")
        return cls(successes, trials, successes / trials, wilson_interval(successes, trials))


@dataclass(frozen=True)
class Difference:
    """An arm's conversion rate minus its baseline's, with a 95 % interval; ``value`` is ``None`` without data."""

    baseline: str  # the arm compared against
    value: float | None
    interval: Interval | None
    reason: str = ""


def difference_of_proportions(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, z: float = Z_95
) -> tuple[float, Interval] | None:
    """p_a − p_b with the normal-approximation interval (unpooled); ``None`` when any count is 0 or exceeds its trials.

    se = √(p_a(1−p_a)/n_a + p_b(1−p_b)/n_b),  interval = (p_a − p_b) ± z·se
    """
    counts = (successes_a, trials_a, successes_b, trials_b)
    if min(counts) <= 0 or successes_a > trials_a or successes_b > trials_b:
        return None
    p_a, p_b = successes_a / trials_a, successes_b / trials_b
    se = math.sqrt(p_a * (1 - p_a) / trials_a + p_b * (1 - p_b) / trials_b)
    if se == 0:  # both rates are exactly 100 %: the approximation says nothing
        return None
    difference = p_a - p_b
    return difference, Interval(difference - z * se, difference + z * se)


def compare(arm: "ArmStats", baseline: "ArmStats | None") -> Difference | None:
    """``arm`` against ``baseline`` on conversions per impression; ``None`` when there is nothing to compare with."""
    if baseline is None or baseline.arm == arm.arm:
        return None
    result = difference_of_proportions(arm.conversions, arm.impressions, baseline.conversions, baseline.impressions)
    if result is None:
        return Difference(baseline.arm, None, None, "not enough data")
    value, interval = result
    return Difference(baseline.arm, value, interval)


# --- the period


@dataclass(frozen=True)
class Period:
    """Whole days ``start``–``end``, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_ending(end: dt.date, days: int = DEFAULT_PERIOD_DAYS) -> Period:
    """The ``days`` days up to and including ``end`` (today, for "the last 30 days")."""
    if days < 1:
        raise ValueError("A period has at least one day.")
    return Period(end - dt.timedelta(days=days - 1), end)


# --- the counts


@dataclass(frozen=True)
class Counts:
    impressions: int = 0
    clicks: int = 0
    closes: int = 0
    reminders: int = 0


def counter_totals(campaign, period: Period) -> dict[str, Counts]:
    """{arm: Counts} summed over the period's days, in one query."""
    from support.models import AskCounter

    rows = (
        AskCounter.objects.filter(campaign=campaign, day__gte=period.start, day__lte=period.end)
        .values("arm")
        .annotate(**{column: Sum(column) for column in COUNT_COLUMNS})
        .order_by("arm")
    )
    return {row["arm"]: Counts(**{column: row[column] or 0 for column in COUNT_COLUMNS}) for row in rows}


@dataclass(frozen=True)
class Conversions:
    """Conversions and revenue per arm, and whether they cover the same period as the counters."""

    by_arm: dict  # {arm: (conversions, revenue Money)}
    same_period: bool
    excluded: tuple = ()  # revenue left out for want of an exchange rate, as Money in its own currencies


def ledger_conversions(campaign, period: Period) -> Conversions:
    """The ledger's conversions per arm, limited to ``period`` when the ledger can do that (``start``/``end``)."""
    by_arm = ledger.conversions_by_arm(campaign, start=period.start, end=period.end)
    return Conversions(by_arm, True, getattr(by_arm, "excluded", ()))


# --- the table


@dataclass(frozen=True)
class ArmStats:
    arm: str
    kind: str  # "variant", "control", "holdback" or "unknown" (a variant since deleted)
    surface: str | None
    counts: Counts
    conversions: int
    revenue: Money
    variant: object = None  # the AskVariant, when the arm is one
    vs_control: Difference | None = None
    vs_holdback: Difference | None = None

    @property
    def impressions(self) -> int:
        return self.counts.impressions

    @property
    def click_rate(self) -> Rate:
        return Rate.of(self.counts.clicks, self.counts.impressions)

    @property
    def conversion_rate(self) -> Rate:
        return Rate.of(self.conversions, self.counts.impressions)


@dataclass(frozen=True)
class SurfaceStats:
    surface: str | None  # None: arms whose variant no longer exists
    arms: list


@dataclass(frozen=True)
class CampaignStats:
    campaign: object
    period: Period
    holdback: ArmStats
    surfaces: list = field(default_factory=list)  # SurfaceStats, in the order of SURFACE_NAMES, then unknown arms
    conversions_same_period: bool = True
    revenue_excluded: tuple = ()  # revenue with no exchange rate into the campaign's currency, left out

    def arm(self, name) -> ArmStats | None:
        if name == HOLDBACK:
            return self.holdback
        return next((a for s in self.surfaces for a in s.arms if a.arm == name), None)


def control_arm(surface: str) -> str:
    return f"control:{surface}"


def _arm_kind(arm: str, variants: dict) -> tuple[str, str | None]:
    if arm == HOLDBACK:
        return "holdback", None
    if arm.startswith("control:") and arm.removeprefix("control:") in SURFACE_NAMES:
        return "control", arm.removeprefix("control:")
    if arm in variants:
        return "variant", variants[arm].surface
    return "unknown", None


def build_stats(campaign, period: Period, variants, counts: dict, conversions: Conversions) -> CampaignStats:
    """Put counts and conversions together per arm and compare every arm with its surface's control and the holdback.

    Pure: ``variants`` are the campaign's AskVariants, ``counts`` is ``counter_totals``'s answer. Every variant gets a
    row even without events; controls only on surfaces that have variants or counts.
    """
    variants = {v.key: v for v in variants}
    zero = Money.zero(campaign.currency)
    arms = [HOLDBACK, *variants, *counts, *conversions.by_arm]
    arms += [control_arm(v.surface) for v in variants.values()]
    stats = {}
    for arm in dict.fromkeys(arms):  # unique, in first-seen order
        kind, surface = _arm_kind(arm, variants)
        converted, revenue = conversions.by_arm.get(arm, (0, zero))
        stats[arm] = ArmStats(
            arm=arm,
            kind=kind,
            surface=surface,
            counts=counts.get(arm, Counts()),
            conversions=converted,
            revenue=revenue,
            variant=variants.get(arm),
        )
    holdback = stats[HOLDBACK]
    for arm, row in stats.items():
        control = stats.get(control_arm(row.surface)) if row.kind == "variant" else None
        stats[arm] = replace(row, vs_control=compare(row, control), vs_holdback=compare(row, holdback))
    holdback = stats[HOLDBACK]

    surfaces = []
    order = {"control": 0, "variant": 1}
    for surface in SURFACE_NAMES:
        rows = [row for row in stats.values() if row.surface == surface]
        if rows:
            rows.sort(key=lambda r: (order[r.kind], not (r.variant and r.variant.is_default), r.arm))
            surfaces.append(SurfaceStats(surface, rows))
    unknown = sorted((row for row in stats.values() if row.kind == "unknown"), key=lambda r: r.arm)
    if unknown:
        surfaces.append(SurfaceStats(None, unknown))
    excluded = getattr(conversions, "excluded", ())
    return CampaignStats(campaign, period, holdback, surfaces, conversions.same_period, excluded)


def campaign_stats(campaign, period: Period) -> CampaignStats:
    """Everything the statistics page shows for ``campaign`` over ``period`` (three queries and the ledger's)."""
    variants = list(campaign.variants.all())
    return build_stats(
        campaign, period, variants, counter_totals(campaign, period), ledger_conversions(campaign, period)
    )
