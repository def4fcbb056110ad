"""Contributions in the Wagtail admin: the bank transfers and crypto waiting for money (the default list), every
contribution by method (card included) and status, found by reference, a provider's id or (a POST) its supporter's
address; one contribution's page with its payments, its provider's events and its history, the staff actions of
``support.actions.staff`` and, for bank transfer and crypto, “Confirm money received” and “Mark as failed”. (The
bank statement import is ``support.admin.statements``.)

Who may do what (superusers always may):

* ``support.view_contribution`` — see the list and a contribution's page;
* ``support.change_payment`` — confirm or fail a payment and import a statement.

The newsroom's Revenue role holds both (``publishing/roles.py``); Editors and Contributors hold neither.

Views are thin: they parse, check access, call one action (``support.actions.offline_payments``) with
``Actor.staff(user)``, and render. Bad ids are a 404, bad filters a message and a 400, a repeated or stale form a
message — never a 500. Supporters' addresses are shown nowhere."""

import re
import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actions import Actor
from core.email_address import EmailAddressField, canonical_email
from core.errors import DomainError
from core.models import AuditEntry
from support.actions.offline_payments import OFFLINE_METHODS, confirm_offline_payment, fail_offline_payment
from support.actions.staff import (
    CANCELLABLE,
    cancel_by_staff,
    refund_card_payment,
    resend_manage_link,
    resend_receipt,
)
from support.admin.page import AdminPage as BaseAdminPage
from support.cards.state import card_paused
from support.models import Contribution, Payment, ProviderEvent, Supporter
from support.statements import find_references

VIEW_PERMISSION = "support.view_contribution"
CONFIRM_PERMISSION = "support.change_payment"
PER_PAGE = 50
DEFAULT_STATUS = Contribution.Status.PENDING
STATUS_CHOICES = [*Contribution.Status.choices, ("all", gettext_lazy("any status"))]
METHOD_CHOICES = [
    ("", gettext_lazy("Bank transfer and crypto")),
    ("bank_transfer", gettext_lazy("Bank transfer")),
    ("crypto", gettext_lazy("Crypto")),
    ("card", gettext_lazy("Card")),
    ("any", gettext_lazy("Every method")),
]
# What a provider's ids look like (Stripe's PaymentIntent, charge, customer, subscription, invoice): a search for one
# finds its contribution, whichever row of ours holds it.
PROVIDER_ID = re.compile(r"^(?:pi|ch|cus|sub|in|seti)_[A-Za-z0-9]{4,}$")
OPEN_PAYMENT = (Payment.Status.CREATED, Payment.Status.PENDING)
# An email search is kept in the session under an opaque key (the address never in a URL or an access log).
FOUND_SESSION_KEY = "support.contribution-search"
FOUND_KEPT = 10  # searches a session keeps
LARGEST_ID = 2**63 - 1  # beyond a bigint: no such row (and PostgreSQL would refuse the query)


def can_view_contributions(user):
    return user.is_active and user.has_perm(VIEW_PERMISSION)


def can_confirm_payments(user):
    return user.is_active and user.has_perm(CONFIRM_PERMISSION)


class AdminPage(BaseAdminPage):
    """A page of the contributions' side: open to whoever may see contributions unless it says otherwise."""

    permission_check = staticmethod(can_view_contributions)


# --- the list


class ContributionFilterForm(forms.Form):
    """Only renders the choices (the view parses the query string itself, so that bad input gets a clear message)."""

    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=METHOD_CHOICES, required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=STATUS_CHOICES, required=False)
    q = forms.CharField(label=gettext_lazy("Reference or provider id"), required=False)


def parse_filters(query):
    """(method, status, reference search, page number, problems) from the query string; defaults for bad values."""
    problems = []
    method = query.get("method", "").strip()
    if method not in dict(METHOD_CHOICES):
        problems.append(_("There is no method “%(value)s”; showing bank transfer and crypto.") % {"value": method[:40]})
        method = ""
    status = query.get("status", "").strip() or DEFAULT_STATUS
    if status not in dict(STATUS_CHOICES):
        problems.append(_("There is no status “%(value)s”; showing pending ones.") % {"value": status[:40]})
        status = DEFAULT_STATUS
    search = " ".join(query.get("q", "").split())[:80]
    page = query.get("p", "1").strip()
    if not (page.isascii() and page.isdigit() and 0 < int(page) < 10**6):
        problems.append(_("There is no page “%(value)s”; showing the first.") % {"value": page[:40]})
        page = "1"
    return method, status, search, int(page), problems


def matching(search):
    """The contributions a search names: a provider's id (the payment's, the customer's or the subscription's), else
    a reference (“sz abcd efgh” finds SZ-ABCD-EFGH) or a part of one. Never an email address: a search is a GET, and
    its address would be written to the web server's access log."""
    if PROVIDER_ID.match(search):
        ids = Payment.objects.filter(provider_id=search).values("contribution_id")
        return Q(provider_customer_id=search) | Q(provider_subscription_id=search) | Q(pk__in=ids)
    references = find_references(search)
    return Q(reference=references[0]) if references else Q(reference__icontains=search[:40])


def age(moment, now):
    """“3 days”, “5 hours”, “12 minutes”: how long a contribution has been waiting."""
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds >= 2 * 86400:
        return _("%(n)s days") % {"n": seconds // 86400}
    if seconds >= 2 * 3600:
        return _("%(n)s hours") % {"n": seconds // 3600}
    return _("%(n)s minutes") % {"n": seconds // 60}


class ContributionListView(AdminPage):
    template_name = "support/admin/contributions.html"
    page_title = gettext_lazy("Contributions")
    header_icon = "success"

    def get(self, request, *args, **kwargs):
        method, status, search, page_number, problems = parse_filters(request.GET)
        contributions = Contribution.objects.order_by("created_at", "pk")
        if not method:  # the worklist: the money staff confirm by hand
            contributions = contributions.filter(method__in=OFFLINE_METHODS)
        elif method != "any":
            contributions = contributions.filter(method=method)
        if status != "all":
            contributions = contributions.filter(status=status)
        if search:
            contributions = contributions.filter(matching(search))
        found = request.GET.get("found", "")[:40]
        if found:
            searches = request.session.get(FOUND_SESSION_KEY, {})
            if found not in searches:
                problems.append(_("That email search has expired; search again."))
                contributions = contributions.none()
            else:  # every method and status of that address
                contributions = Contribution.objects.order_by("created_at", "pk").filter(supporter_id=searches[found])
        paginator = Paginator(contributions, PER_PAGE)
        if page_number > max(paginator.num_pages, 1):
            problems.append(_("There is no page “%(value)s”; showing the first.") % {"value": page_number})
            page_number = 1
        page = paginator.page(page_number)
        now = timezone.now()
        rows = [
            {
                "contribution": contribution,
                "amount": contribution.money.format(),
                "age": age(contribution.created_at, now),
            }
            for contribution in page.object_list
        ]
        filters = {"method": method, "status": status, "q": search, "found": found}

        def page_url(number):
            return "?" + urlencode({**{k: v for k, v in filters.items() if v}, "p": number})

        context = self.get_context_data(
            form=ContributionFilterForm(initial=filters),
            email_form=EmailSearchForm(),
            found=found,
            problems=problems,
            rows=rows,
            page=page,
            previous_url=page_url(page.previous_page_number()) if page.has_previous() else "",
            next_url=page_url(page.next_page_number()) if page.has_next() else "",
            can_import=can_confirm_payments(request.user),
            card_paused=card_paused(),
        )
        return self.render_to_response(context, status=400 if problems else 200)


# --- one contribution


def payment_field():
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=LARGEST_ID)


class ConfirmForm(forms.Form):
    payment = payment_field()
    transaction_reference = forms.CharField(
        label=gettext_lazy("Statement line (optional)"),
        required=False,
        max_length=255,
        help_text=gettext_lazy("The date and amount of the line, or the bank's transaction number — not a name."),
    )

    def __init__(self, *args, method="bank_transfer", **kwargs):
        super().__init__(*args, **kwargs)
        if method == "crypto":
            field = self.fields["transaction_reference"]
            field.required = True
            field.label = _("Transaction id")
            field.help_text = _("The transaction's id (hash) on the blockchain.")


class FailForm(forms.Form):
    payment = payment_field()
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("For example: no transfer arrived within 30 days."),
    )


def open_payment(contribution):
    """The payment staff would confirm: the oldest one waiting, else (for a contribution not yet paid) the latest
    failed one — money that arrived after all."""
    payments = list(contribution.payments.order_by("created_at", "pk"))
    waiting = [payment for payment in payments if payment.status in OPEN_PAYMENT]
    if waiting:
        return waiting[0]
    failed = [payment for payment in payments if payment.status == Payment.Status.FAILED]
    if failed and contribution.status in (Contribution.Status.PENDING, Contribution.Status.FAILED):
        return failed[-1]
    return None


def provider_events(contribution, payments):
    """The provider's events about this contribution's objects (its payments' intents or invoices, its subscription),
    newest first: what Stripe told us, when, and whether it was applied."""
    ids = {payment.provider_id for payment in payments if payment.provider_id}
    if contribution.provider_subscription_id:
        ids.add(contribution.provider_subscription_id)
    if not ids:
        return []
    return list(ProviderEvent.objects.filter(object_id__in=ids).order_by("-received_at", "-pk")[:50])


def history(contribution, payments):
    """The audit entries of the contribution and its payments, newest first, with staff named by username."""
    entries = list(
        AuditEntry.objects.filter(
            Q(subject_type="support.contribution", subject_id=str(contribution.pk))
            | Q(subject_type="support.payment", subject_id__in=[str(payment.pk) for payment in payments])
        ).order_by("-created_at", "-pk")[:50]
    )
    staff_ids = {entry.actor_id for entry in entries if entry.actor_kind == "staff" and entry.actor_id.isdigit()}
    names = dict(get_user_model().objects.filter(pk__in=staff_ids).values_list("pk", "username"))
    for entry in entries:
        name = names.get(int(entry.actor_id)) if entry.actor_id.isdigit() else None
        entry.actor_label = f"{entry.actor_kind}: {name}" if name else entry.actor_kind
    return entries


class ContributionDetailView(AdminPage):
    template_name = "support/admin/contributions_detail.html"
    header_icon = "success"

    def get_page_title(self):
        return _("Contribution %(reference)s") % {"reference": self.contribution.reference}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("support_contributions"), "label": _("Contributions")},
            {"url": "", "label": self.get_page_title()},
        ]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.contribution = None

    def load(self, pk):
        if pk > LARGEST_ID:
            raise Http404(_("There is no such contribution."))
        self.contribution = Contribution.objects.select_related("campaign").filter(pk=pk).first()
        if self.contribution is None:
            raise Http404(_("There is no such contribution."))
        return self.contribution

    def get(self, request, pk, *args, **kwargs):
        return self.render_page(self.load(pk))

    def render_page(self, contribution, *, confirm_form=None, fail_form=None, status=200):
        payment = open_payment(contribution)
        offline = contribution.method in OFFLINE_METHODS
        may_act = offline and payment is not None and can_confirm_payments(self.request.user)
        initial = {"payment": payment.pk} if payment else {}
        payments = list(contribution.payments.order_by("created_at", "pk"))
        context = self.get_context_data(
            contribution=contribution,
            amount=contribution.money.format(),
            payments=[{"payment": p, "amount": p.money.format()} for p in payments],
            open_payment=payment,
            open_amount=payment.money.format() if payment else "",
            offline=offline,
            may_confirm=may_act,
            may_fail=may_act and payment.status in OPEN_PAYMENT,
            confirm_form=confirm_form or ConfirmForm(initial=initial, method=contribution.method),
            fail_form=fail_form or FailForm(initial=initial),
            has_supporter=contribution.supporter_id is not None,
            may_act=can_confirm_payments(self.request.user),
            may_cancel=contribution.status in CANCELLABLE,
            history=history(contribution, payments),
            events=provider_events(contribution, payments),
            age=age(contribution.created_at, timezone.now()),
        )
        return self.render_to_response(context, status=status)


class PaymentActionView(ContributionDetailView):
    """POST only: check the form, call the action, say what happened, and go back to the list (or show the errors)."""

    http_method_names = ["post"]
    permission_check = staticmethod(can_confirm_payments)
    form_class = None

    def post(self, request, pk, *args, **kwargs):
        contribution = self.load(pk)
        form = self.make_form(request.POST, contribution)
        if not form.is_valid():
            messages.error(request, _("Please correct the form below."))
            return self.render_page(contribution, status=400, **{self.form_context: form})
        payment_id = form.cleaned_data["payment"]
        if not contribution.payments.filter(pk=payment_id).exists():
            messages.error(request, _("That payment is not one of this contribution's; nothing was changed."))
            return redirect("support_contribution", pk=contribution.pk)
        try:
            changed = self.act(Actor.staff(request.user), payment_id, form.cleaned_data)
        except DomainError as error:
            messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": error.message})
            return redirect("support_contribution", pk=contribution.pk)
        if changed:
            messages.success(request, self.done_message % {"reference": contribution.reference})
            return redirect("support_contributions")
        messages.info(request, self.already_message % {"reference": contribution.reference})
        return redirect("support_contribution", pk=contribution.pk)


class ConfirmPaymentView(PaymentActionView):
    form_context = "confirm_form"
    done_message = gettext_lazy("%(reference)s: the money is recorded as received.")
    already_message = gettext_lazy("%(reference)s: that payment was already confirmed; nothing changed.")

    def make_form(self, data, contribution):
        return ConfirmForm(data, method=contribution.method)

    def act(self, actor, payment_id, data):
        return confirm_offline_payment(
            actor=actor, payment_id=payment_id, transaction_reference=data["transaction_reference"]
        )


class FailPaymentView(PaymentActionView):
    form_context = "fail_form"
    done_message = gettext_lazy("%(reference)s: marked as failed.")
    already_message = gettext_lazy("%(reference)s: that payment was already marked as failed; nothing changed.")

    def make_form(self, data, contribution):
        return FailForm(data)

    def act(self, actor, payment_id, data):
        return fail_offline_payment(actor=actor, payment_id=payment_id, reason=data["reason"])


# --- finding a contribution by its supporter's address


class EmailSearchForm(forms.Form):
    email = EmailAddressField(label=gettext_lazy("Supporter's email address"))


class EmailSearchView(AdminPage):
    """POST only: the address is read from the body, its supporter looked up, and the search kept in the session
    under an opaque key the list's URL names — so the address reaches no URL, browser history or access log."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = EmailSearchForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("That is not an email address; nothing was searched."))
            return redirect("support_contributions")
        supporter_id = (
            Supporter.objects.filter(email=canonical_email(form.cleaned_data["email"]))
            .values_list("pk", flat=True)
            .first()
        )
        if supporter_id is None:
            messages.info(request, _("No contribution has that email address."))
            return redirect("support_contributions")
        key = secrets.token_urlsafe(12)
        searches = dict(list(request.session.get(FOUND_SESSION_KEY, {}).items())[-(FOUND_KEPT - 1) :])
        searches[key] = supporter_id
        request.session[FOUND_SESSION_KEY] = searches
        return redirect(reverse("support_contributions") + "?" + urlencode({"found": key}))


# --- staff actions on one contribution: cancel, refund, resend the receipt or the manage link

STAFF_ACTIONS = {
    # name: (needs a payment, the question before, the message after)
    "cancel": (
        False,
        gettext_lazy("Cancel %(reference)s? A card subscription ends at the card provider; nothing is charged again."),
        gettext_lazy("%(reference)s: cancelled."),
    ),
    "refund": (
        True,
        gettext_lazy("Refund payment #%(payment)s of %(reference)s (%(amount)s) in full, through the card provider?"),
        gettext_lazy("%(reference)s: payment #%(payment)s refunded."),
    ),
    "receipt": (
        True,
        gettext_lazy("Send the receipt of payment #%(payment)s of %(reference)s to its supporter again?"),
        gettext_lazy("%(reference)s: the receipt is on its way."),
    ),
    "manage_link": (
        False,
        gettext_lazy("Send the supporter of %(reference)s a new link to manage their support?"),
        gettext_lazy("%(reference)s: the manage link is on its way."),
    ),
}


class StaffActionForm(forms.Form):
    payment = forms.IntegerField(min_value=1, max_value=LARGEST_ID, required=False)
    confirmed = forms.BooleanField(required=False)


class StaffActionView(ContributionDetailView):
    """POST only, twice: the first asks to be sure (a page with the question), the second (``confirmed``) calls the
    action and goes back to the contribution with what happened — or why nothing did."""

    template_name = "support/admin/contribution_action.html"
    http_method_names = ["post"]
    permission_check = staticmethod(can_confirm_payments)

    def post(self, request, pk, action, *args, **kwargs):
        contribution = self.load(pk)
        if action not in STAFF_ACTIONS:
            raise Http404(_("There is no such action."))
        needs_payment, question, done = STAFF_ACTIONS[action]
        form = StaffActionForm(request.POST)
        payment = None
        if form.is_valid() and needs_payment:
            payment = contribution.payments.filter(pk=form.cleaned_data["payment"] or 0).first()
        if not form.is_valid() or (needs_payment and payment is None):
            messages.error(request, _("That payment is not one of this contribution's; nothing was changed."))
            return redirect("support_contribution", pk=contribution.pk)
        words = {
            "reference": contribution.reference,
            "payment": payment.pk if payment else "",
            "amount": payment.money.format() if payment else "",
        }
        if not form.cleaned_data["confirmed"]:
            context = self.get_context_data(
                contribution=contribution, action=action, question=question % words, payment=payment
            )
            return self.render_to_response(context)
        actor = Actor.staff(request.user)
        try:
            if action == "cancel":
                changed = cancel_by_staff(actor=actor, contribution_id=contribution.pk)
            elif action == "refund":
                changed = refund_card_payment(actor=actor, payment_id=payment.pk)
            elif action == "receipt":
                changed = resend_receipt(actor=actor, payment_id=payment.pk)
            else:
                changed = resend_manage_link(actor=actor, contribution_id=contribution.pk)
        except DomainError as error:
            messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": error.message})
            return redirect("support_contribution", pk=contribution.pk)
        if changed:
            messages.success(request, done % words)
        else:
            messages.info(request, _("%(reference)s: that was done already; nothing changed.") % words)
        return redirect("support_contribution", pk=contribution.pk)
