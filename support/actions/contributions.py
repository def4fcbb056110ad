"""Named actions on the ledger. Each is atomic, takes row locks through ``support.states``, and writes one audit entry
(never the supporter's address). Mail and tasks start after commit."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actions import Actor, record
from core.errors import DomainError
from core.money import Money
from support.models import Contribution, Payment, Refund, Supporter
from support.states import C, P, move_contribution, move_payment

# Readable on a phone and over the phone: no 0/O, 1/I/L.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference():
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"SZ-{body[:4]}-{body[4:]}"


def supporter_for(email, language):
    if not email:
        return None
    supporter, _ = Supporter.objects.get_or_create(email=email.strip().lower(), defaults={"language": language})
    return supporter


def start_contribution(
    *,
    actor: Actor,
    amount: Money,
    frequency: str,
    method: str,
    campaign=None,
    email="",
    language="en",
    covers_fees=False,
    arm="",
    article_id=None,
    referrer_host="",
) -> Contribution:
    """A reader's promise and its first payment attempt (pending). Moves no money."""
    if frequency not in ("once", "monthly", "annual"):
        raise DomainError("Unknown frequency.")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                contribution = Contribution.objects.create(
                    reference=new_reference(),
                    supporter=supporter_for(email, language),
                    campaign=campaign,
                    amount=amount.amount,
                    currency=amount.currency,
                    frequency=frequency,
                    method=method,
                    covers_fees=covers_fees,
                    language=language,
                    arm=arm,
                    article_id=article_id,
                    referrer_host=referrer_host[:255],
                )
                payment = Payment.objects.create(
                    contribution=contribution,
                    amount=amount.amount,
                    currency=amount.currency,
                    provider=method,
                    status=P.PENDING,
                )
                record(
                    actor=actor,
                    action="contribution.started",
                    subject=contribution,
                    amount=str(amount.amount),
                    currency=amount.currency,
                    frequency=frequency,
                    method=method,
                    payment=payment.pk,
                )
                return contribution
        except IntegrityError:  # the one-in-a-billion reference clash: draw again
            continue
    raise DomainError("Could not start the contribution; please try again.")


@transaction.atomic
def confirm_payment(*, actor: Actor, payment_id: int, provider_id=None, transaction_reference="") -> bool:
    """Money arrived. Idempotent: confirming a confirmed payment changes nothing and returns False."""
    fields = {}
    if provider_id:
        fields["provider_id"] = provider_id
    if transaction_reference:
        fields["transaction_reference"] = transaction_reference[:255]
    payment, changed = move_payment(payment_id, P.SUCCEEDED, **fields)
    if not changed:
        return False
    contribution = payment.contribution
    target = C.ACTIVE if contribution.is_recurring else C.COMPLETED
    if contribution.status in (C.PENDING, C.FAILED):
        move_contribution(contribution.pk, target)
    record(actor=actor, action="payment.confirmed", subject=payment, contribution=contribution.pk)
    return True


@transaction.atomic
def fail_payment(*, actor: Actor, payment_id: int, message="") -> bool:
    payment, changed = move_payment(payment_id, P.FAILED, failure_message=message[:300])
    if not changed:
        return False
    contribution = payment.contribution
    if contribution.status == C.PENDING:
        move_contribution(contribution.pk, C.FAILED)
    record(actor=actor, action="payment.failed", subject=payment, contribution=contribution.pk)
    return True


@transaction.atomic
def record_renewal(*, actor: Actor, contribution_id: int, amount: Money, provider_id: str) -> Payment | None:
    """A recurring contribution's new period was paid: one more succeeded payment. Idempotent by ``provider_id``."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution_id)
    existing = Payment.objects.filter(provider_id=provider_id).first()
    if existing is not None:
        return None
    if contribution.status not in (C.ACTIVE, C.PENDING, C.FAILED):
        raise DomainError(f"Contribution {contribution.reference} is {contribution.status}: no renewal is expected.")
    payment = Payment.objects.create(
        contribution=contribution,
        amount=amount.amount,
        currency=amount.currency,
        provider=contribution.method,
        provider_id=provider_id,
        status=P.SUCCEEDED,
        succeeded_at=timezone.now(),
    )
    if contribution.status != C.ACTIVE:
        move_contribution(contribution.pk, C.ACTIVE)
    record(actor=actor, action="payment.renewed", subject=payment, contribution=contribution.pk)
    return payment


@transaction.atomic
def cancel_contribution(*, actor: Actor, contribution_id: int, reason="") -> bool:
    contribution, changed = move_contribution(contribution_id, C.CANCELLED)
    if changed:
        Payment.objects.filter(contribution=contribution, status__in=[P.CREATED, P.PENDING]).update(
            status=P.FAILED, failure_message="cancelled"
        )
        record(actor=actor, action="contribution.cancelled", subject=contribution, reason=reason[:200])
    return changed


@transaction.atomic
def refund_payment(*, actor: Actor, payment_id: int, provider_id=None, reason="") -> Refund | None:
    payment, changed = move_payment(payment_id, P.REFUNDED)
    if not changed:
        return None
    refund = Refund.objects.create(
        payment=payment, amount=payment.amount, currency=payment.currency, provider_id=provider_id, reason=reason[:200]
    )
    contribution = payment.contribution
    if not contribution.payments.filter(status=P.SUCCEEDED).exists() and contribution.status in (
        C.ACTIVE,
        C.COMPLETED,
        C.CANCELLED,
    ):
        move_contribution(contribution.pk, C.REFUNDED)
    record(actor=actor, action="payment.refunded", subject=payment, refund=refund.pk)
    return refund


@transaction.atomic
def erase_supporter(*, actor: Actor, supporter_id: int) -> bool:
    """Delete the supporter (their address); their contributions stay as anonymous rows for accounting."""
    supporter = Supporter.objects.select_for_update().filter(pk=supporter_id).first()
    if supporter is None:
        return False
    count = supporter.contributions.update(supporter=None)
    supporter.delete()
    record(actor=actor, action="supporter.erased", contributions=count)
    return True
