"""Staff confirming bank transfers and crypto payments by hand, from the admin.

These check what only staff confirmation needs — the payment is a bank transfer or crypto (card money is confirmed
by the card provider, never by hand), a crypto confirmation names its transaction — and then call the ledger's own
:func:`~support.actions.contributions.confirm_payment` or :func:`~support.actions.contributions.fail_payment`, which
lock the rows, move the states and write the one audit entry (with the staff member as actor).
"""

from django.db import transaction

from core.actions import Actor
from core.errors import DomainError
from support.actions.contributions import confirm_payment, fail_payment
from support.models import Payment

OFFLINE_METHODS = ("bank_transfer", "crypto")


def _offline_payment(payment_id) -> Payment:
    payment = Payment.objects.select_related("contribution").filter(pk=payment_id).first()
    if payment is None:
        raise DomainError(f"There is no payment #{payment_id}.")
    if payment.contribution.method not in OFFLINE_METHODS:
        raise DomainError("Card payments are confirmed by the card provider, never by hand.")
    return payment


@transaction.atomic
def confirm_offline_payment(*, actor: Actor, payment_id: int, transaction_reference: str = "") -> bool:
    """Staff saw the money arrive. Returns False if the payment was already confirmed (nothing changes)."""
    payment = _offline_payment(payment_id)
    reference = " ".join((transaction_reference or "").split())[:255]
    if payment.contribution.method == "crypto" and payment.status != Payment.Status.SUCCEEDED:
        if not reference:
            raise DomainError("Enter the transaction id: a crypto payment is confirmed by its transaction.")
        # One transaction pays one contribution: the same id twice is a copy-paste slip, or someone's second claim.
        other = (
            Payment.objects.filter(contribution__method="crypto", transaction_reference__iexact=reference)
            .exclude(pk=payment.pk)
            .select_related("contribution")
            .first()
        )
        if other is not None:
            raise DomainError(
                f"Transaction {reference[:80]} already confirmed the payment of {other.contribution.reference}."
            )
    return confirm_payment(actor=actor, payment_id=payment.pk, transaction_reference=reference)


@transaction.atomic
def fail_offline_payment(*, actor: Actor, payment_id: int, reason: str = "") -> bool:
    """Staff gave up waiting (or the transfer bounced). Returns False if it was already marked as failed."""
    payment = _offline_payment(payment_id)
    message = " ".join((reason or "").split()) or "no money arrived"
    return fail_payment(actor=actor, payment_id=payment.pk, message=message)
