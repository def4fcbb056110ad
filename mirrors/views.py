"""Where readers find the current mirrors (REACH.md R2.4): the signed list, its signature and key, the mirrors page in
every language, and its Atom feed.

Everything here is shown from the newest signed list's own bytes (:class:`mirrors.models.MirrorList`), never from the
mirrors table, so the page, the feed and ``mirrors.json`` always say the same and change only when a list is signed;
every app process, the published tree and every export serve the same bytes. Only the public pool is in a list.
Reading pages: the same bytes for everyone, no cookie, no script, cacheable.

Addresses: ``/mirrors.json`` and ``/mirrors.json.minisig``, the same pair under ``/.well-known/samizdat-mirrors.json``,
the key at ``/.well-known/samizdat-mirrors.pub``; ``/mirrors/`` in the default language and ``/mirrors/<language>/``
in the others; ``/mirrors/feed.xml``. Before a first list is signed (``manage.py sign_mirror_list``), each is a 404.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import onion
from core.reading import mark_reading
from mirrors import mirror_list
from mirrors.models import MirrorList
from publishing.feeds import FullTextAtom

FEED_SIZE = 50
SIGNATURE_TYPE = "application/octet-stream"  # what a static host sends for .minisig and .pub (mirrors/apps.py)


def _latest() -> MirrorList:
    latest = mirror_list.latest_list()
    if latest is None:
        raise Http404("No mirror list has been signed yet.")
    return latest


@require_safe
def list_json(request):
    return mark_reading(HttpResponse(_latest().body.encode(), content_type="application/json"))


@require_safe
def list_signature(request):
    return mark_reading(HttpResponse(_latest().signature.encode(), content_type=SIGNATURE_TYPE))


@require_safe
def public_key(request):
    body = mirror_list.public_key_file(_latest().public_key)
    return mark_reading(HttpResponse(body.encode(), content_type=SIGNATURE_TYPE))


def page_url(language: str) -> str:
    """The mirrors page in ``language``: the default language at ``/mirrors/``, the others at ``/mirrors/<code>/``."""
    if language == settings.LANGUAGE_CODE or language not in dict(settings.LANGUAGES):
        return reverse("mirrors:page")
    return reverse("mirrors:page", kwargs={"language": language})


def _moment(moment, language):
    text = formats.date_format(moment, "j E Y, H:i" if language == "ru" else "j F Y, H:i")
    return {"iso": mirror_list.timestamp(moment), "text": f"{text} UTC"}


def page_context(latest: MirrorList, language: str) -> dict:
    payload = mirror_list.parsed(latest)
    alternatives = mirror_list.public_alternatives(payload)
    generated_at = mirror_list.parse_timestamp(payload["generated_at"])
    valid_until = mirror_list.parse_timestamp(payload["valid_until"])
    return {
        "language": language,
        "onions": [entry for entry in alternatives if entry.get("kind") == "onion"],
        "others": [entry for entry in alternatives if entry.get("kind") != "onion"],
        "sequence": payload["sequence"],
        "generated_at": _moment(generated_at, language),
        "valid_until": _moment(valid_until, language),
        "public_key": latest.public_key,
        "fingerprint": mirror_list.fingerprint(latest.public_key),
        "next_public_key": payload.get("next_public_key"),
        "tree_hash": (payload.get("export") or {}).get("tree_hash"),
        "canonical_url": settings.CANONICAL_URL + page_url(language),
        "canonical_root": settings.CANONICAL_URL,
        "translations": [
            {"code": code, "name": name, "url": page_url(code)} for code, name in settings.LANGUAGES if code != language
        ],
    }


@require_safe
def page(request, language=None):
    if language is None:
        language = settings.LANGUAGE_CODE
    elif language == settings.LANGUAGE_CODE or language not in dict(settings.LANGUAGES):
        raise Http404("No such language")
    latest = _latest()
    with translation.override(language):
        response = TemplateResponse(request, "mirrors/page.html", page_context(latest, language))
        response.render()
    response["Content-Language"] = language
    return mark_reading(response, request=request)


def _entry_html(payload) -> str:
    from django.template.loader import render_to_string

    alternatives = mirror_list.public_alternatives(payload)
    return render_to_string(
        "mirrors/feed_entry.html",
        {
            "onions": [entry for entry in alternatives if entry.get("kind") == "onion"],
            "others": [entry for entry in alternatives if entry.get("kind") != "onion"],
            "payload": payload,
        },
    ).strip()


@require_safe
def feed(request):
    """One entry per signed list, newest first, each with the whole public list in it."""
    lists = list(MirrorList.objects.order_by("-sequence")[:FEED_SIZE])
    if not lists:
        raise Http404("No mirror list has been signed yet.")
    canonical = onion.answer_base(request)  # the canonical address, or the mirror an export is rendered for
    with translation.override(settings.LANGUAGE_CODE):
        atom = FullTextAtom(
            title=_("%(site)s: mirrors") % {"site": settings.WAGTAIL_SITE_NAME},
            link=canonical + page_url(settings.LANGUAGE_CODE),
            description=_("Each signing of the list of our mirrors, with every public address in it."),
            feed_url=canonical + reverse("mirrors:feed"),
            feed_guid=canonical + reverse("mirrors:feed"),
            language=settings.LANGUAGE_CODE,
            payment_link=canonical + reverse("support:landing"),
        )
        for signed in lists:
            payload = mirror_list.parsed(signed)
            atom.add_item(
                title=_("Mirror list %(sequence)s") % {"sequence": signed.sequence},
                link=canonical + page_url(settings.LANGUAGE_CODE),
                unique_id=f"{canonical}/mirrors.json#sequence-{signed.sequence}",
                description=_("Valid until %(moment)s.") % {"moment": payload["valid_until"]},
                pubdate=signed.generated_at,
                updateddate=signed.generated_at,
                content=_entry_html(payload),
            )
        body = atom.writeString("utf-8")
    return mark_reading(HttpResponse(body.encode(), content_type=f"{atom.content_type}"))
