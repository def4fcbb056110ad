"""Reading the European Central Bank's euro foreign exchange reference rates, as it publishes them for download
(``eurofxref-hist.csv`` / ``eurofxref.csv``, or the same as XML, ``eurofxref-hist.xml``), from a file on disk.

Each rate says what one euro was worth in a currency on a business day (EUR → USD 1.0850). Only the currencies of
``core.money.CURRENCIES`` are kept; the others, and the ``N/A`` the ECB writes for a currency it did not quote that
day, are skipped. Anything else that cannot be read — no ``Date`` column, a bad date, a rate that is not a positive
number, a file that is neither format — is a :class:`RateFileError` naming the line, and nothing is imported.
Nothing here downloads: the newsroom fetches the file (or has a task do so) and hands over its path.
"""

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import CURRENCIES

MAX_BYTES = 20 * 1024 * 1024  # the full history since 1999 is about 7 MB as XML
BASE = "EUR"


class RateFileError(DomainError):
    """The file cannot be read as the ECB's reference rates; the message says where."""


@dataclass(frozen=True)
class ParsedRate:
    day: dt.date
    currency: str
    rate: Decimal  # 1 EUR in ``currency``


def read_file(path) -> list[ParsedRate]:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise RateFileError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror}) from None
    if len(data) > MAX_BYTES:
        raise RateFileError(_("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // 1024 // 1024})
    return parse(data)


def parse(data: bytes) -> list[ParsedRate]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RateFileError(_("The file is not UTF-8 text.")) from None
    stripped = text.lstrip()
    rates = _parse_xml(stripped) if stripped.startswith("<") else _parse_csv(stripped)
    if not rates:
        raise RateFileError(_("The file holds no rate for any of our currencies."))
    return rates


def _day(value: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        message = _("%(where)s: “%(value)s” is not a date (YYYY-MM-DD).") % {"where": where, "value": value}
        raise RateFileError(message) from None


def _rate(value: str, where: str) -> Decimal | None:
    value = value.strip()
    if value in ("", "N/A"):
        return None
    try:
        rate = Decimal(value)
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or rate <= 0:
        raise RateFileError(_("%(where)s: “%(value)s” is not a rate.") % {"where": where, "value": value})
    return rate


def _parse_csv(text: str) -> list[ParsedRate]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not rows[0] or rows[0][0].strip() != "Date":
        raise RateFileError(_("Line 1: the ECB's header (Date, then currency codes) is missing."))
    header = [cell.strip() for cell in rows[0]]
    rates = []
    seen = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = _("Line %(number)s") % {"number": number}
        if len(row) > len(header) or (len(row) < len(header) and any(row[len(row) :])):
            raise RateFileError(_("%(where)s: more cells than the header names.") % {"where": where})
        day = _day(row[0], where)
        if day in seen:
            raise RateFileError(_("%(where)s: %(day)s appears twice.") % {"where": where, "day": day})
        seen.add(day)
        for code, cell in zip(header[1:], row[1:], strict=False):
            if code in CURRENCIES and code != BASE:
                rate = _rate(cell, f"{where}, {code}")
                if rate is not None:
                    rates.append(ParsedRate(day, code, rate))
    return rates


def _parse_xml(text: str) -> list[ParsedRate]:
    try:
        root = ElementTree.fromstring(text)  # noqa: S314  (a file on disk that staff chose)
    except ElementTree.ParseError as error:
        raise RateFileError(_("The XML cannot be read: %(error)s") % {"error": error}) from None
    rates = []
    days = [element for element in root.iter() if element.tag.endswith("Cube") and "time" in element.attrib]
    if not days:
        raise RateFileError(_("The XML holds no dated Cube (the ECB's eurofxref format)."))
    for element in days:
        where = _("Day %(day)s") % {"day": element.attrib["time"]}
        day = _day(element.attrib["time"], where)
        for child in element:
            code = child.attrib.get("currency", "")
            if code in CURRENCIES and code != BASE:
                rate = _rate(child.attrib.get("rate", ""), f"{where}, {code}")
                if rate is not None:
                    rates.append(ParsedRate(day, code, rate))
    return rates
