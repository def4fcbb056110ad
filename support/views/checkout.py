"""Checkout: the form at /support/, each contribution's pay page, and the QR codes of the crypto addresses.

Thin edges: the form view parses and validates (``support.checkout``), calls one action (``start_contribution``) and
the provider's ``start`` (which prepares, never moves money), and sends the reader on with a 303. Everything works
without JavaScript. A card checkout first asks the card-testing defence (``support.cards.starts``: blocked sources,
limits on starting); a refused one stores nothing and shows the form again.

The form and the pay page are personal (a one-time token; a reference and amount), so they are ``private, no-store``
and never reading pages: no shared cache, mirror or page cache may keep them.
"""

from contextlib import suppress
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from core.actions import Actor
from core.errors import DomainError
from core.money import Money, amount_for_input, parse_amount
from core.pages import private, render_in
from support import start_limits
from support.actions.contributions import start_contribution
from support.cards import starts as card_starts
from support.checkout import (
    FREQUENCY_LABELS,
    MAX_FORM_BYTES,
    OTHER,
    CheckoutForm,
    FormTokenError,
    amount_fields,
    claim,
    issue_token,
    offer_for,
    plain,
    read_token,
    referrer_host,
    release,
    remember,
    resolve_where,
)
from support.models import Contribution
from support.prefill import FREQUENCIES, read_prefill
from support.providers.base import ProviderStep, pay_page_url
from support.providers.crypto import qr_png
from support.providers.registry import enabled_providers, get_provider
from support.views.card import card_step_csp

EXAMPLE_AMOUNT = Decimal("7.50")  # the other amount's placeholder, written the language's way: "7.50", "7,50"


_private = private


def _render(request, template, context, *, language, status=200):
    return private(render_in(request, template, context, language=language, status=status))


def _tabs(where, frequency, currency):
    tabs = []
    for key in FREQUENCIES:
        query = {"frequency": key, "currency": currency, "variant": where.arm, "article": where.article_id or ""}
        query["lang"] = where.language
        url = "/support/?" + urlencode({name: value for name, value in query.items() if value})
        tabs.append({"key": key, "label": FREQUENCY_LABELS[key], "url": url, "current": key == frequency})
    return tabs


def _ladder(offer, frequency, code, given, language):
    """One currency's ladder as the form shows it. ``given``: (the radio value, the other amount) as sent or
    prefilled, or None for the suggestion."""
    amounts = offer.ladder(frequency, code)
    values = [plain(amount) for amount in amounts]
    if given is None:
        choice, other = plain(offer.suggested(frequency, code)), ""
    else:
        radio, other = given
        with suppress(ValueError, ArithmeticError):  # "10.00" is the ladder's "10"; what is no amount stays as it is
            radio = plain(parse_amount(radio, language, code)) if radio not in ("", OTHER) else radio
        if radio in values:
            choice, other = radio, ""
        elif radio not in ("", OTHER):  # an amount off the ladder: a prefill, shown as another amount
            choice, other = OTHER, radio
        else:
            choice = OTHER if radio == OTHER or other else ""  # nothing picked: nothing checked
    example = None
    try:
        shown = Money(parse_amount(choice if choice not in ("", OTHER) else other, language, code), code)
        if shown.amount <= offer.maximum(code).amount:
            example = {"fee": offer.fee(shown).format(language), "amount": shown.format(language)}
    except (ValueError, ArithmeticError):
        pass
    return {
        "currency": code,
        "amounts": [
            (value, Money(amount, code).format(language)) for value, amount in zip(values, amounts, strict=True)
        ],
        "choice": choice,
        "other_amount": other if choice == OTHER else "",
        "placeholder": amount_for_input(EXAMPLE_AMOUNT, language),
        "minimum": offer.minimum(frequency, code).format(language),
        "fee_example": example,
    }


def _form_page(request, where, offer, state, *, token, status=200, message="", notes=(), form=None):
    """The checkout page with the form in ``state`` (what is chosen), in the campaign's language."""
    language = where.language
    frequency = state["frequency"] if state["frequency"] in FREQUENCIES else "monthly"
    currency = state["currency"] if state["currency"] in offer.currencies else offer.currencies[0]
    ladders = [_ladder(offer, frequency, code, state["amounts"].get(code), language) for code in offer.currencies]
    percent = format(offer.fee_percent.normalize(), "f")
    context = {
        "offer": offer,
        "campaign": where.campaign,
        "where": where,
        "tabs": _tabs(where, frequency, currency),
        "frequency": frequency,
        "ladders": ladders,
        "currency": currency,
        "cover_fees": state["cover_fees"],
        "fee_percent": percent.replace(".", ",") if language == "ru" else percent,
        "method": state["method"],
        "email": state["email"],
        "token": token,
        "message": message,
        "notes": notes,
        "form": form,
    }
    if status == 200:
        from support.figures import figures_for, placeholder_values

        context["figures"] = figures = figures_for(where.campaign)
        context["values"] = placeholder_values(where.campaign, figures, language)
        context["language_alternates"] = _language_alternates()
    return _render(request, "support/checkout.html", context, language=language, status=status)


def _language_alternates():
    """The support page in each language (``?lang=``), for its ``<link rel="alternate" hreflang>``: absolute, each
    naming every other, the site's language the x-default."""
    page = settings.CANONICAL_URL + "/support/"
    alternates = [
        (code, page if code == settings.LANGUAGE_CODE else f"{page}?lang={code}") for code, _ in settings.LANGUAGES
    ]
    return [*alternates, ("x-default", page)]


def _where_of(params):
    return resolve_where(
        variant=params.get("variant", ""), article=params.get("article", ""), lang=params.get("lang", "")
    )


def _closed_page(request, language, *, status=200, message=""):
    return _render(request, "support/checkout.html", {"message": message}, language=language, status=status)


# No CSRF token, and no cookie: the form acts for nobody. A reader is anonymous here (no session, no login), so a
# forged POST can do no more than the forger could by filling in the form: start a pending contribution that moves no
# money and sends no mail. A CSRF cookie would also leave a year-long trace of this page on a reader's device, and
# under our no-referrer policy browsers send "Origin: null" with the form, which Django's CSRF check refuses. The
# signed one-time token in the form (support.checkout) is what keeps a double submission from counting twice.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request):
    """Every Support link leads here: the gap, the reader's prefilled choice (validated), the form."""
    if request.method == "POST":
        return submit(request)
    query = request.GET
    where = _where_of(query)
    if where.campaign is None:
        return _closed_page(request, where.language)
    offer = offer_for(where.campaign)
    prefill = read_prefill(query, where.campaign, offer.currencies)
    amounts = {}
    if prefill.amount is not None:  # the prefilled amount in its currency; every other ladder shows its suggestion
        amounts[prefill.currency] = (plain(prefill.amount.amount), plain(prefill.amount.amount))
    state = {
        "frequency": prefill.frequency,
        "amounts": amounts,
        "currency": prefill.currency,
        "cover_fees": False,
        "method": "",
        "email": "",
    }
    token = issue_token(referrer_host(request))
    return _form_page(request, where, offer, state, token=token, notes=prefill.problems)


def _state_of(form):
    data = form.data
    currency = data.get("currency", "")[:3]
    amounts = {}
    for code in form.offer.currencies:  # each ladder as sent; the chosen currency's from the fields the form read
        names = amount_fields(data, code) if code == currency else (f"amount_{code}", f"other_amount_{code}")
        if any(name in data for name in names):
            amounts[code] = tuple(data.get(name, "")[:20] for name in names)
    return {
        "frequency": data.get("frequency", ""),
        "amounts": amounts,
        "currency": currency,
        "cover_fees": bool(data.get("cover_fees")),
        "method": data.get("method", "")[:20],
        "email": data.get("email", "")[:254],
    }


def submit(request):
    """POST /support/: validate, start the contribution once, and send the reader to what the provider says next."""
    try:
        too_big = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_FORM_BYTES
    except ValueError:
        too_big = True
    if too_big:
        with translation.override(settings.LANGUAGE_CODE):
            message = _("That was more than this form sends. Please fill in the form again.")
        return _closed_page(request, settings.LANGUAGE_CODE, status=413, message=message)
    data = request.POST
    where = _where_of(data)
    if where.campaign is None:
        return _closed_page(request, where.language, status=400)
    offer = offer_for(where.campaign)
    form = CheckoutForm(data, offer=offer)
    with translation.override(where.language):
        valid = form.is_valid()
        try:
            token = read_token(data.get("token", ""))
        except FormTokenError as error:
            token, problem = None, error.message
        else:
            problem = "" if valid else _("Please correct the form below. Nothing has been saved.")

    def again(status, message, *, choose_method=False):
        fresh = issue_token(token.referrer_host if token else "")
        state = _state_of(form)
        if choose_method:  # the chosen way cannot be used now: none is preselected, so the reader picks another
            state["method"] = ""
        return _form_page(request, where, offer, state, token=fresh, status=status, message=message, form=form)

    if problem:
        return again(400, problem)
    digest = form.choice_digest()
    earlier = claim(token, digest)
    if earlier is not None:
        if earlier.url and earlier.same_choice:  # the same form sent twice: where the first one led
            return _see_other(earlier.url)
        with translation.override(where.language):
            if earlier.url:
                message = _("You had already sent this form, with another choice. Send it again to make this one.")
            else:
                message = _("Your first click is still being handled. Please wait a moment and reload this page.")
        return again(409, message)
    chosen = form.cleaned_data
    provider = offer.method(chosen["method"]).provider
    if provider.key == "card":  # the card-testing defence, before anything is stored or asked of Stripe
        refused = card_starts.refusal(request, email=chosen.get("email") or "")
    else:  # bank transfer and crypto: their own limits on starting, before anything is stored
        refused = start_limits.refusal(request, provider.key, email=chosen.get("email") or "")
    if refused is not None:
        release(token)
        with translation.override(where.language):
            response = again(refused.status, str(refused.message), choose_method=provider.key == "card")
        if refused.retry_after:
            response["Retry-After"] = str(refused.retry_after)
        return response
    try:
        contribution = start_contribution(
            actor=Actor.reader(),
            amount=chosen["total"],
            frequency=chosen["frequency"],
            method=provider.key,
            campaign=where.campaign,
            email=chosen.get("email") or "",
            language=where.language,
            covers_fees=bool(chosen.get("cover_fees")),
            arm=where.arm,
            article_id=where.article_id,
            referrer_host=token.referrer_host,
        )
    except DomainError as error:  # nothing was stored: the reader may send the same form again
        release(token)
        return again(503, error.message)
    except BaseException:
        release(token)
        raise
    try:
        step = provider.start(contribution, request)
    except DomainError:  # the contribution exists: its own page shows what can be done (and can retry)
        step = ProviderStep(url=pay_page_url(contribution))
    except BaseException:
        remember(token, digest, pay_page_url(contribution))  # a second click leads to it, not to a second one
        raise
    remember(token, digest, step.url)
    return _see_other(step.url)


def _see_other(url):
    response = HttpResponseRedirect(url)
    response.status_code = 303  # the browser follows with a GET: reload never sends the form again
    return _private(response)


@require_safe
def pay(request, public_id):
    """A contribution's own page: how to pay it (the provider's instructions) or, once paid, thanks. Never shows the
    supporter's email; its address (an unguessable id) is the only key to it."""
    contribution = Contribution.objects.filter(public_id=public_id).first()
    if contribution is None:
        raise Http404
    language = contribution.language if contribution.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    provider = get_provider(contribution.method)
    status = contribution.status
    context = {
        "contribution": contribution,
        "provider": provider,
        "instructions": None,
        "amount_label": contribution.money.format(language),
    }
    if status in (Contribution.Status.ACTIVE, Contribution.Status.COMPLETED):
        template = "support/thanks.html"
    else:
        template = "support/pay_page.html"
        if status in (Contribution.Status.PENDING, Contribution.Status.FAILED) and provider is not None:
            context["instructions"] = provider.instructions(contribution, language)
    if context["instructions"] is not None and provider.key == "card":
        response = _card_step(request, template, context, language=language)
    else:
        response = _render(request, template, context, language=language)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@card_step_csp
def _card_step(request, template, context, *, language):
    """The pay page with the card fields: the only page that loads Stripe.js."""
    return _render(request, template, context, language=language)


@require_safe
def qr_code(request, asset):
    """/support/qr/<asset>.png: the QR code of one configured address. The same for everyone, so cacheable."""
    provider = enabled_providers().get("crypto")
    address = provider.address_for(asset) if provider is not None else None
    if address is None:
        raise Http404
    response = HttpResponse(qr_png(address), content_type="image/png")
    patch_cache_control(response, public=True, max_age=settings.SUPPORT_QR_MAX_AGE)
    return response
