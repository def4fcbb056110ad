"""Named actions of dunning. Each runs in the caller's transaction (or its own), locks the contribution first (the
ledger's lock order), and writes one audit entry without personal data. Mail goes out after commit."""

from django.db import transaction
from django.utils import timezone

from core.actions import Actor, after_commit, record
from core.errors import MissingRow
from core.money import Money
from support.dunning.signals import renewal_failed
from support.models import Contribution, Dunning
from support.models.tallies import locked_as_loaded
from support.states import C, move_locked_contribution, only_row


def _locked(contribution_id) -> Contribution:
    contribution = only_row(Contribution.objects.select_for_update().filter(pk=contribution_id))
    if contribution is None:
        raise MissingRow(f"There is no contribution #{contribution_id}.")
    locked_as_loaded(contribution)
    return contribution


@transaction.atomic
def mark_past_due(*, actor: Actor, contribution_id: int, invoice_id: str, amount: Money) -> bool:
    """A renewal of a running regular contribution failed (the provider's invoice ``invoice_id`` is unpaid): the
    contribution is past due, and a failed renewal is opened for that invoice, whose first mail goes out after commit.
    Idempotent by invoice: the same failure told twice (or the provider's failed retry of it) changes nothing."""
    contribution = _locked(contribution_id)
    if contribution.status not in (C.ACTIVE, C.PAST_DUE) or not contribution.is_recurring:
        return False
    if Dunning.objects.filter(invoice_id=invoice_id).exists():
        return False
    was = contribution.status
    move_locked_contribution(contribution, C.PAST_DUE)
    dunning = Dunning.objects.create(
        contribution=contribution,
        invoice_id=invoice_id[:255],
        amount=amount.amount,
        currency=amount.currency,
        failed_at=timezone.now(),
    )
    record(actor=actor, action="contribution.past_due", subject=contribution, was=was, dunning=dunning.pk)
    # the first mail is a task above the actions (support/dunning/tasks.py), which listens for this
    after_commit(renewal_failed.send, sender=Dunning, dunning_id=dunning.pk)
    return True


def end_open_dunnings(contribution: Contribution, outcome: str) -> int:
    """Close every open failed renewal of a contribution the caller has locked: no reminder goes out after this."""
    count = 0
    for dunning in Dunning.objects.filter(contribution=contribution, ended_at__isnull=True):
        dunning.ended_at = timezone.now()
        dunning.outcome = outcome
        dunning.save(update_fields=["ended_at", "outcome"])
        count += 1
    return count


def recovered_locked(*, actor: Actor, contribution: Contribution) -> bool:
    """A payment arrived for a past-due contribution the caller has locked: it runs again and its failed renewals
    are recovered. For ``record_renewal``, in its transaction."""
    if contribution.status != C.PAST_DUE:
        return False
    move_locked_contribution(contribution, C.ACTIVE)
    ended = end_open_dunnings(contribution, Dunning.Outcome.RECOVERED)
    record(actor=actor, action="contribution.recovered", subject=contribution, dunnings=ended)
    return True


def ended_locked(*, actor: Actor, contribution: Contribution, lapsed: bool) -> int:
    """A contribution the caller has locked stopped: its open failed renewals end (lapsed or cancelled)."""
    outcome = Dunning.Outcome.LAPSED if lapsed else Dunning.Outcome.CANCELLED
    ended = end_open_dunnings(contribution, outcome)
    if ended:
        record(actor=actor, action="dunning.ended", subject=contribution, outcome=outcome, dunnings=ended)
    return ended


@transaction.atomic
def card_updated(*, actor: Actor, contribution_id: int) -> list[str]:
    """The supporter set up a new card for a past-due contribution: its reminders stop. Returns the unpaid invoices
    of its open failed renewals, for the provider to charge to the new card."""
    contribution = _locked(contribution_id)
    if contribution.status != C.PAST_DUE:
        return []
    open_ones = list(Dunning.objects.filter(contribution=contribution, ended_at__isnull=True))
    for dunning in open_ones:
        if dunning.card_updated_at is None:
            dunning.card_updated_at = timezone.now()
            dunning.save(update_fields=["card_updated_at"])
    record(actor=actor, action="dunning.card_updated", subject=contribution, dunnings=len(open_ones))
    return [dunning.invoice_id for dunning in open_ones]


@transaction.atomic
def record_dunning_mail(*, actor: Actor, dunning_id: int, number: int) -> None:
    """Mail number ``number`` of a failed renewal went out (1: the first, then the reminders)."""
    dunning = Dunning.objects.select_for_update().get(pk=dunning_id)
    dunning.mails_sent = number
    dunning.last_mailed_at = timezone.now()
    dunning.save(update_fields=["mails_sent", "last_mailed_at"])
    record(actor=actor, action="dunning.mailed", subject=dunning, number=number)


@transaction.atomic
def set_do_not_contact(*, actor: Actor, supporter_id: int, quiet: bool) -> bool:
    """The supporter's choice on the manage page: no notices nor reminders (``quiet``), or them again."""
    from support.models import Supporter

    supporter = only_row(Supporter.objects.select_for_update().filter(pk=supporter_id))
    if supporter is None or supporter.do_not_contact == quiet:
        return False
    supporter.do_not_contact = quiet
    supporter.save(update_fields=["do_not_contact"])
    record(actor=actor, action="supporter.contact_choice", subject=supporter, do_not_contact=quiet)
    return True
