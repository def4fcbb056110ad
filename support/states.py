"""The allowed moves of contributions and payments, in one place.

A transition takes the row lock, treats "already there" as done (a webhook delivered twice changes nothing), and
refuses an illegal move with :class:`core.errors.IllegalTransition`. An action that has locked a contribution already
(to keep the lock order: the contribution, then its payment) moves it with :func:`move_locked_contribution`.
"""

from django.db import transaction
from django.utils import timezone

from core.errors import IllegalTransition, MissingRow
from support.models import Contribution, EndReason, Payment
from support.models.tallies import locked_as_loaded

P = Payment.Status
C = Contribution.Status

PAYMENT_MOVES = {
    P.CREATED: {P.PENDING, P.SUCCEEDED, P.FAILED},
    P.PENDING: {P.SUCCEEDED, P.FAILED},
    P.FAILED: {P.SUCCEEDED},  # a late confirmation (a transfer that did arrive) still counts
    P.SUCCEEDED: {P.REFUNDED},
    P.REFUNDED: set(),
}
CONTRIBUTION_MOVES = {
    C.PENDING: {C.ACTIVE, C.COMPLETED, C.FAILED, C.CANCELLED},
    C.FAILED: {C.ACTIVE, C.COMPLETED, C.CANCELLED},
    C.ACTIVE: {C.PAST_DUE, C.CANCELLED, C.REFUNDED},
    C.PAST_DUE: {C.ACTIVE, C.CANCELLED, C.REFUNDED},  # paid on a retry or with a new card; or it lapses
    C.COMPLETED: {C.REFUNDED},
    C.CANCELLED: {C.REFUNDED},  # a cancelled subscription's earlier payments can still be given back
    C.REFUNDED: set(),
}


def only_row(queryset):
    """The row a query for one row finds, or None. Unlike ``.first()`` it adds no ORDER BY (there is one row at most),
    which a hot path like a webhook's notices: compiling the ordering costs about a third of such a query."""
    rows = list(queryset.order_by()[:1])
    return rows[0] if rows else None


def _move(model, moves, pk, to, contribution=None, **fields):
    """Lock the row, move it to ``to`` (or do nothing if it is there), and return (row, changed)."""
    row = only_row(model.objects.select_for_update().filter(pk=pk))
    if row is None:  # a stale link or a made-up id: a clear message, not a 500
        raise MissingRow(f"There is no {model._meta.verbose_name} #{pk}.")
    locked_as_loaded(row, contribution)
    return _move_row(row, moves, to, fields)


def _move_row(row, moves, to, fields):
    if row.status == to:
        return row, False
    if to not in moves[row.status]:
        raise IllegalTransition(f"A {row._meta.verbose_name} cannot go from {row.status} to {to}.")
    if isinstance(row, Contribution):
        fields = _history_fields(row, to, fields)
    row.status = to
    for name, value in fields.items():
        setattr(row, name, value)
    row.save(update_fields=["status", *fields, *(["updated_at"] if isinstance(row, Contribution) else [])])
    return row, True


def move_payment(payment_id, to, contribution=None, **fields):
    """``contribution``: the payment's contribution, if the caller has locked it already (the lock order)."""
    if to == P.SUCCEEDED:
        fields.setdefault("succeeded_at", timezone.now())
    return _move(Payment, PAYMENT_MOVES, payment_id, to, contribution, **fields)


def _history_fields(contribution, to, fields):
    """What the history keeps of a move: when the first payment made the contribution run (``started_at``), and when
    and why it stopped (``ended_at``, ``end_reason``), each written once: a cancelled contribution whose payments are
    refunded later keeps the day and reason it stopped."""
    fields = dict(fields)
    if to in (C.ACTIVE, C.COMPLETED) and contribution.started_at is None:
        fields.setdefault("started_at", timezone.now())
    if to in (C.CANCELLED, C.REFUNDED):
        if contribution.ended_at is None:
            fields.setdefault("ended_at", timezone.now())
        else:
            fields.pop("ended_at", None)
        if not contribution.end_reason:
            fields.setdefault("end_reason", EndReason.REFUNDED if to == C.REFUNDED else EndReason.CANCELLED)
        else:
            fields.pop("end_reason", None)
    return fields


def move_contribution(contribution_id, to, **fields):
    return _move(Contribution, CONTRIBUTION_MOVES, contribution_id, to, **fields)


def move_locked_contribution(contribution: Contribution, to, **fields):
    """:func:`move_contribution` for a row the caller has already locked (``select_for_update``) in the transaction
    under way: the same checks and the same write, without reading the row a second time."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move_locked_contribution needs the transaction that locked the contribution.")
    return _move_row(contribution, CONTRIBUTION_MOVES, to, fields)
