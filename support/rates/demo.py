"""The demo's exchange rates: plausible euro reference rates for USD and GBP on every business day, the same every
time (a seeded random walk around where the rates have been lately, mean-reverting so it never wanders off)."""

import datetime as dt
import random
from decimal import Decimal

from support.rates.ecb import ParsedRate

#: Where each walk starts and is pulled back to (1 EUR in it), and how far a day may move it (standard deviation).
CENTRES = {"USD": (Decimal("1.0850"), 0.0045), "GBP": (Decimal("0.8550"), 0.0025)}


def demo_rates(first: dt.date, last: dt.date, seed: str = "samizdat-demo-rates") -> list[ParsedRate]:
    rng = random.Random(seed)
    levels = {code: float(centre) for code, (centre, _step) in CENTRES.items()}
    rates, day = [], first
    while day <= last:
        if day.weekday() < 5:  # the ECB publishes on business days
            for code, (centre, step) in CENTRES.items():
                levels[code] += rng.gauss(0, step) + (float(centre) - levels[code]) * 0.02
                rates.append(ParsedRate(day, code, Decimal(f"{levels[code]:.4f}")))
        day += dt.timedelta(days=1)
    return rates
