"""The one interface every way of paying goes through.

A provider is configured in ``settings.PAYMENT_PROVIDERS`` (``key → options``) and found through
:mod:`support.providers.registry`; the checkout, the pay page and the staff screens talk only to this interface, so the
core never imports a gateway. Only a gateway's own module (``support/providers/stripe*.py``, later) imports its SDK.

The life of a contribution, as the hooks see it::

    checkout form ──► start_contribution (action: a promise + one pending payment, no money moves)
                  ──► provider.start(contribution, request)       prepares; returns where the reader goes next
    pay page      ──► provider.instructions(contribution, language) what to show (bank details, addresses…)
    money arrives ──► provider.confirm_manually(...)  (staff: bank transfer, crypto)  or a verified webhook (card)

Rules every provider keeps:

* Preparing a payment never moves money. Money moves only when the supporter acts at their bank, wallet or card step.
* Ledger rows change only through the named actions of :mod:`support.actions.contributions`; a provider never calls
  ``.save()`` on a contribution or a payment.
* Nothing a provider shows or stores names the supporter: no email on any page, none in a gateway's metadata.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


@dataclass(frozen=True)
class ProviderStep:
    """What happens after the checkout form: the reader is sent (303) to ``url``, a root-relative page of our own.

    ``needs_javascript`` tells the checkout that the page behind ``url`` cannot work without it (a card form), so it can
    say so before the reader goes there.
    """

    url: str
    needs_javascript: bool = False


def pay_page_url(contribution) -> str:
    """The contribution's own page: personal (``public_id`` is unguessable), never cached, never indexed."""
    return reverse("support:pay", args=[contribution.public_id])


class PaymentProvider:
    """Base class of every way of paying. Subclasses set ``key`` and ``label`` and override the hooks they need.

    ``options`` are the provider's entry in ``settings.PAYMENT_PROVIDERS``. They are operator configuration (account
    details, addresses, API keys): read them, never show a secret one to readers.
    """

    #: The method stored on contributions and payments (``Contribution.method``, ``Payment.provider``).
    key = ""
    #: What readers and staff see, translatable.
    label = ""
    #: True if paying needs JavaScript on the reader's side (card fields). The checkout works without it and says so.
    needs_javascript = False
    #: True if staff confirm that the money arrived (bank transfer, crypto); False if the gateway tells us (webhooks).
    confirmed_by_staff = False

    def __init__(self, options=None):
        self.options = dict(options or {})

    def __repr__(self):
        return f"<{type(self).__name__} {self.key}>"

    @property
    def template_name(self):
        """The fragment of the pay page that renders :meth:`instructions`."""
        return f"support/pay_{self.key}.html"

    # --- configuration ---------------------------------------------------------------------------------------------

    def configuration_errors(self) -> list[str]:
        """What is missing or wrong in ``options``, as sentences for the operator (``manage.py check`` shows them).

        May read ``options`` only: no database, no network.
        """
        currencies = self.options.get("currencies")
        if currencies is not None and (
            not isinstance(currencies, list | tuple) or not all(isinstance(c, str) for c in currencies)
        ):
            return [f"{self.key}: “currencies” must be a list of currency codes."]
        return []

    def is_available(self) -> bool:
        """Whether readers may choose this provider now. Called on every checkout render and POST, so it must be cheap:
        no network, no database. The default: configured without errors."""
        return not self.configuration_errors()

    def accepts_currency(self, currency: str) -> bool:
        """Whether this provider can take ``currency`` (option ``currencies``; absent means any the newsroom offers)."""
        currencies = self.options.get("currencies")
        return currencies is None or currency in currencies

    def requires_email(self, frequency: str) -> bool:
        """Whether this provider cannot work without the supporter's address for ``frequency``. Ask for the least:
        the default is no, and a provider that says yes must explain why in its docstring."""
        return False

    # --- the hooks ---------------------------------------------------------------------------------------------------

    def start(self, contribution, request) -> ProviderStep:
        """Prepare the payment of a contribution that :func:`~support.actions.contributions.start_contribution` has just
        created (status pending, one pending payment) and say where the reader goes next.

        May: create objects at the gateway that move no money (a customer, a SetupIntent), with an idempotency key
        derived from ``contribution.public_id`` so a retried call creates nothing twice; record their ids through a
        named action.
        Must not: move or reserve money (no charge, no capture); send the supporter's email to a gateway unless the
        provider requires it (:meth:`requires_email`); raise for a gateway that is down (send the reader to a page that
        can retry instead — the contribution already exists).

        The default, right for providers that only show instructions: the pay page.
        """
        return ProviderStep(url=pay_page_url(contribution))

    def instructions(self, contribution, language: str) -> dict:
        """What the pay page shows for ``contribution``, rendered by :attr:`template_name` in ``language``.

        May: read ``options`` and the contribution (reference, amount, currency, frequency).
        Must not: write anything, call a gateway, or return anything that names the supporter (their email, a customer
        id): the pay page is reachable by anyone who has its address.
        """
        return {}

    def confirm_manually(self, *, actor, payment, transaction_reference: str = "") -> bool:
        """Staff say the money of ``payment`` arrived (a statement line, a blockchain transaction id).

        May: call a named action (``support.actions.offline_payments.confirm_offline_payment``, which ends in
        :func:`~support.actions.contributions.confirm_payment`): it locks the rows, is idempotent (returns False if the
        payment was already confirmed) and writes the audit entry.
        Must not: confirm a payment of another provider, or confirm without the evidence the provider requires.
        Providers whose gateway confirms payments (webhooks) refuse: staff never mark a card payment paid by hand.
        """
        message = _("Payments by %(method)s are confirmed by the provider, not by hand.")
        raise DomainError(message % {"method": self.label})

    # A provider that bills recurring contributions by itself (cards) defines these optional hooks, which
    # self-service ("Manage my support") calls before the ledger moves; each raises DomainError with a message, having
    # changed nothing, when the gateway refuses or cannot be reached:
    #     cancel_recurring(contribution)                  stop the billing at the gateway, idempotently
    #     change_recurring_amount(contribution, money)    bill ``money`` from the next period on (False: no change)
    #     prepare_card_replacement(contribution) -> dict  what the page needs to set up a new card (no money moves)
    #     replace_card(contribution, setup_id) -> bool    make that card pay the next periods; drop the old one
    # Providers without them (bank transfer, crypto) bill nothing themselves: the supporter changes or stops their
    # standing order, and the ledger records the new promise.

    #: Whether readers may choose it at checkout. A provider whose checkout step is not part of this version (the card
    #: step with Stripe.js) stays usable by the webhook, reconcile and self-service, but is not offered.
    offered_at_checkout = True

    def check_payment(self, payment):
        """Refuse a payment that is not this provider's (a guard for the hooks that take one)."""
        if payment.provider != self.key:
            raise DomainError(f"Payment #{payment.pk} is a {payment.provider} payment, not {self.key}.")


class ManualProvider(PaymentProvider):
    """A provider whose payments arrive outside any gateway (a bank account, a wallet) and that staff confirm.

    The reader sees instructions with the contribution's unique reference; the payment stays pending until staff
    confirm it, in the admin or from an imported statement.
    """

    confirmed_by_staff = True
    #: Whether staff must give the transaction reference (a blockchain transaction id) to confirm: the admin form
    #: marks the field required; the action enforces it.
    requires_transaction_reference = False

    def confirm_manually(self, *, actor, payment, transaction_reference: str = "") -> bool:
        """Staff saw the money arrive: the named action ``confirm_offline_payment`` checks what staff confirmation
        needs (a crypto payment names its transaction, once), confirms idempotently and writes the audit entry."""
        from support.actions.offline_payments import confirm_offline_payment

        self.check_payment(payment)
        return confirm_offline_payment(
            actor=actor, payment_id=payment.pk, transaction_reference=transaction_reference or ""
        )
