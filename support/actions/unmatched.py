"""Resolving a bank statement line that matched nothing (the review list, support/admin/unmatched.py).

Three ways out, each a named action with its audit entry, each only for a line still open (two staff resolving the
same line at once: the second is told it was already resolved, under the line's row lock):

* ``bank_statement.line_attached`` — the line is a contribution's money: it is settled exactly as the import settles
  a line quoting that reference (the waiting payment confirmed, or the next period of a standing order), so a
  wrong amount or a cancelled contribution is refused with the import's own reason and nothing changes.
* ``bank_statement.line_counted_anonymous`` — a gift from someone who quoted no usable reference: anonymous one-time
  income, recorded as a line quoting ``SUPPORT`` is.
* ``bank_statement.line_dismissed`` — not a gift (a refund from a supplier, a transfer between our accounts).

The audit entries carry the line's id and, for an attachment, the contribution's id: no reference, amount or name.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.actions import Actor, record
from core.errors import DomainError
from support.actions import bank_statements
from support.models import Contribution, Payment, UnmatchedTransfer
from support.statements import StatementLine, find_references


def _open_line(transfer_id) -> UnmatchedTransfer:
    transfer = UnmatchedTransfer.objects.select_for_update().filter(pk=transfer_id).first()
    if transfer is None:
        raise DomainError(_("There is no such statement line."))
    if transfer.status != UnmatchedTransfer.Status.OPEN:
        raise DomainError(_("This line was already resolved (%(status)s).") % {"status": transfer.get_status_display()})
    return transfer


def _resolve(transfer, status, actor: Actor, payment=None):
    transfer.status = status
    transfer.payment = payment
    transfer.resolved_at = timezone.now()
    transfer.resolved_by_id = int(actor.id) if actor.kind == "staff" and str(actor.id).isdigit() else None
    transfer.save(update_fields=["status", "payment", "resolved_at", "resolved_by"])


def _as_line(transfer, references=()) -> StatementLine:
    return StatementLine(0, transfer.received_on, transfer.amount, transfer.currency, tuple(references))


def attach_line(*, actor: Actor, transfer_id: int, reference: str) -> UnmatchedTransfer:
    """Settle the line as ``reference``'s money; refused (nothing changes) when the import would not settle it."""
    found = find_references(reference)
    if len(found) != 1:
        raise DomainError(_("Enter one contribution reference, like SZ-AB2C-DE3F."))
    with transaction.atomic():
        transfer = _open_line(transfer_id)
        contribution = Contribution.objects.filter(reference=found[0]).first()
        if contribution is None:
            raise DomainError(_("No contribution has the reference %(reference)s.") % {"reference": found[0]})
        line = _as_line(transfer, found)
        outcome, note = bank_statements.settle_line(actor, line, contribution.pk)
        if outcome not in ("confirmed", "renewed"):
            raise DomainError(note or _("This line cannot be attached to %(reference)s.") % {"reference": found[0]})
        payment = Payment.objects.filter(contribution=contribution, transaction_reference=line.key).first()
        _resolve(transfer, UnmatchedTransfer.Status.ATTACHED, actor, payment)
        record(
            actor=actor,
            action="bank_statement.line_attached",
            subject=transfer,
            contribution_id=contribution.pk,
            outcome=outcome,
        )
    return transfer


def count_line_as_anonymous(*, actor: Actor, transfer_id: int) -> UnmatchedTransfer:
    """Record the line as anonymous one-time income, linked to nobody."""
    with transaction.atomic():
        transfer = _open_line(transfer_id)
        if transfer.amount <= 0:
            raise DomainError(_("Only money coming in can be counted as a gift."))
        line = _as_line(transfer)
        outcome = bank_statements.record_anonymous_line(actor, line, key=f"review {transfer.key}")
        if outcome != "general_gift":
            raise DomainError(_("This line is already recorded as a gift."))
        payment = Payment.objects.get(provider_id=f"review {transfer.key}")
        _resolve(transfer, UnmatchedTransfer.Status.ANONYMOUS, actor, payment)
        record(actor=actor, action="bank_statement.line_counted_anonymous", subject=transfer)
    return transfer


def dismiss_line(*, actor: Actor, transfer_id: int) -> UnmatchedTransfer:
    """Not a gift: off the review list, counted nowhere."""
    with transaction.atomic():
        transfer = _open_line(transfer_id)
        _resolve(transfer, UnmatchedTransfer.Status.DISMISSED, actor)
        record(actor=actor, action="bank_statement.line_dismissed", subject=transfer)
    return transfer
