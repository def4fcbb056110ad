"""Importing exchange rates: one named action, one transaction, one audit entry with counts only."""

from dataclasses import dataclass

from django.db import transaction

from core.actions import Actor, record
from support.models import ExchangeRate
from support.rates.ecb import BASE, ParsedRate


@dataclass(frozen=True)
class ImportedRates:
    created: int
    updated: int
    unchanged: int
    first: object = None  # the first and last day of the file
    last: object = None


@transaction.atomic
def import_rates(*, actor: Actor, rates: list[ParsedRate], source: str = "ecb") -> ImportedRates:
    """Store the ECB's rates (1 EUR in a currency on a day) as EUR → currency rates: a day already stored with
    another rate takes the file's (the ECB corrects a rate now and then); the same rate again changes nothing, so
    importing a file twice writes nothing the second time."""
    stored = {
        (row.to_currency, row.day): row
        for row in ExchangeRate.objects.select_for_update().filter(
            from_currency=BASE, to_currency__in={rate.currency for rate in rates}
        )
    }
    created, updated, unchanged = [], 0, 0
    for parsed in rates:
        row = stored.get((parsed.currency, parsed.day))
        if row is None:
            created.append(
                ExchangeRate(from_currency=BASE, to_currency=parsed.currency, day=parsed.day, rate=parsed.rate)
            )
        elif row.rate != parsed.rate:
            row.rate = parsed.rate
            row.save(update_fields=["rate"])
            updated += 1
        else:
            unchanged += 1
    ExchangeRate.objects.bulk_create(created, batch_size=1000)
    days = [rate.day for rate in rates]
    result = ImportedRates(len(created), updated, unchanged, min(days, default=None), max(days, default=None))
    record(
        actor=actor,
        action="rates.imported",
        source=source,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        first=str(result.first or ""),
        last=str(result.last or ""),
    )
    return result
