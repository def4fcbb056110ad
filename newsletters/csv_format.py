"""The one CSV format of ``export_subscribers`` and ``import_subscribers``, so that a list leaves and comes back whole:
``email,language,lists,created_at,confirmed_at,token`` (lists separated by spaces; times ISO 8601; the token keeps
the unsubscribe links in mails already sent working after a move)."""

import csv
import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from core.email_address import canonical_email
from newsletters.models import NewsletterList, Subscriber

COLUMNS = ["email", "language", "lists", "created_at", "confirmed_at", "token"]


class BadRow(ValueError):
    pass


@dataclass(frozen=True)
class Row:
    email: str
    language: str
    lists: tuple
    created_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    token: str


def write(handle) -> int:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for subscriber in Subscriber.objects.prefetch_related("memberships").order_by("pk").iterator(chunk_size=1000):
        lists = " ".join(sorted(m.list for m in subscriber.memberships.all()))
        writer.writerow(
            [
                subscriber.email,
                subscriber.language,
                lists,
                subscriber.created_at.isoformat(),
                subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                subscriber.token,
            ]
        )
        count += 1
    return count


def _moment(text: str, line: int) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(f"line {line}: {text!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def read(handle) -> list[Row]:
    """Every row, checked; ``BadRow`` names the first bad line (nothing is imported then)."""
    reader = csv.DictReader(handle)
    if reader.fieldnames is None or not {"email", "lists"} <= set(reader.fieldnames):
        raise BadRow("the first line must name the columns, at least email and lists")
    rows, seen = [], set()
    for line, record in enumerate(reader, start=2):
        try:
            email = canonical_email(record.get("email") or "")
        except Exception:  # any refusal of the address rule is a bad row
            email = ""
        if not email or "@" not in email:
            raise BadRow(f"line {line}: not an email address")
        if email in seen:
            raise BadRow(f"line {line}: the address is on an earlier line too")
        seen.add(email)
        lists = tuple(sorted(set((record.get("lists") or "").split())))
        if not lists or not set(lists) <= set(NewsletterList.values):
            raise BadRow(f"line {line}: lists must be some of {', '.join(NewsletterList.values)}")
        language = record.get("language") or settings.LANGUAGE_CODE
        if language not in dict(settings.LANGUAGES):
            raise BadRow(f"line {line}: unknown language {language!r}")
        token = (record.get("token") or "").strip()
        if len(token) > 43:
            raise BadRow(f"line {line}: the token is too long")
        rows.append(
            Row(
                email=email,
                language=language,
                lists=lists,
                created_at=_moment(record.get("created_at") or "", line),
                confirmed_at=_moment(record.get("confirmed_at") or "", line),
                token=token,
            )
        )
    return rows
