"""What supporters do to their own support from “Manage my support” (``/support/manage/``): ask for a link, cancel a
regular contribution, change its amount, replace the card that pays it, erase their data (``erase_supporter``: at the
card provider first, then the ledger's ``erase_supporter_rows``).

Each action is atomic and audited without the address; mail goes out after commit from tasks that take ids only.
What a card provider bills is changed at the provider first (its optional hooks ``cancel_recurring``,
``change_recurring_amount``, ``prepare_card_replacement`` and ``replace_card``); if it refuses or cannot be reached,
the ledger does not move and the supporter reads why.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.actions import Actor, after_commit, record
from core.email_address import canonical_email
from core.errors import DomainError
from core.money import Money
from support.actions.contributions import cancel_contribution, erase_supporter_rows, figures_changed
from support.dunning.actions import card_updated
from support.models import AmountChange, Campaign, Contribution, Supporter
from support.prefill import MAX_AMOUNT, minimum
from support.providers.registry import get_provider
from support.receipts import take_manage_address_allowance
from support.states import C
from support.tasks import send_manage_link

#: Regular contributions whose amount is only a promise we record: the supporter's bank or wallet moves the money.
AMOUNT_CHANGEABLE_METHODS = ("bank_transfer", "crypto")
OPEN_STATUSES = (C.PENDING, C.ACTIVE, C.PAST_DUE)


def _card_hook(name):
    """The card provider's hook ``name``, or None when card payments are off or that provider has no such hook."""
    return getattr(get_provider("card"), name, None)


def _card_subscription_running(contribution) -> bool:
    # A card contribution bills through its subscription, which exists only once the first payment went through.
    return (
        contribution.method == "card"
        and contribution.is_recurring
        and contribution.status in (C.ACTIVE, C.PAST_DUE)
        and bool(contribution.provider_subscription_id)
    )


def can_change_amount(contribution) -> bool:
    """Whether the manage page offers to change this contribution's amount."""
    if not contribution.is_recurring or contribution.status not in OPEN_STATUSES:
        return False
    if contribution.method in AMOUNT_CHANGEABLE_METHODS:
        return True
    return _card_subscription_running(contribution) and _card_hook("change_recurring_amount") is not None


def can_replace_card(contribution) -> bool:
    """Whether the manage page offers to replace the card that pays this contribution."""
    return _card_subscription_running(contribution) and _card_hook("replace_card") is not None


def request_manage_link(*, actor: Actor, email: str, language: str = "en", onion: bool = False) -> bool:
    """Send a manage link to ``email`` if a supporter has that address (``onion``: asked for by the onion service,
    where the link then leads). Counts the request against the address's limit first, known or not, so the limit
    tells nobody whether we know it (raises ``LimitReached``). Returns whether a link was sent, which the edge must
    not reveal."""
    take_manage_address_allowance(email)
    supporter = Supporter.objects.filter(email=canonical_email(email)).first()
    if supporter is None:
        return False
    with transaction.atomic():
        record(actor=actor, action="supporter.manage_link_requested", subject=supporter)
        after_commit(send_manage_link.enqueue, supporter.pk, onion)
    return True


def erase_supporter(*, actor: Actor, supporter_id: int) -> bool:
    """Erase a supporter: first what the card provider keeps of them — each Stripe customer of theirs deleted
    (``forget_customer``), and with it its cards and subscriptions — then our rows (``erase_supporter_rows``).
    Raises ``DomainError``, erasing nothing, when the provider cannot delete a customer (the supporter may try
    again). Returns False when there is nobody to erase."""
    customers = sorted(
        set(
            Contribution.objects.filter(supporter_id=supporter_id, method="card")
            .exclude(provider_customer_id="")
            .values_list("provider_customer_id", flat=True)
        )
    )
    if customers:
        forget = _card_hook("forget_customer")
        if forget is None:
            raise DomainError(_("Card payments are not configured, so your card details cannot be deleted yet."))
        for customer_id in customers:
            forget(customer_id)  # raises DomainError with a message when it cannot
    return erase_supporter_rows(actor=actor, supporter_id=supporter_id, provider_customers_deleted=len(customers))


def _own_contribution(supporter_id, contribution_id, *, lock=True) -> Contribution:
    contributions = Contribution.objects.select_for_update() if lock else Contribution.objects
    contribution = contributions.filter(pk=contribution_id, supporter_id=supporter_id).first()
    if contribution is None:
        raise DomainError(_("There is no such contribution among yours."))
    return contribution


def stop_recurring(*, actor: Actor, supporter_id: int, contribution_id: int) -> bool:
    """The supporter stops one of their regular contributions. A card contribution is stopped at the card provider
    first (its ``cancel_recurring`` hook); if that provider cannot do it, nothing changes, since the ledger must not
    say “cancelled” while the card keeps being charged. Returns False if it was cancelled already."""
    with transaction.atomic():
        contribution = _own_contribution(supporter_id, contribution_id)
        if contribution.status == C.CANCELLED:
            return False
        if not contribution.is_recurring or contribution.status not in OPEN_STATUSES:
            raise DomainError(_("Only a regular contribution that is still running can be cancelled."))
    if contribution.method == "card":
        provider = get_provider("card")
        hook = getattr(provider, "cancel_recurring", None)
        if hook is None:
            raise DomainError(
                _("We cannot stop card payments from this page yet. Nothing has changed; please write to us.")
            )
        hook(contribution)  # idempotent at the gateway; raises DomainError with a message if it cannot
    with transaction.atomic():
        _own_contribution(supporter_id, contribution_id)  # still theirs (not erased meanwhile), under the lock
        return cancel_contribution(actor=actor, contribution_id=contribution.pk, reason="by the supporter")


def change_contribution_amount(*, actor: Actor, contribution_id: int, amount: Decimal) -> bool:
    """Record a new ``amount`` (in the contribution's own currency, which does not change) for a regular contribution.

    Bank transfer and crypto: the ledger records the promise; the supporter changes their standing order or wallet
    themselves. Card: the card provider bills the new amount from the next period on (``change_recurring_amount``)
    before the ledger records it, under the contribution's row lock, so two changes sent at once reach the provider
    and the ledger in the same order; if the provider refuses or cannot be reached, nothing changes.

    Between the campaign's minimum and the checkout's maximum, with at most the currency's decimals. Returns False if
    the amount is the same. Raises ``DomainError``, changing nothing."""
    with transaction.atomic():
        contribution = Contribution.objects.select_for_update().filter(pk=contribution_id).first()
        if contribution is None:
            raise DomainError(_("There is no such contribution."))
        if not contribution.is_recurring or contribution.method not in (*AMOUNT_CHANGEABLE_METHODS, "card"):
            raise DomainError(_("Only the amount of a regular contribution can be changed here."))
        if contribution.status not in OPEN_STATUSES:
            raise DomainError(_("This contribution is no longer running: its amount cannot be changed."))
        money = _valid_amount(contribution, amount)
        if money.amount == contribution.amount:
            return False
        if contribution.method == "card":
            hook = _card_hook("change_recurring_amount")
            if hook is None:
                raise DomainError(
                    _("We cannot change card payments from this page now. Nothing has changed; please write to us.")
                )
            hook(contribution, money)  # raises DomainError with a message if the provider cannot do it
        before = contribution.amount
        contribution.amount = money.amount
        contribution.save(update_fields=["amount", "updated_at"])
        AmountChange.objects.create(contribution=contribution, before=before, after=money.amount)
        record(
            actor=actor,
            action="contribution.amount_changed",
            subject=contribution,
            before=str(before),
            after=str(money.amount),
            currency=contribution.currency,
        )
        if contribution.status == C.ACTIVE:
            figures_changed()  # the gap counts active promises
    return True


def _valid_amount(contribution, amount) -> Money:
    currency, language = contribution.currency, contribution.language
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise DomainError(_("Enter an amount such as 10 or 7.50."))
    if amount > MAX_AMOUNT:  # before making Money of it: "1e99" cannot be quantized
        raise DomainError(
            _("The largest amount is %(amount)s.") % {"amount": Money(MAX_AMOUNT, currency).format(language)}
        )
    campaign = contribution.campaign or Campaign.objects.filter(is_active=True, language=language).first()
    low = Money(minimum(campaign, contribution.frequency) if campaign else Decimal("0.01"), currency)
    if amount < low.amount or amount <= 0:
        raise DomainError(_("The smallest amount is %(amount)s.") % {"amount": low.format(language)})
    money = Money(amount, currency)
    if money.amount != amount:
        raise DomainError(_("Enter an amount with at most two decimals, such as 7.50."))
    return money


def _card_contribution(supporter_id, contribution_id, *, lock=True) -> Contribution:
    contribution = _own_contribution(supporter_id, contribution_id, lock=lock)
    if not can_replace_card(contribution):
        raise DomainError(_("Only the card of a running card contribution can be replaced."))
    return contribution


def prepare_card_replacement(*, supporter_id: int, contribution_id: int) -> dict:
    """What the card page needs to set up a new card with the provider's script (``{"client_secret", …}``). Writes
    nothing and moves no money; raises ``DomainError`` with a message."""
    contribution = _card_contribution(supporter_id, contribution_id, lock=False)
    return _card_hook("prepare_card_replacement")(contribution)


def replace_card(*, actor: Actor, supporter_id: int, contribution_id: int, setup_intent: str) -> bool:
    """The card the supporter set up on the card page (``setup_intent``) pays the next periods of one of their card
    contributions. Returns False if it pays them already. Raises ``DomainError``, changing nothing."""
    with transaction.atomic():
        contribution = _card_contribution(supporter_id, contribution_id)
        changed = _card_hook("replace_card")(contribution, setup_intent)
        if changed:
            record(actor=actor, action="contribution.card_replaced", subject=contribution)
    if changed and contribution.status == C.PAST_DUE:
        # a past-due contribution's reminders stop, and its unpaid renewals are charged to the new card at once
        retry = _card_hook("retry_invoice")
        for invoice_id in card_updated(actor=actor, contribution_id=contribution.pk):
            if retry is not None:
                retry(contribution, invoice_id)
    return changed
