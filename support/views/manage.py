"""“Manage my support”: ask for a link by email (``/support/manage/``), then, through that link
(``/support/manage/<signed>/``), see one's contributions, cancel a regular one, change its amount, or erase one's data;
and replace the card of a card subscription (``/support/manage/<signed>/card/<id>/``, the one page here that loads
Stripe.js, with the card step's widened Content-Security-Policy, and its two JSON endpoints).

Thin edges: each view parses, checks the signed link (``support.receipts``), calls one action and renders. Every page
here is personal or answers a personal request: ``private, no-store``, ``noindex``, and no referrer, so the link's
token never leaves in a ``Referer`` header.

No CSRF token and no cookie (``csrf_exempt``), for the same reasons as the reminder and checkout forms: a reader here
has no session and no login, and a CSRF cookie would leave a year-long trace of these pages on the device of a person
at risk; browsers under our no-referrer policy also send ``Origin: null``, which Django's check refuses. What protects
them instead:
* the request form acts for nobody: a forged POST can only mail a link to the address's owner, within the limits;
* the actions need the signed link in the URL, which only the address's owner has (a forger cannot put it in a form),
  *and* a signed form token bound to that supporter, that action and that contribution. The card page's endpoints
  are the same: the link in their path, and the card page's form token (action ``card``, that contribution) in the
  body, sent by ``card.js``.
"""

import logging

from django import forms
from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.actions import Actor
from core.client_address import client_address
from core.email_address import EmailAddressField
from core.errors import DomainError
from core.money import AmountError, amount_for_input, parse_amount
from core.onion import is_onion_request
from core.pages import private, render_in
from support.actions.manage import (
    OPEN_STATUSES,
    can_change_amount,
    can_replace_card,
    change_contribution_amount,
    erase_supporter,
    prepare_card_replacement,
    replace_card,
    request_manage_link,
    stop_recurring,
)
from support.cards import state as card_state
from support.dunning.actions import set_do_not_contact
from support.dunning.marker import browser_marker
from support.models import Supporter
from support.receipts import (
    FREQUENCY_LABELS,
    MANAGE_LINK_MINUTES,
    METHOD_LABELS,
    BadLink,
    ManageLink,
    check_form_token,
    form_token,
    read_manage_link,
    take_manage_ip_allowance,
)
from support.reminders import LimitReached, email_digest
from support.views.card import card_step_csp

logger = logging.getLogger(__name__)

MAX_FORM_BYTES = 4 * 1024

#: What a redirect after an action says (``?done=…``); anything else in the query is ignored.
DONE_MESSAGES = {
    "cancelled": _("Your regular contribution is cancelled."),
    "cancelled_bank": _(
        "Your regular contribution is cancelled. Please also stop your standing order at your bank: we cannot stop it"
        " for you."
    ),
    "cancelled_crypto": _("Your regular contribution is cancelled. No further payments are expected."),
    "amount": _("The new amount is recorded. Please change your standing order or your wallet's payment to match."),
    "amount_card": _("The new amount is set: your card will be charged it from the next payment on."),
    "card": _("Your new card is saved: it will pay the next payments."),
    "unchanged": _("Nothing has changed."),
    "quiet": _("We will send you no more notices or reminders, only receipts and the links you ask for."),
    "contact": _("We will send you notices before a renewal and reminders when a payment fails."),
}


class EmailForm(forms.Form):
    email = EmailAddressField(error_messages={"required": _("Enter your email address.")})


def _language(value):
    return value if value in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _render(request, template, context, *, language, status=200):
    response = private(render_in(request, template, context, language=language, status=status))
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _request_page(request, form, *, language, status=200, message=""):
    context = {"form": form, "email": form.data.get("email", "")[:254] if form.is_bound else "", "message": message}
    context["language"] = language
    return _render(request, "support/manage.html", context, language=language, status=status)


@csrf_exempt  # see the module's docstring
@require_http_methods(["GET", "HEAD", "POST"])
def manage(request):
    """The form that asks for a manage link, and its POST: the same answer whether or not we know the address."""
    if request.method != "POST":
        return _request_page(request, EmailForm(), language=_language(request.GET.get("lang")))
    language = _language(request.POST.get("lang"))
    try:
        too_big = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_FORM_BYTES
    except ValueError:
        too_big = True
    if too_big:
        message = _("That was more than this form sends. Please fill in the form again.")
        return _request_page(request, EmailForm(), language=language, status=413, message=message)
    form = EmailForm(request.POST)
    with translation.override(language):
        valid = form.is_valid()
    if not valid:
        message = _("Please correct the form below. Nothing has been sent.")
        return _request_page(request, form, language=language, status=400, message=message)
    try:
        take_manage_ip_allowance(client_address(request))
        request_manage_link(
            actor=Actor.reader(), email=form.cleaned_data["email"], language=language, onion=is_onion_request(request)
        )
    except LimitReached as error:
        return _request_page(request, form, language=language, status=error.status, message=error.message)
    context = {"minutes": MANAGE_LINK_MINUTES}
    return _render(request, "support/manage_sent.html", context, language=language)


# --- The page behind the link -----------------------------------------------------------------------------------------


def _outcome_page(request, outcome, *, language, status=200, message=""):
    context = {"outcome": outcome, "message": message}
    return _render(request, "support/manage_link.html", context, language=language, status=status)


def _supporter_of(link: ManageLink):
    """The supporter the link is for, or None if they are gone (erased) or the id now names another address."""
    supporter = Supporter.objects.filter(pk=link.supporter_id).first()
    if supporter is None or email_digest(supporter.email) != link.email_digest:
        return None
    return supporter


def _rows(supporter, link, link_token, language):
    rows = []
    contributions = supporter.contributions.prefetch_related("payments").order_by("-created_at", "-pk")
    for contribution in contributions:
        running = contribution.is_recurring and contribution.status in OPEN_STATUSES
        payments = [
            {
                "date": payment.succeeded_at or payment.created_at,
                "amount": payment.money.format(language),
                "status": payment.get_status_display(),
            }
            for payment in sorted(contribution.payments.all(), key=lambda payment: (payment.created_at, payment.pk))
        ]
        rows.append(
            {
                "id": contribution.pk,
                "reference": contribution.reference,
                "amount": contribution.money.format(language),
                "currency": contribution.currency,
                "frequency": FREQUENCY_LABELS.get(contribution.frequency, contribution.frequency),
                "method": METHOD_LABELS.get(contribution.method, contribution.method),
                "method_key": contribution.method,
                "status": contribution.get_status_display(),
                "status_key": contribution.status,
                "payments": payments,
                "cancel_token": form_token(link, "cancel", contribution.pk) if running else "",
                "amount_token": form_token(link, "amount", contribution.pk) if can_change_amount(contribution) else "",
                "amount_value": amount_for_input(contribution.amount, language),
                "card_url": (
                    reverse("support:manage_card", args=[link_token, contribution.pk])
                    if can_replace_card(contribution)
                    else ""
                ),
            }
        )
    return rows


def _contributions_page(request, token, link, supporter, *, status=200, message="", notice="", error_for=None):
    language = link.language
    with translation.override(language):
        rows = _rows(supporter, link, token, language)
    context = {
        "rows": rows,
        "token": token,
        "message": message,
        "notice": notice,
        "error_for": error_for,
        "erase_token": form_token(link, "erase"),
        "do_not_contact": supporter.do_not_contact,
        "contact_token": form_token(link, "contact"),
        # what the reader script keeps about this browser: a supporter's, a former supporter's, or to forget
        "browser_marker": browser_marker(supporter, supporter.contributions.all()),
    }
    return _render(request, "support/manage_contributions.html", context, language=language, status=status)


def _contribution_id(value):
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


@csrf_exempt  # see the module's docstring
@require_http_methods(["GET", "HEAD", "POST"])
def manage_link(request, token):
    """GET shows the contributions; POST does one action named by ``action``, checked by its own form token."""
    try:
        link = read_manage_link(token)
    except BadLink as error:
        return _outcome_page(request, "bad_link", language=settings.LANGUAGE_CODE, status=400, message=error.message)
    supporter = _supporter_of(link)
    if request.method != "POST":
        if supporter is None:
            return _outcome_page(request, "nothing_kept", language=link.language)
        done = DONE_MESSAGES.get(request.GET.get("done", ""), "")
        return _contributions_page(request, token, link, supporter, notice=done)
    if supporter is None:  # erased already (a second click on “erase”): there is nothing left to act on
        return _outcome_page(request, "nothing_kept", language=link.language)
    try:
        too_big = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_FORM_BYTES
    except ValueError:
        too_big = True
    data = request.POST
    action = data.get("action", "") if not too_big else ""
    contribution_id = _contribution_id(data.get("contribution")) if action in ("cancel", "amount") else None
    with translation.override(link.language):
        try:
            if action not in ("cancel", "amount", "erase", "erase_confirmed", "contact"):
                raise BadLink(_("This form has expired or was changed. Please open the page again and repeat."))
            check_form_token(data.get("form_token", ""), link, action, contribution_id)
            if action == "erase":  # the first click only asks to be sure
                context = {"token": token, "form_token": form_token(link, "erase_confirmed")}
                return _render(request, "support/manage_erase.html", context, language=link.language)
            if action == "erase_confirmed":
                erase_supporter(actor=Actor.reader(), supporter_id=supporter.pk)
                return _outcome_page(request, "erased", language=link.language)
            if action == "contact":  # "don't contact me", or contact again
                quiet = data.get("quiet", "") == "1"
                changed = set_do_not_contact(actor=Actor.reader(), supporter_id=supporter.pk, quiet=quiet)
                return _done(token, ("quiet" if quiet else "contact") if changed else "unchanged")
            if action == "cancel":
                method = supporter.contributions.filter(pk=contribution_id).values_list("method", flat=True).first()
                changed = stop_recurring(
                    actor=Actor.reader(), supporter_id=supporter.pk, contribution_id=contribution_id
                )
                done = {"bank_transfer": "cancelled_bank", "crypto": "cancelled_crypto"}.get(method, "cancelled")
                return _done(token, done if changed else "unchanged")
            # action == "amount"
            currency = supporter.contributions.filter(pk=contribution_id).values_list("currency", flat=True).first()
            if currency is None:
                raise DomainError(_("There is no such contribution among yours."))
            try:  # as the reader writes amounts in their language, in the contribution's own currency
                amount = parse_amount(data.get("amount", "")[:40], link.language, currency)
            except AmountError as error:
                raise DomainError(error.message) from None
            changed = change_contribution_amount(actor=Actor.reader(), contribution_id=contribution_id, amount=amount)
            method = supporter.contributions.filter(pk=contribution_id).values_list("method", flat=True).first()
            return _done(token, ("amount_card" if method == "card" else "amount") if changed else "unchanged")
        except (BadLink, DomainError) as error:
            message = str(error.message)
    return _contributions_page(request, token, link, supporter, status=400, message=message, error_for=contribution_id)


def _done(token, outcome):
    response = HttpResponseRedirect(reverse("support:manage_link", args=[token]) + f"?done={outcome}")
    response.status_code = 303  # a reload does not send the form again
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Replacing the card of a card subscription ------------------------------------------------------------------------


def _card_contribution(supporter, contribution_id):
    contribution = supporter.contributions.filter(pk=contribution_id).first()
    if contribution is None or not can_replace_card(contribution):
        raise DomainError(_("Only the card of a running card contribution can be replaced."))
    return contribution


@card_step_csp
def _card_page(request, context, *, language):
    """The card form: with the pay page's card step, the only page that loads Stripe.js."""
    return _render(request, "support/manage_card.html", context, language=language)


@require_safe
def manage_card(request, token, contribution_id):
    """``/support/manage/<signed>/card/<id>/``: a card widget that sets up a new card for one card subscription.
    Without JavaScript it says so and points to cancelling and to the ways of giving that need none."""
    try:
        link = read_manage_link(token)
    except BadLink as error:
        return _outcome_page(request, "bad_link", language=settings.LANGUAGE_CODE, status=400, message=error.message)
    supporter = _supporter_of(link)
    if supporter is None:
        return _outcome_page(request, "nothing_kept", language=link.language)
    language = link.language
    with translation.override(language):
        try:
            contribution = _card_contribution(supporter, contribution_id)
        except DomainError as error:
            return _contributions_page(request, token, link, supporter, status=404, message=str(error.message))
        context = {
            "token": token,
            "reference": contribution.reference,
            "amount": contribution.money.format(language),
            "form_token": form_token(link, "card", contribution.pk),
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "prepare_url": reverse("support:manage_card_prepare", args=[token, contribution.pk]),
            "confirm_url": reverse("support:manage_card_confirm", args=[token, contribution.pk]),
            "done_url": reverse("support:manage_link", args=[token]) + "?done=card",
        }
    return _card_page(request, context, language=language)


def _json(data, status=200):
    response = JsonResponse(data, status=status)
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _card_endpoint(request, token, contribution_id, step):
    """Both JSON endpoints of the card page: the signed link, then the page's form token, then one action."""
    try:
        link = read_manage_link(token)
    except BadLink as error:
        return _json({"status": "error", "message": str(error.message)}, status=400)
    with translation.override(link.language):
        supporter = _supporter_of(link)
        if supporter is None:
            return _json({"status": "error", "message": _("We keep no contribution for this link.")}, status=404)
        try:
            too_big = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_FORM_BYTES
        except ValueError:
            too_big = True
        if too_big:
            return _json({"status": "error", "message": _("That was more than this form sends.")}, status=413)
        try:
            check_form_token(request.POST.get("form_token", ""), link, "card", contribution_id)
            if step == "prepare":
                # Setting up a card asks the bank whether it is good, which is what card testers want to learn:
                # while card payments are paused site-wide (support.cards), no new card is set up here either.
                if card_state.card_paused():
                    message = _(
                        "Card payments are paused for a short while, for safety. Your card has not been replaced; "
                        "please try again later."
                    )
                    return _json({"status": "paused", "message": message}, status=503)
                prepared = prepare_card_replacement(supporter_id=supporter.pk, contribution_id=contribution_id)
                return _json(
                    {"client_secret": prepared["client_secret"], "publishable_key": settings.STRIPE_PUBLISHABLE_KEY}
                )
            setup_intent = request.POST.get("setup_intent", "")[:255]
            if not setup_intent:
                return _json({"status": "error", "message": _("Nothing was sent.")}, status=400)
            replace_card(
                actor=Actor.reader(),
                supporter_id=supporter.pk,
                contribution_id=contribution_id,
                setup_intent=setup_intent,
            )
            return _json({"status": "succeeded"})
        except BadLink as error:
            return _json({"status": "error", "message": str(error.message)}, status=400)
        except DomainError as error:
            return _json({"status": "error", "message": str(error.message)}, status=409)
        except Exception:
            logger.exception(
                "manage: replacing the card of contribution #%s failed at the %s step", contribution_id, step
            )
            message = _("The card provider is not reachable now. Your card has not been replaced; please try again.")
            return _json({"status": "error", "message": message}, status=503)


@csrf_exempt  # see the module's docstring
@require_POST
def manage_card_prepare(request, token, contribution_id):
    """A SetupIntent for the card typed on the card page: ``{client_secret, publishable_key}``. No money moves."""
    return _card_endpoint(request, token, contribution_id, "prepare")


@csrf_exempt  # see the module's docstring
@require_POST
def manage_card_confirm(request, token, contribution_id):
    """The SetupIntent Stripe.js confirmed (``setup_intent``) becomes the card of the subscription:
    ``{status: succeeded}``, or ``{status: error, message}``."""
    return _card_endpoint(request, token, contribution_id, "confirm")
