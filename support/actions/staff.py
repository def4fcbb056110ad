"""What the Revenue team does for one contribution from the admin (``support.admin.contributions``): cancel it,
refund a card payment, resend a receipt or the manage link. Each is a named action with its own audit entry, taken
with ``Actor.staff(user)``; each raises ``DomainError`` with a message for staff when it cannot be done, having
changed nothing.

Money moves at the provider first and the ledger follows what the provider answers, through the ledger's own
actions (``cancel_contribution``, ``refund_payment``) — never a status written here. A card subscription is ended
at Stripe before the ledger says "cancelled"; a card payment is refunded at Stripe and the refund's id recorded.
Bank transfers and crypto are given back by hand outside Samizdat, so they have no refund here."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.actions import Actor, after_commit, record
from core.errors import DomainError
from support.actions.contributions import cancel_contribution, refund_payment
from support.models import Contribution, Payment
from support.providers.registry import get_provider
from support.states import C, P
from support.tasks import send_manage_link, send_receipt

CANCELLABLE = (C.PENDING, C.ACTIVE, C.PAST_DUE)


def _contribution(contribution_id) -> Contribution:
    contribution = Contribution.objects.filter(pk=contribution_id).first()
    if contribution is None:
        raise DomainError(_("There is no such contribution."))
    return contribution


def _card_hook(name):
    hook = getattr(get_provider("card"), name, None)
    if hook is None:
        raise DomainError(_("Card payments are not configured here, so the card provider cannot be asked."))
    return hook


def cancel_by_staff(*, actor: Actor, contribution_id: int) -> bool:
    """Stop a contribution: a running card subscription ends at Stripe first (nothing is charged again), then the
    ledger says "cancelled". Returns False if it was cancelled already."""
    contribution = _contribution(contribution_id)
    if contribution.status == C.CANCELLED:
        return False
    if contribution.status not in CANCELLABLE:
        raise DomainError(
            _("Only a pending or running contribution can be cancelled; this one is %(status)s.")
            % {"status": contribution.get_status_display()}
        )
    if contribution.method == "card" and contribution.provider_subscription_id:
        _card_hook("cancel_recurring")(contribution)  # idempotent at Stripe; DomainError if it cannot
    return cancel_contribution(actor=actor, contribution_id=contribution.pk, reason="by staff")


def refund_card_payment(*, actor: Actor, payment_id: int) -> bool:
    """Give a card payment back in full: refunded at Stripe, then recorded with the refund's id by ``refund_payment``
    (which moves the payment, and the contribution once nothing paid is left). Raises ``DomainError`` for a payment
    refunded already, one not paid, or one not by card."""
    payment = Payment.objects.select_related("contribution").filter(pk=payment_id).first()
    if payment is None:
        raise DomainError(_("There is no such payment."))
    if payment.status == P.REFUNDED:
        raise DomainError(_("This payment has been refunded already."))
    if payment.status != P.SUCCEEDED:
        raise DomainError(_("Only a payment that went through can be refunded."))
    if payment.contribution.method != "card":
        raise DomainError(_("Bank transfers and crypto are given back by hand; there is nothing to refund here."))
    refund_id = _card_hook("refund")(payment)
    refund = refund_payment(actor=actor, payment_id=payment.pk, provider_id=refund_id, reason="by staff")
    return refund is not None


@transaction.atomic
def resend_receipt(*, actor: Actor, payment_id: int) -> bool:
    """Mail a payment's receipt again to its supporter (after commit). Raises ``DomainError`` when there is no receipt
    to send: a payment not paid, or a contribution whose supporter gave no address or erased it."""
    payment = Payment.objects.select_related("contribution").filter(pk=payment_id).first()
    if payment is None:
        raise DomainError(_("There is no such payment."))
    if payment.status != P.SUCCEEDED:
        raise DomainError(_("Only a payment that went through has a receipt."))
    if payment.contribution.supporter_id is None:
        raise DomainError(_("This contribution has no email address on file, so there is nobody to send it to."))
    record(actor=actor, action="payment.receipt_resent", subject=payment)
    after_commit(send_receipt.enqueue, payment.pk)
    return True


@transaction.atomic
def resend_manage_link(*, actor: Actor, contribution_id: int) -> bool:
    """Mail the contribution's supporter a fresh link to manage their support (after commit)."""
    contribution = _contribution(contribution_id)
    if contribution.supporter_id is None:
        raise DomainError(_("This contribution has no email address on file, so there is nobody to send it to."))
    record(actor=actor, action="supporter.manage_link_resent", subject=contribution)
    after_commit(send_manage_link.enqueue, contribution.supporter_id)
    return True
