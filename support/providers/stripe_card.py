"""Card payments through Stripe: the only module that imports the Stripe SDK (with ``stripe_http``, the HTTP client
it talks through).

It uses the API subset that real Stripe and localstripe both speak (``../shared/DESIGN.md``): a Customer and a
SetupIntent prepared for the pay page, which confirms the SetupIntent with Stripe.js; then the server charges once (a
PaymentIntent created with the payment method and ``confirm=True``) or subscribes (a Plan, not a Price, and a
Subscription with ``items=[{"plan": id}]``).

Webhooks and ``manage.py reconcile_stripe`` go through the same ``apply_*`` functions: they take an object fetched
from the API (never the webhook's copy) and move the ledger only through the named actions, which are idempotent, so
a duplicate, a late or an out-of-order delivery changes nothing twice. Each returns a sentence saying what it changed,
or "" when the ledger already agreed.

Every create carries an idempotency key derived from the contribution's ``public_id`` and the step, so a retried
request creates nothing twice at Stripe. (localstripe ignores the keys: our own records — the customer id on the
contribution, the payment's state — are what keep a retry from repeating a step there.)

After the first payment, "Manage my support" can move a subscription onto the Plan of a new amount (from the next
period on, without proration) and replace its card (a new SetupIntent confirmed with Stripe.js on the manage page,
then made the default for the customer's invoices). Both talk to Stripe before the ledger moves, and turn whatever
Stripe answers into a message for the supporter.
"""

import contextlib
import hashlib
import json
import re
import secrets
import time
from decimal import Decimal
from urllib.parse import quote

import stripe
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.actions import Actor
from core.errors import DomainError, MissingRow
from core.money import CURRENCIES, Money
from support.actions.contributions import (
    cancel_contribution,
    confirm_payment,
    fail_payment,
    record_payment_attempt,
    record_provider_ids,
    record_renewal,
)
from support.dunning.actions import mark_past_due
from support.models import Contribution, Payment
from support.providers import stripe_http
from support.providers.base import PaymentProvider, ProviderStep, pay_page_url
from support.states import C, P, only_row

ACTOR = Actor("provider", "stripe")
INTERVALS = {"monthly": "month", "annual": "year"}
#: Errors after which Stripe (or a retry of ours) may well succeed: a webhook answers 500 to be sent again.
TRANSIENT_ERRORS = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)
GONE = ("canceled", "incomplete_expired")
#: A PaymentIntent that may still succeed: waiting for the supporter (3-D Secure) or for the bank.
UNDER_WAY = ("requires_action", "requires_confirmation", "processing", "requires_capture")
#: A subscription whose first invoice was paid.
RUNNING = ("active", "trialing", "past_due")
SETUP_INTENT_ID = re.compile(r"seti_[A-Za-z0-9_]{1,200}")


class CardDeclined(DomainError):
    """The bank said no; ``message`` is its explanation, safe to show the supporter."""


class InvalidWebhook(Exception):
    """A webhook whose body or signature does not check out; the message says which, for the sender."""


def configure():
    """Point the SDK at the configured API (localstripe outside production). Read on every call: cheap, and tests
    override the settings."""
    stripe.api_key = settings.STRIPE_SECRET_KEY
    stripe.api_base = settings.STRIPE_API_BASE
    stripe.max_network_retries = 0 if not settings.STRIPE_API_BASE.startswith("https://") else 2
    stripe_http.install()
    return stripe


def speaks_full_api() -> bool:
    """Whether the API is Stripe's own (https) rather than localstripe, which lacks a few parameters of the calls
    after the first payment: ``proration_behavior`` and a subscription's ``default_payment_method`` (it answers 500)."""
    return settings.STRIPE_API_BASE.startswith("https://")


def minor_units(money: Money) -> int:
    return money.minor_units()


def from_minor_units(amount: int, currency: str) -> Money:
    code = currency.upper()
    return Money(Decimal(amount).scaleb(-CURRENCIES[code].exponent), code)


def _key(contribution, step: str) -> str:
    return f"samizdat-{contribution.public_id}-{step}"


# --- The provider -------------------------------------------------------------------------------------------------


class StripeCard(PaymentProvider):
    """Card payments. Options (``settings.PAYMENT_PROVIDERS["card"]``): ``currencies`` (optional). The keys live in
    ``STRIPE_*`` settings, never in options shown anywhere. The supporter's email is never sent to Stripe."""

    key = "card"
    label = _("Card")
    needs_javascript = True

    # The card step of the pay page (support/pay_card.html + support/static/support/card.js, endpoints in
    # support/views/card.py) confirms a SetupIntent with Stripe.js, charges, and handles 3-D Secure.
    offered_at_checkout = True

    def configuration_errors(self):
        errors = super().configuration_errors()
        for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_JS_URL"):
            if not getattr(settings, name, ""):
                errors.append(f"card: set {name}.")
        return errors

    def start(self, contribution, request) -> ProviderStep:
        """The pay page, and nothing at Stripe yet: the customer is made when the card step asks :meth:`prepare` for
        a SetupIntent. A checkout nobody carries on with (a card tester's script that never loads the card step, a
        reader who changed their mind) leaves no object at Stripe; ``manage.py expire_card_attempts`` ends it."""
        return ProviderStep(url=pay_page_url(contribution), needs_javascript=True)

    def instructions(self, contribution, language):
        return {
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "amount": contribution.money.format(language),
            "frequency": contribution.frequency,
            "statement_descriptor": settings.CARD_STATEMENT_DESCRIPTOR,
        }

    # --- preparing: no money moves ------------------------------------------------------------------------------

    def cancel_recurring(self, contribution):
        """The supporter stops a monthly or annual card contribution: the subscription ends at Stripe first, so the
        ledger never says "cancelled" while the card keeps being charged. Raises DomainError with a message."""
        _cancel_subscription(contribution)

    def change_recurring_amount(self, contribution, money: Money) -> bool:
        """Bill ``money`` from the next period on: the subscription's one item moves onto the Plan of that amount, with
        no proration (the period under way was paid at the old amount). Returns False if it is on that Plan already.
        Raises DomainError with a message, having changed nothing in the ledger, if Stripe refuses or is unreachable."""
        subscription_id = _running_subscription_id(contribution)
        api = configure()
        with _stripe_errors(_("The card provider refused to change the amount. Nothing has changed.")):
            subscription = api.Subscription.retrieve(subscription_id)
            if subscription["status"] in GONE:
                raise DomainError(_("This contribution has already ended at the card provider."))
            item = subscription["items"]["data"][0]
            plan = ensure_plan(api, contribution, money)
            if item["plan"]["id"] == plan:
                return False
            changes = {"items": [{"id": item["id"], "plan": plan}]}
            if speaks_full_api():
                changes["proration_behavior"] = "none"
            # The key names the ledger's state the change starts from, so a retry of this change is recognised while
            # a later change back to the same amount is a new request.
            stamp = int(contribution.updated_at.timestamp() * 1_000_000)
            api.Subscription.modify(
                subscription_id, **changes, idempotency_key=_key(contribution, f"amount-{stamp}-{plan}")
            )
            if not speaks_full_api():
                _drop_prorations(api, contribution)
        return True

    def prepare_card_replacement(self, contribution) -> dict:
        """A SetupIntent for the card that will pay the next periods, for the manage page to confirm with Stripe.js:
        ``{"client_secret", "setup_intent"}``. No money moves."""
        _running_subscription_id(contribution)
        with _stripe_errors(_("The card provider refused to set up a new card. Nothing has changed.")):
            intent = configure().SetupIntent.create(
                customer=contribution.provider_customer_id,
                usage="off_session",
                metadata={"samizdat_reference": contribution.reference},
                # a new SetupIntent for every try (a confirmed one cannot be used again); the key stops the SDK's own
                # retry of this one request from making two
                idempotency_key=_key(contribution, f"card-setup-{secrets.token_hex(8)}"),
            )
        return {"client_secret": intent["client_secret"], "setup_intent": intent.id}

    def replace_card(self, contribution, setup_intent_id: str) -> bool:
        """Make the card of a confirmed SetupIntent the one that pays the subscription's next invoices (the customer's
        ``invoice_settings.default_payment_method`` and the subscription's ``default_payment_method``), then detach
        the card it replaces: we keep no card we no longer charge. Returns False if it was that card already."""
        subscription_id = _running_subscription_id(contribution)
        customer_id = contribution.provider_customer_id
        if not isinstance(setup_intent_id, str) or not SETUP_INTENT_ID.fullmatch(setup_intent_id):
            raise DomainError(_("This card was not set up for this contribution."))
        api = configure()
        with _stripe_errors(_("The card provider refused the new card. Nothing has changed.")):
            try:
                setup = api.SetupIntent.retrieve(setup_intent_id)
            except stripe.InvalidRequestError as error:
                if error.http_status != 404:
                    raise
                raise DomainError(_("This card was not set up for this contribution.")) from None
            if setup["customer"] != customer_id or setup["status"] != "succeeded" or not setup["payment_method"]:
                raise DomainError(_("This card was not set up for this contribution."))
            method = setup["payment_method"]
            previous = (api.Customer.retrieve(customer_id)["invoice_settings"] or {})["default_payment_method"]
            if previous == method:
                return False
            if (
                api.PaymentMethod.retrieve(method)["customer"] is None
            ):  # real Stripe attaches on confirm; localstripe not
                api.PaymentMethod.attach(method, customer=customer_id)
            api.Customer.modify(
                customer_id,
                invoice_settings={"default_payment_method": method},
                idempotency_key=_key(contribution, f"card-default-{method}"),
            )
            if speaks_full_api():  # a subscription's own default comes before the customer's at Stripe
                api.Subscription.modify(
                    subscription_id,
                    default_payment_method=method,
                    idempotency_key=_key(contribution, f"card-subscription-{method}"),
                )
        if previous:
            with contextlib.suppress(stripe.StripeError):  # the new card pays either way; staff can detach it later
                api.PaymentMethod.detach(previous)
        return True

    def retry_invoice(self, contribution, invoice_id: str) -> str:
        """Charge an unpaid renewal (``invoice_id``, of this contribution's subscription) again, to the card now on
        file, and bring the ledger in line with the answer. Returns what changed ("" if it is still unpaid); a decline
        or an unreachable provider changes nothing here (the provider keeps retrying on its own)."""
        api = configure()
        try:
            invoice = api.Invoice.retrieve(invoice_id)
            if invoice["subscription"] != contribution.provider_subscription_id:
                return ""
            if invoice["status"] == "open":
                with contextlib.suppress(stripe.CardError):  # a decline leaves the invoice open
                    api.Invoice.pay(invoice_id)
                invoice = api.Invoice.retrieve(invoice_id)
        except stripe.StripeError:
            return ""
        return apply_invoice(invoice) if invoice["status"] == "paid" else ""

    def ensure_customer(self, contribution) -> str:
        if contribution.provider_customer_id:
            return contribution.provider_customer_id
        customer = configure().Customer.create(
            metadata={"samizdat_reference": contribution.reference}, idempotency_key=_key(contribution, "customer")
        )
        record_provider_ids(actor=ACTOR, contribution_id=contribution.pk, customer_id=customer.id)
        contribution.provider_customer_id = customer.id
        return customer.id

    def prepare(self, contribution) -> dict:
        """A SetupIntent for the pay page to confirm with Stripe.js: ``{"client_secret", "setup_intent"}``."""
        if contribution.status not in (C.PENDING, C.FAILED):
            raise DomainError("This contribution is not waiting for a card.")
        customer = self.ensure_customer(contribution)
        attempt = contribution.payments.count()
        intent = configure().SetupIntent.create(
            customer=customer,
            usage="off_session" if contribution.is_recurring else "on_session",
            metadata={"samizdat_reference": contribution.reference},
            idempotency_key=_key(contribution, f"setup-{attempt}"),
        )
        return {"client_secret": intent["client_secret"], "setup_intent": intent.id}

    # --- abandoned attempts -------------------------------------------------------------------------------------

    def clear_abandoned(self, contribution) -> bool:
        """Before an abandoned card attempt ends (``manage.py expire_card_attempts``): make sure Stripe took no money
        for it, and take away what it left there. True if it may end: each of its intents under way is cancelled, an
        incomplete subscription deleted, and its customer deleted (with the cards attached to it). False if Stripe
        says it was paid after all, or may still be (an intent the bank is processing): then the ledger has been
        brought in line with what Stripe says, as a webhook would, and the attempt must not end. Raises the SDK's
        errors when Stripe cannot be asked (the attempt waits for the next run)."""
        api = configure()
        intents = contribution.payments.filter(provider_id__startswith="pi_").values_list("provider_id", flat=True)
        if not all(self._intent_cleared(api, intent_id) for intent_id in intents):
            return False
        if contribution.provider_subscription_id:
            subscription = _plain(retrieve_subscription(contribution.provider_subscription_id))
            if subscription["status"] in RUNNING:
                if subscription.get("latest_invoice"):
                    apply_invoice(api.Invoice.retrieve(subscription["latest_invoice"]))
                return False
            if subscription["status"] not in GONE:  # incomplete: nothing may bill it later
                _cancel_subscription(contribution)
        if contribution.provider_customer_id:
            try:
                api.Customer.delete(contribution.provider_customer_id)
            except stripe.InvalidRequestError as error:
                if error.http_status != 404:  # gone already is what we want
                    raise
        return True

    # --- staff ------------------------------------------------------------------------------------------------

    def refund(self, payment) -> str:
        """Give a card payment's money back at Stripe (staff, ``support.actions.staff.refund_card_payment``): the
        whole amount, once (an idempotency key per payment). The payment's id is its PaymentIntent's, or its
        invoice's (a renewal), whose PaymentIntent is refunded. Returns the refund's id, which the ledger records.
        Raises ``DomainError``, having moved no money, when Stripe refuses or cannot be asked."""
        api = configure()
        with _staff_errors():
            intent_id = payment.provider_id or ""
            if intent_id.startswith("in_"):
                intent_id = _plain(api.Invoice.retrieve(intent_id)).get("payment_intent") or ""
            if not intent_id.startswith("pi_"):
                raise DomainError(_("The card provider has no charge for this payment; nothing was refunded."))
            refund = _plain(
                api.Refund.create(payment_intent=intent_id, idempotency_key=f"samizdat-refund-{payment.pk}")
            )
        if refund.get("status") not in ("succeeded", "pending"):
            raise DomainError(
                _("The card provider did not refund this payment (%(status)s).") % {"status": refund.get("status")}
            )
        return refund["id"]

    # --- erasure ---------------------------------------------------------------------------------------------

    def forget_customer(self, customer_id: str) -> None:
        """Delete a customer at Stripe when its supporter erases their data: Stripe deletes its payment methods with
        it and ends its subscriptions (whose ``customer.subscription.deleted`` events then end the contributions in
        the ledger). A customer gone already is fine. Raises ``DomainError`` when Stripe refuses or cannot be asked,
        so that nothing is erased on our side either and the supporter can try again."""
        api = configure()
        try:
            api.Customer.delete(customer_id)
        except stripe.InvalidRequestError as error:
            if error.http_status != 404:
                raise DomainError(
                    _("The card provider refused to delete your card details. Nothing has changed.")
                ) from None
        except stripe.StripeError:
            raise DomainError(
                _("The card provider cannot be reached, so nothing has been erased yet. Please try again later.")
            ) from None

    @staticmethod
    def _intent_cleared(api, intent_id) -> bool:
        """One PaymentIntent of an abandoned attempt: False if it succeeded (the ledger then says so) or may still
        (the bank is processing it); else True, once it is cancelled, so that nobody can finish it later."""
        try:
            intent = _plain(api.PaymentIntent.retrieve(intent_id))
        except stripe.InvalidRequestError as error:
            if error.http_status != 404:
                raise
            return True
        if intent["status"] in ("succeeded", "processing", "requires_capture"):
            apply_payment_intent(intent)
            return False
        if intent["status"] != "canceled":
            try:
                api.PaymentIntent.cancel(intent_id)
            except stripe.InvalidRequestError:  # it moved meanwhile (3-D Secure finished, say): asked again next run
                return False
        return True

    # --- charging: the supporter confirmed their card on the pay page -------------------------------------------

    def charge(self, contribution, setup_intent_id: str) -> dict:
        """Charge (once) or subscribe (monthly, annual) with the card of a confirmed SetupIntent.

        Returns ``{"status": "succeeded" | "requires_action", "client_secret": …}``; raises :class:`CardDeclined`
        (after recording the failure) when the bank says no, :class:`DomainError` for a request that does not fit.
        """
        api = configure()
        contribution = Contribution.objects.get(pk=contribution.pk)
        payment = contribution.payments.order_by("pk").first()
        if payment.status == P.SUCCEEDED:
            return {"status": "succeeded"}
        if contribution.status not in (C.PENDING, C.FAILED):
            raise DomainError("This contribution is not waiting for a payment.")
        setup = api.SetupIntent.retrieve(setup_intent_id)
        if setup["customer"] != contribution.provider_customer_id or setup["status"] != "succeeded":
            raise DomainError("This card was not set up for this contribution.")
        method = setup["payment_method"]
        if api.PaymentMethod.retrieve(method)["customer"] is None:  # real Stripe attaches on confirm; localstripe not
            api.PaymentMethod.attach(method, customer=contribution.provider_customer_id)
        if contribution.is_recurring:
            return self._subscribe(api, contribution, payment, method)
        return self._charge_once(api, contribution, payment, method)

    def after_authentication(self, contribution, payment_intent_id: str) -> dict:
        """The page finished 3-D Secure for a PaymentIntent of :meth:`charge`: re-fetch it and bring the ledger in
        line (the webhook does the same later, idempotently). Returns ``{"status": "succeeded|declined|pending"}``."""
        intent = _plain(configure().PaymentIntent.retrieve(payment_intent_id))
        invoice = configure().Invoice.retrieve(intent["invoice"]) if intent.get("invoice") else None
        ours = (intent.get("metadata") or {}).get("samizdat_reference") == contribution.reference or (
            invoice is not None and invoice["subscription"] == contribution.provider_subscription_id
        )
        if not ours or intent.get("customer") != contribution.provider_customer_id:
            raise DomainError("This payment is not one of this contribution.")
        apply_payment_intent(intent)
        contribution = Contribution.objects.get(pk=contribution.pk)
        if contribution.status in (C.ACTIVE, C.COMPLETED):
            return {"status": "succeeded"}
        if intent["status"] in ("requires_payment_method", "canceled"):
            error = intent.get("last_payment_error") or {}
            return {"status": "declined", "message": error.get("message") or str(_("Your card was declined."))}
        return {"status": "pending"}

    def _charge_once(self, api, contribution, payment, method):
        try:
            intent = api.PaymentIntent.create(
                amount=minor_units(contribution.money),
                currency=contribution.currency.lower(),
                customer=contribution.provider_customer_id,
                payment_method=method,
                confirm=True,
                metadata={"samizdat_payment": str(payment.pk), "samizdat_reference": contribution.reference},
                idempotency_key=_key(contribution, f"charge-{payment.pk}-{method}"),
            )
        except stripe.CardError as error:
            message = error.user_message or str(_("Your card was declined."))
            fail_payment(actor=ACTOR, payment_id=payment.pk, message=message)
            raise CardDeclined(message) from None
        if intent["status"] in UNDER_WAY:  # 3-D Secure: the payment keeps the intent's id, to be asked about later
            record_payment_attempt(actor=ACTOR, payment_id=payment.pk, provider_id=intent.id)
        apply_payment_intent(intent)
        if intent["status"] == "requires_action":
            return {"status": "requires_action", "client_secret": intent["client_secret"]}
        return {"status": "succeeded" if intent["status"] == "succeeded" else intent["status"]}

    def _subscribe(self, api, contribution, payment, method):
        plan = ensure_plan(api, contribution)
        api.Customer.modify(contribution.provider_customer_id, invoice_settings={"default_payment_method": method})
        subscription = api.Subscription.create(
            customer=contribution.provider_customer_id,
            items=[{"plan": plan}],
            metadata={"samizdat_reference": contribution.reference},
            idempotency_key=_key(contribution, f"subscription-{payment.pk}-{method}"),
        )
        if subscription["status"] == "active":
            # Paid already: the subscription's id is kept before anything else can fail, so that its invoice's
            # webhook and reconcile find this contribution even if Stripe cannot be asked for the invoice now.
            record_provider_ids(actor=ACTOR, contribution_id=contribution.pk, subscription_id=subscription.id)
            with contextlib.suppress(*TRANSIENT_ERRORS):
                apply_invoice(api.Invoice.retrieve(subscription["latest_invoice"]))
            return {"status": "succeeded"}
        invoice = api.Invoice.retrieve(subscription["latest_invoice"])
        intent = api.PaymentIntent.retrieve(invoice["payment_intent"]) if invoice["payment_intent"] else None
        if intent is not None and intent["status"] == "requires_action":
            record_provider_ids(actor=ACTOR, contribution_id=contribution.pk, subscription_id=subscription.id)
            return {"status": "requires_action", "client_secret": intent["client_secret"]}
        # Declined: drop the incomplete subscription so nothing bills later, and record the bank's answer.
        api.Subscription.delete(subscription.id)
        error = _plain(intent).get("last_payment_error") if intent is not None else None
        message = (error or {}).get("message") or str(_("Your card was declined."))
        fail_payment(actor=ACTOR, payment_id=payment.pk, message=message)
        raise CardDeclined(message)


@contextlib.contextmanager
def _staff_errors():
    """Stripe's refusals and silences, as the messages staff read (nothing was changed in either case)."""
    try:
        yield
    except stripe.InvalidRequestError as error:
        detail = (error.user_message or str(error))[:200]
        raise DomainError(_("The card provider refused: %(detail)s") % {"detail": detail}) from None
    except stripe.StripeError:
        raise DomainError(_("The card provider cannot be reached. Nothing has changed; please try again.")) from None


def _cancel_subscription(contribution):
    """Stop a card subscription at Stripe. Idempotent: a subscription already gone is fine."""
    if not contribution.provider_subscription_id:
        return
    api = configure()
    try:
        api.Subscription.delete(contribution.provider_subscription_id)
    except stripe.InvalidRequestError as error:
        if error.http_status != 404:
            raise DomainError(_("The card provider refused to stop this contribution. Nothing has changed.")) from None
    except stripe.StripeError:
        raise DomainError(_("The card provider cannot be reached. Nothing has changed; please try again.")) from None


@contextlib.contextmanager
def _stripe_errors(refused):
    """Turn Stripe's answers into messages for the supporter: ``refused`` when Stripe says no, "unreachable" when it
    cannot be asked. Either way the caller has not moved the ledger yet."""
    try:
        yield
    except stripe.CardError as error:
        raise DomainError(error.user_message or _("Your card was declined.")) from None
    except stripe.InvalidRequestError:
        raise DomainError(refused) from None
    except stripe.StripeError:
        raise DomainError(
            _("The card provider cannot be reached. Nothing has changed; please try again in a few minutes.")
        ) from None


def _running_subscription_id(contribution) -> str:
    if contribution.method != "card" or not contribution.is_recurring or not contribution.provider_subscription_id:
        raise DomainError(_("This contribution has no card subscription to change."))
    if contribution.status not in (C.ACTIVE, C.PAST_DUE):
        raise DomainError(_("This contribution is no longer running: it cannot be changed."))
    return contribution.provider_subscription_id


def _drop_prorations(api, contribution):
    """localstripe always prorates a change of Plan: it leaves "unused time" credits pending for the next invoice,
    where real Stripe, told ``proration_behavior="none"``, leaves none. Delete them, so that the next invoice bills
    the new amount in the demo and the tests as it does at Stripe."""
    pending = api.InvoiceItem.list(customer=contribution.provider_customer_id, limit=100).auto_paging_iter()
    for item in pending:
        if item["proration"] and not item["invoice"] and item["subscription"] == contribution.provider_subscription_id:
            api.InvoiceItem.delete(item["id"])


def ensure_plan(api, contribution, money: Money | None = None) -> str:
    """The Plan for this amount (the contribution's, unless ``money`` is given), currency and interval, made once and
    shared by every contribution like it."""
    interval = INTERVALS[contribution.frequency]
    amount = minor_units(money or contribution.money)
    plan_id = f"samizdat-{interval}-{contribution.currency.lower()}-{amount}"
    product = {"name": f"Samizdat {contribution.frequency} support"}
    descriptor = settings.CARD_STATEMENT_DESCRIPTOR
    if descriptor:  # the name on the card statement of every renewal; a plan of its own for each descriptor
        product["statement_descriptor"] = descriptor
        plan_id += "-" + hashlib.sha256(descriptor.encode()).hexdigest()[:8]
    try:
        return api.Plan.retrieve(plan_id).id
    except stripe.InvalidRequestError as error:
        if error.http_status != 404:
            raise
    return api.Plan.create(
        id=plan_id,
        amount=amount,
        currency=contribution.currency.lower(),
        interval=interval,
        product=product,
        idempotency_key=f"samizdat-plan-{plan_id}",
    ).id


# --- Bringing the ledger in line with Stripe's objects (webhooks and reconcile) ----------------------------------


def _plain(obj) -> dict:
    """SDK objects are no longer dicts (stripe ≥ 15): read fields from a plain copy, where absent ones are None."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _payment_named_by(intent: dict) -> int | None:
    """The id of the payment the card step named in the intent's metadata, if it names one (a bigint, never a value
    that would make a query fail)."""
    reference = str((intent.get("metadata") or {}).get("samizdat_payment", ""))
    return int(reference) if reference.isdigit() and len(reference) <= 18 else None


def _payment_of_intent(intent: dict) -> Payment | None:
    """The payment an intent paid (its id recorded), else the card payment its metadata names; one query for both."""
    match = Q(provider_id=intent["id"])
    named = _payment_named_by(intent)
    if named is not None:
        match |= Q(pk=named, provider="card")
    found = list(Payment.objects.filter(match).order_by()[:2])
    found.sort(key=lambda payment: payment.provider_id != intent["id"])
    return found[0] if found else None


def apply_payment_intent(intent) -> str:
    """A one-time charge: confirm or fail its payment. An invoice's intent is the invoice's business."""
    intent = _plain(intent)
    if intent.get("invoice"):
        return apply_invoice(configure().Invoice.retrieve(intent["invoice"]))
    named = _payment_named_by(intent)
    if intent["status"] == "succeeded" and named is not None:
        # The hot path of every card gift: the payment is the one the metadata names, confirmed under its locks with
        # nothing read before. A payment paid already (by this intent, or by another: a second card after a decline,
        # which staff see as a double) is left as it is.
        try:
            confirmed = confirm_payment(actor=ACTOR, payment_id=named, provider_id=intent["id"], provider="card")
        except MissingRow:  # erased since, or no card payment of ours
            return ""
        except DomainError:  # e.g. the intent's id is on another payment already: the general path finds that one
            pass
        else:
            return f"confirmed payment #{named} ({intent['id']})" if confirmed else ""
    payment = _payment_of_intent(intent)
    if payment is None:
        return ""
    if intent["status"] == "succeeded":
        if payment.status == P.SUCCEEDED and payment.provider_id not in (None, "", intent["id"]):
            return ""  # another intent already paid it (a second card after a decline); staff see the double
        if confirm_payment(actor=ACTOR, payment_id=payment.pk, provider_id=intent["id"]):
            return f"confirmed payment #{payment.pk} ({intent['id']})"
    elif intent["status"] in ("requires_payment_method", "canceled") and payment.status in (P.CREATED, P.PENDING):
        error = intent.get("last_payment_error") or {}
        if fail_payment(actor=ACTOR, payment_id=payment.pk, message=error.get("message") or "declined"):
            return f"failed payment #{payment.pk} ({intent['id']})"
    return ""


def apply_invoice(invoice) -> str:
    """A subscription's invoice: its first payment, or a renewal keyed by its PaymentIntent (else the invoice id)."""
    invoice = _plain(invoice)
    subscription_id = invoice.get("subscription")
    contribution = only_row(Contribution.objects.filter(provider_subscription_id=subscription_id, method="card"))
    if not subscription_id or contribution is None:
        return ""
    key = invoice.get("payment_intent") or invoice["id"]
    existing = only_row(Payment.objects.filter(provider_id=key))
    if invoice["status"] == "paid":
        if existing is not None:
            if confirm_payment(actor=ACTOR, payment_id=existing.pk):
                return f"confirmed payment #{existing.pk} ({key})"
            return ""
        first = contribution.payments.filter(provider_id__isnull=True).order_by("pk").first()
        if first is not None and not contribution.payments.filter(status=P.SUCCEEDED).exists():
            confirm_payment(actor=ACTOR, payment_id=first.pk, provider_id=key)
            return f"confirmed first payment #{first.pk} of {contribution.reference} ({key})"
        amount = from_minor_units(invoice["amount_paid"], invoice["currency"])
        renewal = record_renewal(actor=ACTOR, contribution_id=contribution.pk, amount=amount, provider_id=key)
        return f"recorded renewal #{renewal.pk} of {contribution.reference} ({key})" if renewal else ""
    if invoice["status"] == "open" and invoice.get("attempted") and existing is None:
        # A renewal the card declined (the first payment's own failure is the card step's business): the contribution
        # is past due and its supporter is told, until a retry pays it or the subscription's end (deleted) stops it.
        renewal = contribution.payments.filter(status=P.SUCCEEDED).exists()
        if renewal and contribution.status in (C.ACTIVE, C.PAST_DUE):
            amount = from_minor_units(invoice["amount_due"], invoice["currency"])
            if mark_past_due(actor=ACTOR, contribution_id=contribution.pk, invoice_id=invoice["id"], amount=amount):
                return f"past due {contribution.reference} ({invoice['id']})"
    return ""  # an unpaid renewal adds no payment; the subscription's end (deleted) is what cancels


def apply_subscription(subscription) -> str:
    """A subscription that is gone ends its contribution; nothing revives one (a late "created" changes nothing)."""
    subscription = _plain(subscription)
    contribution = only_row(Contribution.objects.filter(provider_subscription_id=subscription["id"], method="card"))
    if contribution is None or subscription["status"] not in GONE:
        return ""
    # Stripe says why it ended a subscription; "payment_failed" is a card that failed its renewals, not a choice.
    lapsed = (subscription.get("cancellation_details") or {}).get("reason") == "payment_failed"
    if contribution.status in (C.PENDING, C.FAILED, C.ACTIVE, C.PAST_DUE) and cancel_contribution(
        actor=ACTOR,
        contribution_id=contribution.pk,
        reason=f"stripe subscription {subscription['status']}",
        lapsed=lapsed,
    ):
        return f"cancelled {contribution.reference} ({subscription['id']} {subscription['status']})"
    return ""


def retrieve_subscription(subscription_id):
    try:
        return configure().Subscription.retrieve(subscription_id)
    except stripe.InvalidRequestError as error:
        if error.http_status != 404:
            raise
        return {"id": subscription_id, "status": "canceled"}


# --- Webhooks -------------------------------------------------------------------------------------------------

HANDLED_EVENTS = {
    "payment_intent.succeeded": "payment_intent",
    "payment_intent.payment_failed": "payment_intent",
    "invoice.payment_succeeded": "invoice",
    "invoice.payment_failed": "invoice",
    "customer.subscription.deleted": "subscription",
}
OBJECT_ID = re.compile(r"[A-Za-z0-9_]{1,255}")


def _dated_in_the_future(signature: str, now: float) -> bool:
    """Whether the ``Stripe-Signature`` header names a time (a ``t=``; every one, if it carries several) later than
    ``STRIPE_WEBHOOK_FUTURE_SKEW`` seconds from ``now``, or one that is not a plain number. The SDK checks only that
    a signature is not too old; a signature dated ahead would stay "recent" for as long as its date lies ahead, so a
    captured delivery could be replayed all that time."""
    latest = now + settings.STRIPE_WEBHOOK_FUTURE_SKEW
    for item in signature.split(","):
        name, _equals, value = item.partition("=")
        if name == "t" and not (value.isascii() and value.isdigit() and len(value) <= 12 and int(value) <= latest):
            return True
    return False


def verify_event(payload: bytes, signature: str) -> dict:
    """The event of a webhook whose signature checks out with ``STRIPE_WEBHOOK_SECRET``, as a plain dict; else
    InvalidWebhook, whose message can be shown to the sender. A signature dated more than
    ``STRIPE_WEBHOOK_FUTURE_SKEW`` seconds ahead of our clock is refused first; the SDK then checks the signature
    (and that it is at most ``STRIPE_WEBHOOK_TOLERANCE`` seconds old); the body is then read as plain JSON, since the
    handler needs only the event's id, type and object id (building the SDK's objects for the whole event cost more
    than the check itself)."""
    if _dated_in_the_future(signature, time.time()):
        raise InvalidWebhook("invalid signature: dated in the future")
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_WEBHOOK_TOLERANCE
        )
    except (ValueError, stripe.SignatureVerificationError):
        raise InvalidWebhook("invalid signature") from None
    try:
        event = json.loads(payload)
    except ValueError:
        raise InvalidWebhook("the body is not JSON") from None
    if not isinstance(event, dict) or not all(isinstance(event.get(name), str) for name in ("id", "type")):
        raise InvalidWebhook("the body is not a Stripe event")
    if not OBJECT_ID.fullmatch(event["id"]):
        raise InvalidWebhook("the event's id is not a Stripe id")
    if event["type"] in HANDLED_EVENTS and not OBJECT_ID.fullmatch(_object_id(event)):
        raise InvalidWebhook(f"the {event['type']} event names no object")
    return event


def handled_object_id(event) -> str:
    """The id of the object a handled event is about, which the event's record keeps; "" for any other type (so a
    customer's id, say, is never kept with an event)."""
    return _object_id(event) if event.get("type") in HANDLED_EVENTS else ""


def _object_id(event) -> str:
    data = event.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    object_id = found.get("id") if isinstance(found, dict) else None
    return object_id if isinstance(object_id, str) else ""


_JSON_CLIENTS = {}


def _json_client() -> stripe.StripeClient:
    """A StripeClient on the configured API and key, for reads whose answer is wanted as plain JSON. It shares the
    SDK's HTTP client (and so its open connections) with the module-level calls; made once per configuration."""
    api = configure()
    api.ensure_default_http_client()
    key = (settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, api.max_network_retries, id(api.default_http_client))
    client = _JSON_CLIENTS.get(key)
    if client is None:
        _JSON_CLIENTS.clear()  # only the newest configuration is ever used again
        client = _JSON_CLIENTS[key] = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=api.max_network_retries,
            http_client=api.default_http_client,
        )
    return client


def _retrieve_json(collection: str, object_id: str) -> dict:
    """``GET /v1/<collection>/<id>`` as a plain dict: what a webhook needs, without the SDK building its objects from
    the answer (a third of the call's CPU time). Raises the SDK's errors, as ``retrieve`` does."""
    return _json_client().raw_request("get", f"/v1/{collection}/{quote(object_id, safe='')}").data


def fetch_event_object(event) -> tuple[str, dict]:
    """Re-fetch from the API what a handled ``event`` is about: ``(kind, object)``, the object a plain dict, for
    :func:`apply_fetched`. Only HTTP, no database: the webhook calls it before it opens a transaction, so that no row
    lock is ever held while Stripe answers. An invoice's PaymentIntent comes back as its invoice."""
    kind, object_id = HANDLED_EVENTS[event["type"]], _object_id(event)
    if kind == "payment_intent":
        intent = _retrieve_json("payment_intents", object_id)
        if intent.get("invoice"):
            return "invoice", _retrieve_json("invoices", intent["invoice"])
        return kind, intent
    if kind == "invoice":
        return kind, _retrieve_json("invoices", object_id)
    return kind, _plain(retrieve_subscription(object_id))


APPLIERS = {"payment_intent": apply_payment_intent, "invoice": apply_invoice, "subscription": apply_subscription}


def apply_fetched(kind: str, obj: dict) -> str:
    """Bring the ledger in line with an object :func:`fetch_event_object` returned, without calling the API. Returns
    what changed ("" if the ledger already agreed); raises what went wrong."""
    return APPLIERS[kind](obj)


# --- Reconciliation -------------------------------------------------------------------------------------------


def reconcile(*, since: int) -> list[str]:
    """Compare recent Stripe objects (created at or after the Unix time ``since``) with the ledger and repair it.
    Returns what changed; a second run returns nothing."""
    api = configure()
    changes = []
    # localstripe filters lists by nothing but ``limit``: filter by date here (Stripe lists newest first).
    for intent in map(_plain, api.PaymentIntent.list(limit=100).auto_paging_iter()):
        if intent["created"] >= since and not intent.get("invoice"):
            changes.append(apply_payment_intent(intent))
    for invoice in map(_plain, api.Invoice.list(limit=100).auto_paging_iter()):
        if invoice["created"] >= since:
            changes.append(apply_invoice(invoice))
    live = Contribution.objects.filter(method="card", provider_subscription_id__isnull=False)
    for contribution in live.exclude(status__in=[C.CANCELLED, C.REFUNDED, C.COMPLETED]):
        changes.append(apply_subscription(retrieve_subscription(contribution.provider_subscription_id)))
    return [change for change in changes if change]
