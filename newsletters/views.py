"""The public pages of the newsletters: the subscribe form (``/newsletter/``, ``/newsletter/ru/``), the page the
confirmation link opens, and the unsubscribe link (one click from a mail program: RFC 8058's POST).

Thin edges: parse, check, call one action of :mod:`newsletters.actions`, render. Bad input gets the form back with a
message and changes nothing; no request here can produce a 500.
"""

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core.actions import Actor
from core.client_address import client_address
from core.email_address import EmailAddressField
from core.onion import is_onion_request
from core.pages import private, render_in
from core.reading import mark_reading
from newsletters import actions
from newsletters.models import NewsletterList, Subscriber
from newsletters.subscriptions import BadLink, SubscribeError, read_confirm_token, take_client_allowance

MAX_FORM_BYTES = 4 * 1024
TOKEN_LENGTH = 43


class SubscribeForm(forms.Form):
    email = EmailAddressField(error_messages={"required": _("Enter your email address.")})
    lists = forms.MultipleChoiceField(
        choices=NewsletterList.choices,
        error_messages={
            "required": _("Choose at least one of the newsletters."),
            "invalid_choice": _("Choose at least one of the newsletters."),
        },
    )


def _language(value) -> str:
    return value if value in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _render(request, template, context, *, language, status=200):
    return render_in(request, template, {"language": language, **context}, language=language, status=status)


_private = private


def _form_page(request, form, *, language, status=200, message=""):
    data = form.data if form.is_bound else {}
    chosen = data.getlist("lists") if hasattr(data, "getlist") else [NewsletterList.DAILY]
    context = {
        "form": form,
        "email": (data.get("email", "") if data else "")[:254],
        "choices": NewsletterList.choices,
        "chosen": chosen,
        "message": message,
        "action": "/newsletter/ru/" if language == "ru" else "/newsletter/",
    }
    return _render(request, "newsletters/subscribe.html", context, language=language, status=status)


# No CSRF token, as on "Remind me later": the page is the same bytes for every reader. A forged POST can do no more
# than fill in the form: one confirmation mail per address per period, within the limit per client address.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request, language="en"):
    language = _language(language)
    if request.method != "POST":
        return mark_reading(_form_page(request, SubscribeForm(), language=language))
    try:
        too_big = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_FORM_BYTES
    except ValueError:
        too_big = True
    if too_big:
        message = _("That was more than this form sends. Please fill in the form again.")
        return _private(_form_page(request, SubscribeForm(), language=language, status=413, message=message))
    form = SubscribeForm(request.POST)
    with translation.override(language):
        valid = form.is_valid()
        if not valid:
            message = _("Please correct the form below. Nothing has been saved.")
            return _private(_form_page(request, form, language=language, status=400, message=message))
        try:
            take_client_allowance(client_address(request))
            actions.subscribe(
                actor=Actor.reader(),
                email=form.cleaned_data["email"],
                language=language,
                lists=form.cleaned_data["lists"],
                onion=is_onion_request(request),
            )
        except SubscribeError as error:
            return _private(_form_page(request, form, language=language, status=error.status, message=error.message))
    # The same page whether the address was new, known or confirmed: it tells nobody who subscribed before.
    return _private(_render(request, "newsletters/subscribe_sent.html", {}, language=language))


def _outcome(request, outcome, *, language, status=200, message="", **context):
    context = {"outcome": outcome, "message": message, **context}
    return _private(_render(request, "newsletters/outcome.html", context, language=language, status=status))


@require_http_methods(["GET", "POST"])
@csrf_exempt  # the signed token in the path is the proof; the page sets no cookie
def confirm(request, token):
    """GET shows a button (link scanners that open links must not confirm anything); POST confirms."""
    try:
        link = read_confirm_token(token)
    except BadLink as error:
        return _outcome(request, "bad_link", language=settings.LANGUAGE_CODE, status=400, message=error.message)
    subscriber = Subscriber.objects.filter(pk=link.subscriber_id).first()
    if subscriber is None or not subscriber.token.startswith(link.key):
        return _outcome(request, "gone", language=settings.LANGUAGE_CODE)
    if request.method == "GET":
        context = {"token": token, "supporter": actions.supporter_for(subscriber) is not None}
        return _private(_render(request, "newsletters/confirm.html", context, language=subscriber.language))
    try:
        outcome = actions.confirm_subscription(
            actor=Actor.reader(), token=token, same_as_supporter=request.POST.get("same_as_supporter") == "yes"
        )
    except BadLink as error:
        return _outcome(request, "bad_link", language=settings.LANGUAGE_CODE, status=400, message=error.message)
    if not outcome.found:
        return _outcome(request, "gone", language=settings.LANGUAGE_CODE)
    return _outcome(request, "confirmed", language=outcome.language, linked=outcome.linked_supporter)


@require_http_methods(["GET", "POST"])
@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" with no cookie and no token of ours
def unsubscribe(request, token):
    if len(token) > TOKEN_LENGTH:
        return _outcome(request, "unsubscribed", language=settings.LANGUAGE_CODE)
    if request.method == "GET":
        subscriber = Subscriber.objects.filter(token=token).only("language").first()
        if subscriber is None:
            return _outcome(request, "unsubscribed", language=settings.LANGUAGE_CODE)
        return _private(
            _render(request, "newsletters/unsubscribe.html", {"token": token}, language=subscriber.language)
        )
    language = actions.unsubscribe(actor=Actor.reader(), token=token)
    if request.POST.get("List-Unsubscribe") == "One-Click":
        return _private(HttpResponse("unsubscribed\n", content_type="text/plain; charset=utf-8"))
    return _outcome(request, "unsubscribed", language=language or settings.LANGUAGE_CODE)
