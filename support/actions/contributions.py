"""Named actions on the ledger. Each is atomic, takes row locks through ``support.states``, and writes one audit entry
(never the supporter's address). Mail and tasks start after commit.

Locks are always taken in the same order — the contribution, then its payment — so that two actions on the same
contribution (say a staff confirmation and a cancellation) queue behind each other instead of deadlocking.

Whatever changes income (a confirmation, a renewal, a cancellation, a refund) forgets the cached
``/support/goal.json`` once it commits, so readers' scripts see the new gap on their next request. Cached article
pages keep the gap they were rendered with until they expire (``PAGE_CACHE_SECONDS``) or the next publish.
"""

import secrets
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core import page_cache
from core.actions import Actor, after_commit, record
from core.email_address import canonical_email
from core.errors import DomainError, MissingRow
from core.models import AuditEntry
from core.money import Money
from support.dunning.actions import ended_locked, recovered_locked
from support.models import Contribution, EndReason, Payment, Refund, Reminder, Supporter
from support.models.ledger import FREQUENCIES, METHODS
from support.models.tallies import locked_as_loaded
from support.reminders import email_digest
from support.states import C, P, move_contribution, move_locked_contribution, move_payment, only_row
from support.tasks import send_receipt

# Readable on a phone and over the phone: no 0/O, 1/I/L.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference():
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"SZ-{body[:4]}-{body[4:]}"


def figures_changed():
    """Income moved: forget the cached live figures once the transaction commits (at once outside one)."""
    after_commit(page_cache.forget_path, reverse("support:goal"))


_receipts_held = ContextVar("receipts_held", default=False)


@contextmanager
def without_receipts():
    """Record money without mailing anyone: within this block ``receipt_due`` enqueues no receipt. For a history
    written after the fact (the demo's two years of supporters, ``support.demo_history``), whose supporters were
    thanked long ago. Everything else the actions do — audit entries, states, the figures — is unchanged. A context
    variable, so it holds for the code running in this block only (not for other threads or requests)."""
    token = _receipts_held.set(True)
    try:
        yield
    finally:
        _receipts_held.reset(token)


def receipt_due(contribution, payment):
    """Money arrived: mail its receipt once the transaction commits, if the supporter left an address (and receipts
    are not held back by :func:`without_receipts`). The task takes the payment's id only (the task table keeps a
    task's arguments); a failed mail never undoes the payment."""
    if contribution.supporter_id is not None and not _receipts_held.get():
        after_commit(send_receipt.enqueue, payment.pk)


def _lock_contribution_of(payment_id, provider="") -> Contribution:
    """Lock the contribution a payment belongs to (before the payment: see the module's note on lock order). One
    query: the contribution is found through the payment and only its own row is locked (``of=("self",)``). With
    ``provider``, a payment of another provider counts as none."""
    match = {"payments__pk": payment_id, **({"payments__provider": provider} if provider else {})}
    contribution = only_row(Contribution.objects.select_for_update(of=("self",)).filter(**match))
    if contribution is None:
        raise MissingRow(f"There is no {provider + ' ' if provider else ''}payment #{payment_id}.")
    locked_as_loaded(contribution)
    return contribution


def supporter_for(email, language):
    if not email:
        return None
    supporter, _ = Supporter.objects.get_or_create(email=canonical_email(email), defaults={"language": language})
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
    if frequency not in dict(FREQUENCIES):
        raise DomainError("Unknown frequency.")
    if method not in dict(METHODS):
        raise DomainError("Unknown payment method.")
    if amount.amount <= 0:
        raise DomainError("The amount must be above zero.")
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
def confirm_payment(*, actor: Actor, payment_id: int, provider_id=None, transaction_reference="", provider="") -> bool:
    """Money arrived. Idempotent: confirming a confirmed payment changes nothing and returns False (whatever provider
    id it was paid with: it keeps the first). With ``provider``, only a payment of that provider is confirmed; any
    other is :class:`~core.errors.MissingRow`, as one that does not exist.

    A failed payment may still be confirmed (a transfer that arrived late); its contribution then becomes active
    (recurring) or completed (once) if it was pending or failed, and stays as it is otherwise (a cancelled
    contribution stays cancelled: the money is recorded, and staff decide whether to give it back).
    """
    contribution = _lock_contribution_of(payment_id, provider)
    fields = {}
    if provider_id:
        fields["provider_id"] = provider_id
    if transaction_reference:
        fields["transaction_reference"] = transaction_reference[:255]
    try:
        payment, changed = move_payment(payment_id, P.SUCCEEDED, contribution, **fields)
    except IntegrityError:
        # No savepoint is needed: this action's transaction (or its savepoint, when nested) is rolled back as the
        # error leaves it, and nothing more is asked of the database before that.
        raise DomainError(f"The provider id “{provider_id}” already belongs to another payment.") from None
    if not changed:
        return False
    if contribution.status in (C.PENDING, C.FAILED):
        move_locked_contribution(contribution, C.ACTIVE if contribution.is_recurring else C.COMPLETED)
    record(actor=actor, action="payment.confirmed", subject=payment, contribution=contribution.pk)
    figures_changed()
    receipt_due(contribution, payment)
    return True


@transaction.atomic
def fail_payment(*, actor: Actor, payment_id: int, message="") -> bool:
    contribution = _lock_contribution_of(payment_id)
    payment, changed = move_payment(payment_id, P.FAILED, contribution, failure_message=message[:300])
    if not changed:
        return False
    if contribution.status == C.PENDING:
        move_locked_contribution(contribution, C.FAILED)
    record(actor=actor, action="payment.failed", subject=payment, contribution=contribution.pk)
    return True


@transaction.atomic
def record_renewal(
    *, actor: Actor, contribution_id: int, amount: Money, provider_id: str, transaction_reference=""
) -> Payment | None:
    """A recurring contribution's new period was paid: one more succeeded payment. Idempotent by ``provider_id``
    (required: it is what makes a repeated webhook or a re-imported statement line add nothing)."""
    if not provider_id:
        raise DomainError("A renewal needs the provider's id of the payment.")
    contribution = only_row(Contribution.objects.select_for_update().filter(pk=contribution_id))
    if contribution is None:
        raise DomainError(f"There is no contribution #{contribution_id}.")
    existing = Payment.objects.filter(provider_id=provider_id).first()
    if existing is not None:
        return None
    if not contribution.is_recurring:
        raise DomainError(f"Contribution {contribution.reference} is a one-time gift: it has no renewals.")
    if contribution.status not in (C.ACTIVE, C.PAST_DUE, C.PENDING, C.FAILED):
        raise DomainError(f"Contribution {contribution.reference} is {contribution.status}: no renewal is expected.")
    payment = Payment.objects.create(
        contribution=contribution,
        amount=amount.amount,
        currency=amount.currency,
        provider=contribution.method,
        provider_id=provider_id,
        transaction_reference=transaction_reference[:255],
        status=P.SUCCEEDED,
        succeeded_at=timezone.now(),
    )
    if contribution.status == C.PAST_DUE:  # paid on the provider's retry, or with a new card: the reminders stop
        recovered_locked(actor=actor, contribution=contribution)
    elif contribution.status != C.ACTIVE:
        move_locked_contribution(contribution, C.ACTIVE)
    record(actor=actor, action="payment.renewed", subject=payment, contribution=contribution.pk)
    figures_changed()
    receipt_due(contribution, payment)
    return payment


@transaction.atomic
def cancel_contribution(*, actor: Actor, contribution_id: int, reason="", lapsed=False) -> bool:
    """Stop a contribution. ``lapsed``: not the supporter's choice nor staff's, but renewals that failed until the
    provider gave up (the history counts it apart from cancellations)."""
    end_reason = EndReason.LAPSED if lapsed else EndReason.CANCELLED
    contribution, changed = move_contribution(contribution_id, C.CANCELLED, end_reason=end_reason)
    if changed:
        Payment.objects.filter(contribution=contribution, status__in=[P.CREATED, P.PENDING]).update(
            status=P.FAILED, failure_message="cancelled"
        )
        record(actor=actor, action="contribution.cancelled", subject=contribution, reason=reason[:200], lapsed=lapsed)
        ended_locked(actor=actor, contribution=contribution, lapsed=lapsed)
        figures_changed()
    return changed


@transaction.atomic
def expire_contribution(*, actor: Actor, contribution_id: int) -> bool:
    """End a card attempt nobody carried on with (still pending, or declined and left since). It never started, so it
    stops as cancelled with the reason "expired" and ``started_at`` stays empty: the revenue history, which counts
    contributions from the day they started, never sees it. Its open payments fail ("expired"). Its email address
    goes with it: the attempt is detached from its supporter, and the supporter (the address) is deleted if no other
    contribution is theirs — a reminder the reader asked for is a row of its own and stays.

    What the attempt left at the card provider is taken away before (``StripeCard.clear_abandoned``). Returns False,
    changing nothing, for a contribution that is not waiting for its first payment or that a payment reached."""
    contribution = only_row(Contribution.objects.select_for_update().filter(pk=contribution_id))
    if contribution is None:
        raise MissingRow(f"There is no contribution #{contribution_id}.")
    paid = contribution.payments.filter(status__in=[P.SUCCEEDED, P.REFUNDED]).exists()
    if contribution.status not in (C.PENDING, C.FAILED) or paid:
        return False
    was, supporter_id = contribution.status, contribution.supporter_id
    move_locked_contribution(contribution, C.CANCELLED, end_reason=EndReason.EXPIRED, supporter=None)
    failed = Payment.objects.filter(contribution=contribution, status__in=[P.CREATED, P.PENDING]).update(
        status=P.FAILED, failure_message="expired"
    )
    dropped = 0
    if supporter_id is not None:
        dropped, _by_model = Supporter.objects.filter(pk=supporter_id, contributions__isnull=True).delete()
    record(
        actor=actor,
        action="contribution.expired",
        subject=contribution,
        was=was,
        payments_failed=failed,
        supporter_deleted=dropped > 0,
    )
    return True


@transaction.atomic
def record_payment_attempt(*, actor: Actor, payment_id: int, provider_id: str) -> bool:
    """Keep the provider's object of a payment attempt still under way (a card charge waiting for 3-D Secure) on its
    payment, so that what becomes of it can be asked later: the expiry of abandoned card attempts asks before it
    ends one. Only a payment not yet paid takes it; returns False if it holds that id already (or has been paid)."""
    _lock_contribution_of(payment_id)
    payment = only_row(Payment.objects.select_for_update().filter(pk=payment_id))
    if payment.status not in (P.CREATED, P.PENDING, P.FAILED) or payment.provider_id == provider_id:
        return False
    payment.provider_id = provider_id
    try:
        payment.save(update_fields=["provider_id"])
    except IntegrityError:  # the transaction is rolled back as the error leaves it, as in confirm_payment
        raise DomainError(f"The provider id “{provider_id}” already belongs to another payment.") from None
    record(actor=actor, action="payment.attempt_recorded", subject=payment, provider_id=provider_id)
    return True


@transaction.atomic
def refund_payment(*, actor: Actor, payment_id: int, provider_id=None, reason="", dispute=False) -> Refund | None:
    """Money given back: by the newsroom, or (``dispute``) taken back by the supporter's bank."""
    contribution = _lock_contribution_of(payment_id)
    payment, changed = move_payment(payment_id, P.REFUNDED, contribution)
    if not changed:
        return None
    refund = Refund.objects.create(
        payment=payment,
        amount=payment.amount,
        currency=payment.currency,
        provider_id=provider_id,
        reason=reason[:200],
        kind=Refund.Kind.DISPUTE if dispute else Refund.Kind.REFUND,
    )
    if not contribution.payments.filter(status=P.SUCCEEDED).exists() and contribution.status in (
        C.ACTIVE,
        C.PAST_DUE,
        C.COMPLETED,
        C.CANCELLED,
    ):
        move_locked_contribution(contribution, C.REFUNDED)
    record(actor=actor, action="payment.refunded", subject=payment, refund=refund.pk, kind=refund.kind)
    figures_changed()
    return refund


@transaction.atomic
def erase_supporter_rows(*, actor: Actor, supporter_id: int, provider_customers_deleted: int = 0) -> bool:
    """The ledger's part of erasing a supporter (``support.actions.manage.erase_supporter`` deletes what the card
    provider keeps first): the supporter (their address) and any reminder still waiting for it are deleted; their
    contributions and payments stay, anonymous, for accounting (amount, currency, dates, reference, the provider's
    payment ids a bookkeeper reconciles against), with no customer id left on them or in their audit. Returns False
    when there is nobody to erase."""
    supporter = Supporter.objects.select_for_update().filter(pk=supporter_id).first()
    if supporter is None:
        return False
    contributions = [str(pk) for pk in supporter.contributions.values_list("pk", flat=True)]
    count = supporter.contributions.update(supporter=None, provider_customer_id="")
    _forget_customer_ids_in_audit(contributions)
    reminders, _by_model = Reminder.objects.filter(email_digest=email_digest(supporter.email)).delete()
    supporter.delete()
    record(
        actor=actor,
        action="supporter.erased",
        contributions=count,
        reminders=reminders,
        provider_customers_deleted=provider_customers_deleted,
    )
    return True


def _forget_customer_ids_in_audit(contribution_ids):
    """The audit entries that remembered a provider's customer id for these contributions keep that they did, not the
    id (which the provider's records would tie back to the person)."""
    entries = AuditEntry.objects.select_for_update().filter(
        subject_type="support.contribution", subject_id__in=contribution_ids, data__has_key="provider_customer_id"
    )
    for entry in entries:
        entry.data["provider_customer_id"] = "erased"
        entry.save(update_fields=["data"])


@transaction.atomic
def forget_unpaid_checkout(*, actor: Actor, contribution_id: int) -> bool:
    """The retention policy for a checkout never paid (``RETENTION_UNPAID_CHECKOUT_DAYS`` after it started): its email
    address goes — the contribution is detached from its supporter, and the supporter deleted if no other contribution
    is theirs. The contribution itself stays as it is, anonymous, so that a late bank transfer still matches its
    reference. Returns False, changing nothing, when a payment reached it or it has no address any more."""
    contribution = only_row(Contribution.objects.select_for_update().filter(pk=contribution_id))
    if contribution is None or contribution.supporter_id is None:
        return False
    if contribution.payments.filter(status__in=[P.SUCCEEDED, P.REFUNDED]).exists():
        return False
    supporter_id = contribution.supporter_id
    contribution.supporter = None
    contribution.save(update_fields=["supporter", "updated_at"])
    dropped, _by_model = Supporter.objects.filter(pk=supporter_id, contributions__isnull=True).delete()
    record(actor=actor, action="contribution.address_forgotten", subject=contribution, supporter_deleted=dropped > 0)
    return True


@transaction.atomic
def record_provider_ids(*, actor: Actor, contribution_id: int, customer_id="", subscription_id="") -> bool:
    """Remember the gateway's customer and subscription of a contribution (ids only, nothing that names anyone)."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution_id)
    fields = {}
    if customer_id and contribution.provider_customer_id != customer_id:
        fields["provider_customer_id"] = customer_id
    if subscription_id and contribution.provider_subscription_id != subscription_id:
        fields["provider_subscription_id"] = subscription_id
    if not fields:
        return False
    for name, value in fields.items():
        setattr(contribution, name, value)
    contribution.save(update_fields=[*fields, "updated_at"])
    record(actor=actor, action="contribution.provider_ids", subject=contribution, **fields)
    return True
