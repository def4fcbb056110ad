"""“Remind me later”: the form page and its POST, and the one-click pages the mails link to.

Thin edges: each view parses, checks, calls one action from ``support.actions.reminders`` and renders.
"""

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.actions import Actor
from core.client_address import client_address
from core.email_address import EmailAddressField
from core.onion import is_onion_request
from core.pages import private, render_in
from core.reading import mark_reading
from support.actions.reminders import cancel_reminder, confirm_reminder, forget_address
from support.actions.reminders import request_reminder as request_reminder_action
from support.reminders import (
    DEFAULT_WHEN,
    FORGET_SALT,
    Attribution,
    BadLink,
    ReminderError,
    attribution,
    read_link,
    take_ip_allowance,
)

MAX_FORM_BYTES = 4 * 1024  # the form sends four short fields
WHEN_CHOICES = [("week", _("In a week")), ("month", _("Next month")), ("quarter", _("In three months"))]


class ReminderForm(forms.Form):
    email = EmailAddressField(error_messages={"required": _("Enter your email address.")})
    when = forms.ChoiceField(
        choices=WHEN_CHOICES,
        required=False,  # missing: next month
        error_messages={"invalid_choice": _("Choose when: in a week, next month or in three months.")},
    )


_render, _private = render_in, private


def _form_page(request, where: Attribution, form, *, status=200, message=""):
    when = form.data.get("when") if form.is_bound else None
    context = {
        "form": form,
        "email": form.data.get("email", "")[:254] if form.is_bound else "",
        "when_choices": WHEN_CHOICES,
        "when": when if when in dict(WHEN_CHOICES) else DEFAULT_WHEN,
        "arm": where.arm,
        "article_id": where.article_id,
        # the reader's chosen language, carried by the form when neither the article nor the variant says it
        "chosen_language": ""
        if where.article_id or where.arm or where.language == settings.LANGUAGE_CODE
        else where.language,
        "message": message,
    }
    return _render(request, "support/remind.html", context, language=where.language, status=status)


# No CSRF token: the form sits on public pages that must be the same bytes for every reader (no cookie, no token).
# A forged POST can do no more than the forger could do by filling in the form: one confirmation mail to an address,
# within the limits per address and per IP. Nothing is ever sent later without a click on the link in that mail
# (double opt-in), and a confirmed reminder is moved only by its owner's click.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def remind(request):
    if request.method == "POST":
        return request_reminder(request)
    where = attribution(request.GET.get("variant", ""), request.GET.get("article", ""), request.GET.get("lang", ""))
    response = _form_page(request, where, ReminderForm())
    # Public and the same for every reader, so shared caches (keyed by the whole URL) may keep it. The page cache keys
    # by path only, and the hidden fields come from the query: it must not keep this page (cache_seconds=0).
    return mark_reading(response, cache_seconds=0)


def request_reminder(request):
    try:
        too_big = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_FORM_BYTES
    except ValueError:
        too_big = True
    if too_big:
        nowhere = Attribution(campaign=None, arm="", article_id=None, language=settings.LANGUAGE_CODE)
        message = _("That was more than this form sends. Please fill in the form again.")
        return _private(_form_page(request, nowhere, ReminderForm(), status=413, message=message))
    where = attribution(request.POST.get("variant", ""), request.POST.get("article", ""), request.POST.get("lang", ""))
    form = ReminderForm(request.POST)
    with translation.override(where.language):
        valid = form.is_valid()
    if not valid:
        message = _("Please correct the form below. Nothing has been saved.")
        return _private(_form_page(request, where, form, status=400, message=message))
    try:
        take_ip_allowance(client_address(request))
        request_reminder_action(
            actor=Actor.reader(),
            email=form.cleaned_data["email"],
            when=form.cleaned_data["when"] or DEFAULT_WHEN,
            arm=where.arm,
            article_id=where.article_id,
            language=where.language,
            onion=is_onion_request(request),
        )
    except ReminderError as error:
        return _private(_form_page(request, where, form, status=error.status, message=error.message))
    # The same page whether or not the address already had a reminder: it tells nobody who asked before.
    return _private(_render(request, "support/remind_sent.html", {}, language=where.language))


def _link_page(request, outcome, *, language, status=200, message="", due_on=None):
    context = {"outcome": outcome, "message": message, "due_on": due_on}
    return _private(_render(request, "support/remind_link.html", context, language=language, status=status))


# The links in the mails act on GET: one click is all a reader should need. Each is idempotent and says what it did.
# HEAD (what some link checkers send) is refused rather than acting.
@require_GET
def confirm(request, token):
    try:
        outcome = confirm_reminder(actor=Actor.reader(), token=token)
    except BadLink as error:
        return _link_page(request, "bad_link", language=settings.LANGUAGE_CODE, status=400, message=error.message)
    name = "confirmed" if outcome.found else "confirm_gone"
    return _link_page(request, name, language=outcome.language, due_on=outcome.due_on)


@require_GET
def cancel(request, token):
    try:
        outcome = cancel_reminder(actor=Actor.reader(), token=token)
    except BadLink as error:
        return _link_page(request, "bad_link", language=settings.LANGUAGE_CODE, status=400, message=error.message)
    return _link_page(request, "cancelled" if outcome.found else "cancel_gone", language=outcome.language)


@require_GET
def forget(request, token):
    try:
        link = read_link(token, salt=FORGET_SALT)
    except BadLink as error:
        return _link_page(request, "bad_link", language=settings.LANGUAGE_CODE, status=400, message=error.message)
    if not link.email_digest:
        return _link_page(request, "bad_link", language=settings.LANGUAGE_CODE, status=400)
    deleted = forget_address(actor=Actor.reader(), email_digest=link.email_digest)
    return _link_page(request, "forgotten" if deleted else "nothing_kept", language=link.language)
