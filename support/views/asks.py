"""Support endpoints that are not checkout: the live goal, the reader script's counters, and small pages."""

import json

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from core.actions import Actor
from core.reading import mark_reading
from support import beacons
from support.actions.stats import count_ask_events
from support.arms import valid_arms
from support.figures import goal_document
from support.models import Campaign
from support.models.stats import EVENT_KINDS
from support.views.localized import localized_url, page_language

MAX_BEACON_BYTES = 8 * 1024
MAX_BEACON_EVENTS = 100


@require_safe
def goal_json(request):
    """The live figures of every active campaign, by language. Public, cacheable for a minute."""
    campaigns = {c.language: goal_document(c) for c in Campaign.objects.filter(is_active=True)}
    response = JsonResponse({"campaigns": campaigns}, json_dumps_params={"ensure_ascii": False, "sort_keys": True})
    return mark_reading(response, max_age=settings.GOAL_MAX_AGE, cache_seconds=settings.GOAL_MAX_AGE)


def _refuse(message, status=400, retry_after=None):
    response = JsonResponse({"error": message}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def parse_beacon(body):
    """Validate a beacon body. Returns (campaign id, [(arm, kind)], None) or (None, None, error message)."""
    if len(body) > MAX_BEACON_BYTES:
        return None, None, f"The body is larger than {MAX_BEACON_BYTES} bytes."
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # deep nesting exhausts the parser's recursion
        return None, None, "The body is not JSON."
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("campaign"), int)
        or isinstance(data.get("campaign"), bool)
    ):
        return None, None, 'Expected {"campaign": <id>, "events": [[arm, kind], …]}.'
    events = data.get("events")
    if not isinstance(events, list) or not events:
        return None, None, "“events” must be a non-empty list."
    if len(events) > MAX_BEACON_EVENTS:
        return None, None, f"At most {MAX_BEACON_EVENTS} events at a time."
    pairs = []
    for event in events:
        if not (isinstance(event, list) and len(event) == 2 and all(isinstance(part, str) for part in event)):
            return None, None, "Each event is [arm, kind]."
        if event[1] not in EVENT_KINDS:
            return None, None, f"Unknown event kind “{event[1][:40]}”."
        pairs.append((event[0], event[1]))
    return data["campaign"], pairs, None


@csrf_exempt  # anonymous counters: no session, no cookie, nothing to forge on a reader's behalf
@require_POST
def ask_events(request):
    """Anonymous impression/click/close counters from the reader script (sendBeacon). Stores no id, IP or cookie;
    ``support.beacons`` keeps each client to a rate and to clicks and closes its impressions can explain."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit():
        return _refuse("The Content-Length header is not a number.")
    if int(declared) > MAX_BEACON_BYTES:
        return _refuse(f"The body is larger than {MAX_BEACON_BYTES} bytes.", status=413)
    campaign_id, events, error = parse_beacon(request.body)
    if error:
        return _refuse(error)
    campaign = Campaign.objects.filter(pk=campaign_id, is_active=True).first()
    if campaign is None:
        return _refuse("No such active campaign.")
    arms = valid_arms(campaign)
    unknown = sorted({arm for arm, _kind in events if arm not in arms})
    if unknown:
        return _refuse(f"Unknown variant “{unknown[0][:60]}”.")
    refusal = beacons.admit(request, campaign, events)
    if refusal is not None:
        return _refuse(refusal.message, refusal.status, refusal.retry_after)
    count_ask_events(actor=Actor.reader(), campaign=campaign, events=events)
    return HttpResponse(status=204)


@require_safe
def already_supporting(request, language=None):
    """“I already support”: the reader script remembers it in this browser; nothing is sent or stored here. In
    every language at its own address (``/support/ru/already/``); ``?lang=`` on the default one leads there."""
    asked = request.GET.get("lang", "")
    if language is None and asked in dict(settings.LANGUAGES) and asked != settings.LANGUAGE_CODE:
        return HttpResponseRedirect(localized_url("support:already", asked))
    language = page_language(language)
    with translation.override(language):
        response = TemplateResponse(request, "support/already.html", {})
        response.render()
    return mark_reading(response)
