"""Reading a bank statement export (CSV) into lines the ledger can match: date, amount, currency and the contribution
references (``SZ-XXXX-XXXX``) found in the description.

Banks export CSV in many dialects, so reading is lenient: header names in any case and in a few languages, ``;``,
``,`` or tab between fields, decimal commas, a UTF-8 byte-order mark. What cannot be read gets a clear message —
for the whole file (:class:`StatementError`) or for one line, with its number (``ParsedStatement.malformed``).

The description itself is dropped once its references are found: it usually names the payer, and nothing here keeps
it. A line is recognised again in a later import by :attr:`StatementLine.key` (date, amount, currency, reference), which
holds nothing personal.
"""

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import CURRENCIES

MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 10_000
MAX_CELL_CHARS = 2_000

# A contribution's reference as supporters type it into a transfer: any case, hyphens, spaces or nothing between.
REFERENCE_PATTERN = re.compile(r"(?<![A-Z0-9])SZ[\s\-_./]*([A-Z0-9]{4})[\s\-_./]*([A-Z0-9]{4})(?![A-Z0-9])", re.I)
# What a transfer quotes when the reader has no contribution of their own (the public instruction pages, static
# mirrors): an anonymous gift. There is nothing to confirm, so the import reports such lines on their own.
GENERAL_REFERENCE = "SUPPORT"
GENERAL_REFERENCE_PATTERN = re.compile(rf"(?<![A-Z0-9]){GENERAL_REFERENCE}(?![A-Z0-9])", re.I)

COLUMN_NAMES = {
    "date": {
        "date",
        "booking date",
        "transaction date",
        "value date",
        "posting date",
        "datum",
        "buchungstag",
        "buchungsdatum",
        "дата",
        "дата операции",
    },
    "amount": {"amount", "sum", "value", "betrag", "сумма", "сумма операции"},
    "currency": {"currency", "ccy", "cur", "währung", "waehrung", "валюта"},
    "description": {
        "description",
        "details",
        "reference",
        "payment reference",
        "remittance information",
        "purpose",
        "memo",
        "narrative",
        "text",
        "verwendungszweck",
        "назначение",
        "назначение платежа",
        "описание",
    },
}
REQUIRED_COLUMNS = ("date", "amount", "currency", "description")
DELIMITERS = (";", ",", "\t")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y/%m/%d", "%d.%m.%y")


class StatementError(DomainError):
    """The file as a whole cannot be read (too big, not UTF-8, no usable header, too many lines)."""


class CellError(ValueError):
    """One cell cannot be read; the message names the value and is shown with the line number."""


@dataclass(frozen=True)
class StatementLine:
    line: int  # where the line starts in the file (the header is line 1)
    date: dt.date
    amount: Decimal  # negative for money going out
    currency: str
    references: tuple[str, ...] = ()
    general_gift: bool = False  # quotes the general reference and no contribution's
    # 0 for the first line of the statement with this date, amount, currency and reference; 1 for the second…
    occurrence: int = 0

    @property
    def is_incoming(self):
        return self.amount > 0

    @property
    def suffix(self):
        """What tells the second (third…) identical line of one statement from the first: two readers who each send
        10 € quoting SUPPORT on the same day are two gifts."""
        return f" #{self.occurrence + 1}" if self.occurrence else ""

    @property
    def key(self):
        """What a payment recorded from this line keeps as its transaction reference, so that importing the same
        statement again recognises the line: its date, amount, currency and reference, and which of the statement's
        identical lines it is (a statement exported again lists a day's lines in the same order)."""
        reference = self.references[0] if self.references else "-"
        return f"bank statement {self.date.isoformat()} {self.amount} {self.currency} {reference}{self.suffix}"


@dataclass
class ParsedStatement:
    lines: list[StatementLine] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)


def find_references(text) -> tuple[str, ...]:
    """The distinct references in ``text``, normalised to ``SZ-XXXX-XXXX``, in order of appearance."""
    found = []
    for first, second in REFERENCE_PATTERN.findall(text or ""):
        reference = f"SZ-{first.upper()}-{second.upper()}"
        if reference not in found:
            found.append(reference)
    return tuple(found)


def is_general_gift(text, references) -> bool:
    """Whether a line quoting ``references`` (found in ``text``) is an anonymous gift: the general reference and no
    contribution's own."""
    return not references and GENERAL_REFERENCE_PATTERN.search(text or "") is not None


def _normalise_header(name):
    return " ".join(re.sub(r"[_\-]+", " ", name.strip().strip("\ufeff\"'").lower()).split())


def _columns(header):
    """{column: index} of the required columns found in ``header`` (the first name that matches wins)."""
    columns = {}
    for index, name in enumerate(header):
        normalised = _normalise_header(name)
        for column, names in COLUMN_NAMES.items():
            if normalised in names and column not in columns:
                columns[column] = index
    return columns


def parse_amount(text) -> Decimal:
    """“25.00”, “25,00”, “1.234,56”, “1,234.56”, “1 234,56”, “-12,00”, “(12.00)”, “+25”, “€25.00” → Decimal."""
    raw = text
    text = (text or "").strip()
    for character in (" ", "\u00a0", "\u202f", "'", "’", "€", "$", "£", "₽"):
        text = text.replace(character, "")
    not_an_amount = CellError(_("“%(value)s” is not an amount.") % {"value": (raw or "").strip()[:40]})
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    elif text.endswith("-"):
        negative, text = True, text[:-1]
    elif text.startswith(("+", "-")):
        negative, text = text.startswith("-"), text[1:]
    if not re.fullmatch(r"[0-9][0-9.,]*", text):
        raise not_an_amount
    if "." in text and "," in text:
        decimal_mark = "." if text.rfind(".") > text.rfind(",") else ","
        grouping = "," if decimal_mark == "." else "."
        whole, _mark, fraction = text.rpartition(decimal_mark)
        if not re.fullmatch(r"\d{1,3}(" + re.escape(grouping) + r"\d{3})*", whole) or not fraction.isdigit():
            raise not_an_amount
        text = whole.replace(grouping, "") + "." + fraction
    elif "," in text or text.count(".") > 1:
        mark = "," if "," in text else "."
        parts = text.split(mark)
        if len(parts) == 2 and 1 <= len(parts[1]) <= 2:
            text = parts[0] + "." + parts[1]  # a decimal comma
        elif all(len(part) == 3 for part in parts[1:]) and 1 <= len(parts[0]) <= 3:
            text = "".join(parts)  # thousands separators only
        else:
            raise not_an_amount
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise not_an_amount from None
    return -amount if negative else amount


def parse_date(text) -> dt.date:
    """“2026-03-02”, “02.03.2026”, “02/03/2026” (day first), “2026/03/02”, optionally followed by a time."""
    value = (text or "").strip()
    if re.match(r"\d{4}-\d{2}-\d{2}T", value):
        value = value.split("T", 1)[0]
    value = value.split(" ", 1)[0]
    for date_format in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise CellError(_("“%(value)s” is not a date (use 2026-03-02 or 02.03.2026).") % {"value": text.strip()[:40]})


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise StatementError(_("The file is UTF-16 text. Export or save it as “CSV UTF-8” and upload it again."))
    if data.startswith(b"PK\x03\x04"):
        raise StatementError(_("This looks like a spreadsheet workbook, not CSV. Export the statement as CSV."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StatementError(
            _(
                "The file is not UTF-8 text (an unreadable byte at position %(position)s). "
                "Export or save it as “CSV UTF-8” and upload it again."
            )
            % {"position": error.start}
        ) from None


def _dialect(text):
    """The delimiter whose header line names the most required columns (ties: the one splitting the line most)."""
    first_line = text.split("\n", 1)[0]
    best = None
    for delimiter in DELIMITERS:
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        score = (len(_columns(header)), len(header))
        if best is None or score > best[0]:
            best = (score, delimiter)
    return best[1]


def read_statement(data: bytes) -> ParsedStatement:
    """Parse a statement export. Raises :class:`StatementError` for a file that cannot be read at all."""
    if len(data) > MAX_BYTES:
        raise StatementError(
            _("The file is larger than %(limit)s MB. Export a shorter period.") % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    text = _decode(data)
    if "\x00" in text:
        raise StatementError(_("The file contains binary data, not CSV text."))
    if not text.strip():
        raise StatementError(_("The file is empty."))
    delimiter = _dialect(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        columns = _columns(header)
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            raise StatementError(
                _(
                    "The first line must name the columns date, amount, currency and description; "
                    "%(missing)s not found (the first line has: %(found)s)."
                )
                % {
                    "missing": ", ".join(missing),
                    "found": ", ".join(f"“{name.strip()[:30]}”" for name in header[:12]) or "nothing",
                }
            )
        parsed = ParsedStatement()
        count = 0
        previous_end = reader.line_num
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            count += 1
            if count > MAX_LINES:
                raise StatementError(
                    _("The file has more than %(limit)s lines. Split it into smaller files.")
                    % {"limit": f"{MAX_LINES:,}"}
                )
            problem = _row_problem(row, header)
            if problem:
                parsed.malformed.append((start, problem))
                continue
            try:
                parsed.lines.append(_line(start, row, columns))
            except CellError as error:
                parsed.malformed.append((start, str(error)))
    except csv.Error as error:
        raise StatementError(
            _("The file is not readable CSV near line %(line)s: %(error)s.") % {"line": reader.line_num, "error": error}
        ) from None
    parsed.lines = number_identical_lines(parsed.lines)
    return parsed


def number_identical_lines(lines):
    """Each line with its occurrence among the lines before it with the same date, amount, currency and reference."""
    seen = Counter()
    numbered = []
    for line in lines:
        same = (line.date, line.amount, line.currency, line.references[:1], line.general_gift)
        numbered.append(replace(line, occurrence=seen[same]))
        seen[same] += 1
    return numbered


def _row_problem(row, header):
    if len(row) < len(header):
        return _("Expected %(expected)s fields, found %(found)s.") % {"expected": len(header), "found": len(row)}
    if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
        # Typically an unquoted decimal comma or a delimiter inside the description: guessing could move money.
        return _("Expected %(expected)s fields, found %(found)s (is a comma inside a value not quoted?).") % {
            "expected": len(header),
            "found": len(row),
        }
    if any(len(cell) > MAX_CELL_CHARS for cell in row):
        return _("A value is longer than %(limit)s characters.") % {"limit": MAX_CELL_CHARS}
    return None


def _line(number, row, columns) -> StatementLine:
    date = parse_date(row[columns["date"]])
    amount = parse_amount(row[columns["amount"]])
    currency = row[columns["currency"]].strip().upper()
    if not currency:
        raise CellError(_("The currency is missing."))
    if currency not in CURRENCIES:
        raise CellError(_("“%(value)s” is not a currency the ledger keeps.") % {"value": currency[:10]})
    exponent = CURRENCIES[currency].exponent
    if amount != amount.quantize(Decimal(1).scaleb(-exponent)):
        raise CellError(
            _("%(amount)s has more decimal places than %(currency)s allows.") % {"amount": amount, "currency": currency}
        )
    amount = amount.quantize(Decimal(1).scaleb(-exponent))
    description = row[columns["description"]]
    references = find_references(description)
    return StatementLine(number, date, amount, currency, references, is_general_gift(description, references))
