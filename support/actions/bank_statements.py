"""Importing a bank statement: every incoming line that quotes a contribution's reference and pays exactly what was
promised confirms that bank transfer — once, however often the statement is imported.

Decisions, in one place:

* **Exact amounts only.** A line confirms a payment when its amount and currency equal the payment's. More or less
  (fees taken on the way, a typo, another currency) is reported as "amount differs" and left for staff, who can
  confirm by hand on the contribution's page.
* **Re-importing changes nothing.** A payment recorded from a line keeps the line's key (date, amount, currency,
  reference, and which of the statement's identical lines it is — :attr:`support.statements.StatementLine.key`) as
  its transaction reference; a line whose key is already recorded is "already recorded". Two identical lines in one
  statement are two transfers (the second of a one-time gift "needs a look"; two anonymous gifts count twice).
* **Standing orders.** A line for an active monthly or annual bank-transfer contribution with no payment waiting is
  the next period's money: it is recorded with ``record_renewal`` (the line's key as provider id, unique).
* **A late transfer still counts.** A pending or failed contribution's failed payment is confirmed (failed →
  succeeded is an allowed move); a cancelled or refunded contribution's money is left for staff ("needs a look").
* **One action, one summary.** The import runs in one transaction and writes one audit entry with counts only (no
  reference, amount or name). Each payment it confirms also gets the ledger's own "payment.confirmed" or
  "payment.renewed" entry, so a payment's history reads the same however it was confirmed.
* **Anonymous gifts.** A line quoting the general reference (``SUPPORT``, what ``/support/`` tells a reader without
  a contribution of their own to write) becomes a one-time bank-transfer contribution with no supporter and its
  succeeded payment, through ``start_contribution`` and ``confirm_payment``: counted in the gap and the dashboard,
  linked to nobody. Its payment's provider id is the line's key, so it is recorded once however often it is imported.
* **What matches nothing is kept.** A line with an unknown reference, no reference, an amount that differs or that
  needs a look is kept once (by its key) on the review list (``UnmatchedTransfer``, support/actions/unmatched.py),
  where staff attach it to a contribution, count it as an anonymous gift or dismiss it.
* **Dry run.** ``dry_run=True`` runs the very same import and rolls it back: the preview is exactly what importing
  would do, and nothing is written, audited or sent.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.actions import Actor, record
from core.errors import DomainError
from core.money import Money
from support.actions.contributions import confirm_payment, record_renewal, start_contribution
from support.models import Contribution, Payment, UnmatchedTransfer
from support.statements import GENERAL_REFERENCE, StatementLine

OUTCOMES = (
    ("confirmed", _("Confirmed")),
    ("renewed", _("Recorded as the next period of a standing order")),
    ("already_recorded", _("Already recorded by an earlier import")),
    ("amount_differs", _("Amount differs — not confirmed")),
    ("needs_attention", _("Needs a look — not confirmed")),
    ("general_gift", _("Anonymous gift quoting SUPPORT — recorded as anonymous one-time income")),
    ("unknown_reference", _("Unknown reference")),
    ("no_reference", _("No reference")),
    ("outgoing", _("Outgoing or zero — ignored")),
    ("malformed", _("Unreadable lines")),
)
RECORDING_OUTCOMES = ("confirmed", "renewed", "general_gift")
# Lines staff must decide on: each is kept as an UnmatchedTransfer (once, by its key) for the review list.
REVIEW_OUTCOMES = ("amount_differs", "needs_attention", "unknown_reference", "no_reference")
_LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class LineOutcome:
    line: int
    reference: str = ""
    amount: str = ""  # "25.00 EUR"
    note: str = ""


@dataclass
class ImportReport:
    dry_run: bool
    outcomes: dict = field(default_factory=lambda: {key: [] for key, _label in OUTCOMES})

    def counts(self) -> dict:
        return {key: len(items) for key, items in self.outcomes.items()}

    @property
    def lines(self) -> int:
        return sum(self.counts().values())

    @property
    def recorded(self) -> int:
        return sum(len(self.outcomes[key]) for key in RECORDING_OUTCOMES)


def import_bank_statement(
    *, actor: Actor, rows: list[StatementLine], malformed=(), dry_run: bool = False
) -> ImportReport:
    """Match ``rows`` (see :func:`support.statements.read_statement`) to bank transfers and confirm what matches.

    ``malformed`` are the (line number, reason) pairs the reader could not parse; they are reported and counted.
    """
    report = ImportReport(dry_run=dry_run)
    for number, why in malformed:
        report.outcomes["malformed"].append(LineOutcome(number, note=why))
    with transaction.atomic():
        known = _contributions_by_reference({reference for row in rows for reference in row.references})
        resolved = _resolved_on_review({row.key for row in rows})
        for row in sorted(rows, key=lambda row: row.line):
            if row.key in resolved:  # staff settled it from the review list: the same line again changes nothing
                outcome, result = "already_recorded", LineOutcome(row.line, note=_("Resolved on the review list."))
            else:
                outcome, result = _import_line(actor, row, known)
            report.outcomes[outcome].append(result)
            if outcome in REVIEW_OUTCOMES:
                _keep_for_review(row, outcome, result.note)
        if dry_run:
            transaction.set_rollback(True)  # the preview did everything; now it never happened
        else:
            record(actor=actor, action="bank_statement.imported", lines=report.lines, **report.counts())
    report.outcomes["malformed"].sort(key=lambda item: item.line)
    return report


def _contributions_by_reference(references):
    references = sorted(references)
    known = {}
    for start in range(0, len(references), _LOOKUP_CHUNK):
        chunk = references[start : start + _LOOKUP_CHUNK]
        known.update(Contribution.objects.filter(reference__in=chunk).values_list("reference", "pk"))
    return known


def _resolved_on_review(keys):
    keys = sorted(keys)
    resolved = set()
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start : start + _LOOKUP_CHUNK]
        lines = UnmatchedTransfer.objects.filter(key__in=chunk).exclude(status=UnmatchedTransfer.Status.OPEN)
        resolved.update(lines.values_list("key", flat=True))
    return resolved


def _import_line(actor, row: StatementLine, known):
    amount = f"{row.amount} {row.currency}"
    if not row.is_incoming:
        return "outgoing", LineOutcome(row.line, amount=amount)
    if row.general_gift:
        return _record_anonymous_gift(actor, row), LineOutcome(row.line, GENERAL_REFERENCE, amount)
    if not row.references:
        return "no_reference", LineOutcome(row.line, amount=amount)
    reference = row.references[0]
    if len(row.references) > 1:
        note = _("Several references (%(references)s): one transfer for several contributions?") % {
            "references": ", ".join(row.references[:5])
        }
        return "needs_attention", LineOutcome(row.line, reference, amount, note)
    contribution_id = known.get(reference)
    if contribution_id is None:
        return "unknown_reference", LineOutcome(row.line, reference, amount)
    try:
        with transaction.atomic():  # a savepoint: one line's surprise must not undo the others
            outcome, note = settle_line(actor, row, contribution_id)
    except DomainError as error:
        outcome, note = "needs_attention", error.message
    return outcome, LineOutcome(row.line, reference, amount, str(note))


def settle_line(actor, row: StatementLine, contribution_id):
    """Under the contribution's row lock: what this line is, and record it if it is money we expected."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution_id)
    if contribution.payments.filter(transaction_reference=row.key).exists():
        return "already_recorded", ""
    if contribution.method != "bank_transfer":
        return "needs_attention", _("Not a bank transfer (%(method)s).") % {"method": contribution.method}
    received = (row.amount, row.currency)
    payment = contribution.payments.filter(status__in=[Payment.Status.CREATED, Payment.Status.PENDING]).order_by(
        "created_at", "pk"
    )[:1]
    payment = payment[0] if payment else None
    if payment is None and contribution.status in (Contribution.Status.PENDING, Contribution.Status.FAILED):
        payment = contribution.payments.filter(status=Payment.Status.FAILED).order_by("-created_at", "-pk").first()
    if payment is not None:
        if received != (payment.amount, payment.currency):
            return "amount_differs", _expected(payment.amount, payment.currency)
        confirm_payment(actor=actor, payment_id=payment.pk, transaction_reference=row.key)
        return "confirmed", ""
    if contribution.status == Contribution.Status.ACTIVE and contribution.is_recurring:
        if received != (contribution.amount, contribution.currency):
            return "amount_differs", _expected(contribution.amount, contribution.currency)
        record_renewal(
            actor=actor,
            contribution_id=contribution.pk,
            amount=Money(row.amount, row.currency),
            provider_id=row.key,
            transaction_reference=row.key,
        )
        return "renewed", ""
    notes = {
        Contribution.Status.COMPLETED: _("Already paid: a second transfer for a one-time gift?"),
        Contribution.Status.CANCELLED: _("The contribution was cancelled."),
        Contribution.Status.REFUNDED: _("The contribution was refunded."),
    }
    return "needs_attention", notes.get(contribution.status, _("No payment is waiting for this transfer."))


def anonymous_gift_key(row: StatementLine) -> str:
    """The provider id of the payment an anonymous statement line becomes (unique: the line is recorded once)."""
    return f"bank statement {row.date.isoformat()} {row.amount} {row.currency} {GENERAL_REFERENCE}{row.suffix}"


def _record_anonymous_gift(actor, row: StatementLine) -> str:
    return record_anonymous_line(actor, row, key=anonymous_gift_key(row))


def record_anonymous_line(actor, row: StatementLine, *, key: str) -> str:
    """A transfer quoting the general reference: a one-time bank-transfer gift with no supporter and no campaign,
    started and confirmed through the ledger's own actions, so it counts in the gap and the dashboard like any other
    gift and is never linked to a person. The line's key is its payment's provider id (unique), so importing the
    statement again — even two imports at once — records it once."""
    if Payment.objects.filter(provider_id=key).exists():
        return "already_recorded"
    try:
        with transaction.atomic():  # a savepoint: a concurrent import that got there first undoes only this
            contribution = start_contribution(
                actor=actor, amount=Money(row.amount, row.currency), frequency="once", method="bank_transfer"
            )
            confirm_payment(
                actor=actor, payment_id=contribution.payments.get().pk, provider_id=key, transaction_reference=key
            )
    except (DomainError, IntegrityError):
        return "already_recorded"
    return "general_gift"


def _keep_for_review(row: StatementLine, outcome, note):
    """The line on the review list, once: a line imported again (or already resolved) is left as it is."""
    UnmatchedTransfer.objects.get_or_create(
        key=row.key,
        defaults={
            "received_on": row.date,
            "amount": row.amount,
            "currency": row.currency,
            "references": ", ".join(row.references)[:200],
            "reason": outcome,
            "note": str(note)[:300],
        },
    )


def _expected(amount, currency):
    return _("Expected %(amount)s %(currency)s.") % {"amount": amount, "currency": currency}
