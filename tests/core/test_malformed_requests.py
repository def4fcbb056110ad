"""Malformed requests, sent raw through Django's test client to every family of endpoint (core/request_guard.py):
what cannot be read gets a 400 (a 413 for a body over the limit), what is only odd gets the endpoint's ordinary
answer, never a 5xx, and nothing is written either way.

Where an endpoint writes, the request carries what it would act on (a signed webhook event, a valid reminder request,
a manage link's "cancel" button, a reminder's confirmation link), so a malformed request that got through would show
as a row or an audit entry."""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field, replace
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.test import Client, override_settings
from django.test.client import FakePayload

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from newsletters.actions import subscribe
from newsletters.models import Subscriber
from newsletters.subscriptions import confirm_token
from support.actions.contributions import confirm_payment, start_contribution
from support.actions.reminders import request_reminder
from support.models import AskCounter, Campaign, Supporter
from support.receipts import form_token, manage_token, read_manage_link
from support.reminders import cancel_token, email_digest, forget_token
from tests.support.test_checkout import form_fields

pytestmark = pytest.mark.django_db

EMAIL = "malformed.requests.7c1e@example.org"
FORM = "application/x-www-form-urlencoded"
WEBHOOK_SECRET = "whsec_malformed_requests"
IDLE = b"nothing=1"  # a form that asks for nothing: every form refuses it, so nothing can be written


@dataclass
class Request:
    method: str
    path: str
    body: bytes = IDLE
    content_type: str = FORM
    extra: dict = field(default_factory=dict)
    acts: bool = False  # what the endpoint does with this request, well-formed, is a write
    by_path: bool = False  # the signed token in its path is what acts (a POST link in a mail), whatever the body


@dataclass
class World:
    article: object
    public_id: str
    contribution_id: int
    token: str
    cancel_body: bytes
    reminder_tokens: dict
    beacon: bytes
    newsletter_tokens: dict


@pytest.fixture
def world(article):
    contribution = start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal("10"), "EUR"),
        frequency="monthly",
        method="bank_transfer",
        email=EMAIL,
    )
    confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk, transaction_reference="x")
    token = manage_token(Supporter.objects.get(pk=contribution.supporter_id))
    cancel = {
        "action": "cancel",
        "contribution": contribution.pk,
        "form_token": form_token(read_manage_link(token), "cancel", contribution.pk),
    }
    reminder, confirm = request_reminder(actor=Actor.reader(), email="reminded." + EMAIL, when="month")
    campaign = Campaign.objects.get(language="en", is_active=True)
    subscribe(actor=Actor.reader(), email="letters." + EMAIL, language="en", lists=["daily"])
    subscriber = Subscriber.objects.get(email="letters." + EMAIL)
    return World(
        article=article,
        public_id=str(contribution.public_id),
        contribution_id=contribution.pk,
        token=token,
        cancel_body=urlencode(cancel).encode(),
        reminder_tokens={
            "confirm": confirm,
            "cancel": cancel_token(reminder),
            "forget": forget_token(email_digest(reminder.email), "en"),
        },
        beacon=json.dumps({"campaign": campaign.pk, "events": [["holdback", "impression"]]}).encode(),
        newsletter_tokens={"confirm": confirm_token(subscriber), "unsubscribe": subscriber.token},
    )


def _checkout(world):
    """The checkout form as a browser sends it: its fields (the one-time token too), bank transfer chosen."""
    page = Client().get("/support/?frequency=monthly&amount=10&currency=EUR")
    fields = {**form_fields(page), "method": "bank_transfer"}
    return Request("POST", "/support/", urlencode(fields).encode(), acts=True)


def stripe_event():
    payload = json.dumps({"id": "evt_malformed1", "type": "customer.created", "data": {"object": {"id": "cus_m1"}}})
    stamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return payload.encode(), f"t={stamp},v1={digest}"


def _webhook(world):
    payload, signature = stripe_event()
    return Request(
        "POST",
        "/support/webhooks/stripe/",
        payload,
        "application/json",
        extra={"HTTP_STRIPE_SIGNATURE": signature},
        acts=True,
    )


def _section(world):
    return world.article.get_parent().url


def _sitemap_month(world):
    published = world.article.first_published_at
    return f"/sitemap-{published:%Y-%m}.xml"


ENDPOINTS = {
    # reading pages and what machines read
    "home": lambda w: Request("GET", "/"),
    "article": lambda w: Request("GET", w.article.url),
    "section": lambda w: Request("GET", _section(w)),
    "section-archive": lambda w: Request("GET", _section(w) + "archive/1/"),
    "topic": lambda w: Request("GET", f"/topics/{w.article.topics.first().slug}/"),
    "feed": lambda w: Request("GET", "/feed.xml"),
    "language-feed": lambda w: Request("GET", "/ru/atom.xml"),
    "section-feed": lambda w: Request("GET", _section(w) + "feed.xml"),
    "sitemap": lambda w: Request("GET", "/sitemap.xml"),
    "sitemap-month": lambda w: Request("GET", _sitemap_month(w)),
    "robots": lambda w: Request("GET", "/robots.txt"),
    "transparency": lambda w: Request("GET", "/support/transparency/"),
    "search": lambda w: Request("GET", "/search/?q=gap"),
    "not-found": lambda w: Request("GET", "/no-such-page/"),
    "not-found-under-a-token": lambda w: Request("GET", f"/support/manage/{w.token}/no-such-page/"),
    # checkout and how to pay
    "support-landing": lambda w: Request("GET", "/support/"),
    "support-checkout": _checkout,
    "bank-transfer": lambda w: Request("GET", "/support/bank-transfer/"),
    "pay-page": lambda w: Request("GET", f"/support/pay/{w.public_id}/"),
    "card-prepare": lambda w: Request("POST", f"/support/pay/{w.public_id}/card/prepare/"),
    "card-charge": lambda w: Request("POST", f"/support/pay/{w.public_id}/card/charge/", b"setup_intent=seti_1"),
    # self-service by magic link
    "manage-form": lambda w: Request("GET", "/support/manage/"),
    "manage-request": lambda w: Request("POST", "/support/manage/", urlencode({"email": EMAIL}).encode(), acts=True),
    "manage-page": lambda w: Request("GET", f"/support/manage/{w.token}/"),
    "manage-action": lambda w: Request("POST", f"/support/manage/{w.token}/", w.cancel_body, acts=True),
    "manage-card": lambda w: Request("GET", f"/support/manage/{w.token}/card/{w.contribution_id}/"),
    "manage-card-prepare": lambda w: Request("POST", f"/support/manage/{w.token}/card/{w.contribution_id}/prepare/"),
    # "Remind me later"
    "remind-form": lambda w: Request("GET", "/support/remind/"),
    "remind-request": lambda w: Request("POST", "/support/remind/", b"email=later%40example.org&when=month", acts=True),
    "remind-confirm": lambda w: Request("GET", f"/support/remind/confirm/{w.reminder_tokens['confirm']}/", acts=True),
    "remind-cancel": lambda w: Request("GET", f"/support/remind/cancel/{w.reminder_tokens['cancel']}/", acts=True),
    "remind-forget": lambda w: Request("GET", f"/support/remind/forget/{w.reminder_tokens['forget']}/", acts=True),
    # the newsletters: subscribing, the confirmation's button, the one-click unsubscribe
    "newsletter-form": lambda w: Request("GET", "/newsletter/ru/"),
    "newsletter-subscribe": lambda w: Request(
        "POST", "/newsletter/", b"email=new.reader%40example.org&lists=daily&lists=sos", acts=True
    ),
    "newsletter-confirm": lambda w: Request(
        "POST",
        f"/newsletter/confirm/{w.newsletter_tokens['confirm']}/",
        b"same_as_supporter=no",
        acts=True,
        by_path=True,
    ),
    "newsletter-unsubscribe": lambda w: Request(
        "POST",
        f"/newsletter/unsubscribe/{w.newsletter_tokens['unsubscribe']}/",
        b"List-Unsubscribe=One-Click",
        acts=True,
        by_path=True,
    ),
    # the reader script's endpoints, the provider's, the newsroom's
    "events": lambda w: Request("POST", "/support/events/", w.beacon, "application/json", acts=True),
    "goal": lambda w: Request("GET", "/support/goal.json"),
    "webhook": _webhook,
    "admin-login": lambda w: Request("GET", "/admin/login/"),
    "admin-login-post": lambda w: Request(
        "POST", "/admin/login/", b"username=revenue&password=samizdat-demo", acts=True
    ),
}


def _length(value):
    """Content-Length as ``value`` (a format of the body's real length), over the endpoint's own body."""
    return lambda r: replace(r, extra={**r.extra, "CONTENT_LENGTH": value.format(n=len(r.body))})


def _header(name, value):
    return lambda r: replace(r, extra={**r.extra, name: value})


def _query(text):
    def change(r):
        query = r.path.partition("?")[2]
        return replace(r, extra={**r.extra, "QUERY_STRING": "&".join(part for part in (query, text) if part)})

    return change


def _body(body, content_type=FORM):
    return lambda r: replace(r, body=body, content_type=content_type)


def _nul_in_path(r):
    path, mark, query = r.path.partition("?")
    return replace(r, path=path + "%00" + mark + query)


MULTIPART_NUL = (
    b'--b\r\nContent-Disposition: form-data; name="variant"\r\n\r\na\x00b\r\n'
    b'--b\r\nContent-Disposition: form-data; name="email"\r\n\r\nx\x00@example.org\r\n--b--\r\n'
)
UPLOAD = (  # a file larger than the limit, which Django streams to disk and does not count
    b'--b\r\nContent-Disposition: form-data; name="email"\r\n\r\nx\r\n'
    b'--b\r\nContent-Disposition: form-data; name="statement"; filename="s.csv"\r\nContent-Type: text/csv\r\n\r\n'
    + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    + b"\r\n--b--\r\n"
)
MULTIPART_BROKEN = b'--b\r\nContent-Disposition: form-data; name="email"\r\n\r\nx\r\n--c--'

# What cannot be read: 400 (or 413), from any endpoint, whatever it is.
REFUSED = {
    "content-length-letters": (400, _length("abc")),
    "content-length-negative": (400, _length("-{n}")),
    "content-length-plus": (400, _length("+{n}")),
    "content-length-space": (400, _length(" {n}")),
    "content-length-list": (400, _length("{n},{n}")),
    "content-length-superscript": (400, _length("\u00b2")),
    "content-length-40-digits": (400, _length("9" * 40)),
    "content-length-over-the-limit": (413, _length(str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))),
    "transfer-encoding-gzip": (400, _header("HTTP_TRANSFER_ENCODING", "gzip")),
    "transfer-encoding-twice": (400, _header("HTTP_TRANSFER_ENCODING", "chunked, chunked")),
    "transfer-encoding-with-length": (400, lambda r: _header("HTTP_TRANSFER_ENCODING", "chunked")(_length("{n}")(r))),
    "nul-in-path": (400, _nul_in_path),
    "nul-in-query": (400, _query("q=%00&variant=a%00b&lang=e%00n&article=1%00&done=%00")),
    "nul-in-a-header": (400, _header("HTTP_USER_AGENT", "reader\x00agent")),
    "nul-in-a-cookie": (400, _header("HTTP_COOKIE", 'sessionid="abcdefgh\\000ijkl"; csrftoken="\\000"')),
    "host-not-allowed": (400, _header("HTTP_HOST", "evil.example")),
    "host-malformed": (400, _header("HTTP_HOST", "[::1")),
    "host-absurdly-long": (400, _header("HTTP_HOST", "a" * 5000)),
}
# What cannot be read, in a form body: POSTs only.
REFUSED_FORMS = {
    "nul-in-a-form-field": (400, _body(b"email=a%00%40example.org&variant=a%00&article=1%00&action=cancel%00")),
    "nul-byte-in-a-form": (400, _body(b"email=\x00&variant=\x00")),
    "nul-in-a-multipart-field": (400, _body(MULTIPART_NUL, "multipart/form-data; boundary=b")),
    "form-not-in-utf-8": (400, _body(b"email=x", f"{FORM}; charset=utf-16")),
    "multipart-without-boundary": (400, _body(b"--x\r\n", "multipart/form-data")),
    "multipart-empty-boundary": (400, _body(b"--x\r\n", "multipart/form-data; boundary=")),
    "multipart-boundary-too-long": (400, _body(b"--x\r\n", "multipart/form-data; boundary=" + "b" * 300)),
}
# Odd but readable: the endpoint answers it as it answers any input it does not like (or at all), never with a 5xx.
ORDINARY = {
    "query-not-utf-8": _query("q=%ff%fe&variant=%ff&lang=%c3&article=%ff"),
    "query-broken-escapes": _query("q=%zz&variant=%&article=%g1&lang=%"),
    "query-raw-bytes": _query("q=\xff\xfe&variant=\xe9"),
    "query-huge-numbers": _query("article=99999999999999999999999&amount=1e999999&contribution=-99999999999999999999"),
    "cookies-garbage": _header("HTTP_COOKIE", ';;;===;"\\"; sessionid=' + "x" * 5000 + "; csrftoken=\u00e9"),
    "headers-absurdly-long": lambda r: replace(
        r,
        extra={
            **r.extra,
            "HTTP_USER_AGENT": "u" * 100_000,
            "HTTP_ACCEPT_ENCODING": "gzip;q=nan," * 20_000,
            "HTTP_X_FORWARDED_FOR": "1.2.3.4, " * 10_000,
            "HTTP_ACCEPT_LANGUAGE": "en;q=0.5," * 10_000,
        },
    ),
    "referer-malformed": _header("HTTP_REFERER", "http://[bad/\xff"),
    # chunked and nothing else: the server has decoded it (and sends no Content-Length)
    "transfer-encoding-chunked": lambda r: replace(
        r, extra={**r.extra, "HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": ""}
    ),
}
ORDINARY_FORMS = {
    "form-not-utf-8": _body(b"email=%ff%fe&variant=%ff&article=%ff&lang=%ff&action=%ff&form_token=%ff"),
    "form-raw-bytes": _body(b"email=\xff\xfe&variant=\xe9&amount=\xff"),
    "form-huge-numbers": _body(b"article=99999999999999999999999&contribution=99999999999999999999999&action=cancel"),
    "form-unknown-charset": _body(b"email=x", f"{FORM}; charset=no-such-charset"),
    "multipart-broken": _body(MULTIPART_BROKEN, "multipart/form-data; boundary=b"),
    "multipart-upload-over-the-limit": _body(UPLOAD, "multipart/form-data; boundary=b"),
    "json-not-utf-8": _body(b"\xff\xfe{", "application/json"),
}

POSTS = [
    "support-checkout",
    "card-prepare",
    "card-charge",
    "manage-request",
    "manage-action",
    "manage-card-prepare",
    "remind-request",
    "newsletter-subscribe",
    "newsletter-confirm",
    "newsletter-unsubscribe",
    "events",
    "webhook",
    "admin-login-post",
]


def written():
    """What a write would change: the rows of every support table and the audit log, and the counters' sums."""
    state = {
        model._meta.label: model.objects.count()
        for app in ("support", "newsletters")
        for model in apps.get_app_config(app).get_models()
    }
    state["audit"] = AuditEntry.objects.count()
    state["counted"] = AskCounter.objects.aggregate(total=Sum("impressions"))["total"]
    return state


def send(request):
    environ = {}
    if request.method == "POST":
        environ = {
            "CONTENT_TYPE": request.content_type,
            "CONTENT_LENGTH": str(len(request.body)),
            "wsgi.input": FakePayload(request.body),
        }
    with override_settings(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET):
        return Client().generic(request.method, request.path, **{**environ, **request.extra})


# Reading pages are rendered afresh for every odd request (the page cache is emptied between tests): a few of them
# stand for the rest there.
ORDINARY_ENDPOINTS = [
    name
    for name in ENDPOINTS
    if name not in {"section", "topic", "language-feed", "section-feed", "sitemap-month", "robots", "bank-transfer"}
]


def test_every_endpoint_that_takes_a_body_is_tried_with_the_bodies_too(world):
    assert [name for name, make in ENDPOINTS.items() if make(world).method == "POST"] == POSTS


# Each endpoint is one test that sends it every malformation in turn, from one world: a world costs a contribution,
# a reminder and a checkout page, and sending is cheap. Every malformation is still checked on its own (the page cache
# emptied, the rows counted before and after), and every failure of an endpoint is reported together.


def refused_for(endpoint):
    return {**REFUSED, **(REFUSED_FORMS if endpoint in POSTS else {})}


def ordinary_for(endpoint):
    return {**ORDINARY, **(ORDINARY_FORMS if endpoint in POSTS else {})}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_what_cannot_be_read_is_refused_and_changes_nothing(world, endpoint):
    failures = []
    for malformation, (status, change) in refused_for(endpoint).items():
        cache.clear()
        request = change(ENDPOINTS[endpoint](world))
        before = written()

        response = send(request)

        if response.status_code != status:
            failures.append(f"{malformation}: {response.status_code}, not {status}: {response.content[:200]!r}")
        elif written() != before:
            failures.append(f"{malformation}: wrote {written()} (was {before})")
        elif "no-store" not in response.get("Cache-Control", "") and not malformation.startswith("host-"):
            failures.append(f"{malformation}: the refusal may be stored ({response.get('Cache-Control')!r})")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("endpoint", sorted(set(ORDINARY_ENDPOINTS) | set(POSTS), key=list(ENDPOINTS).index))
def test_what_is_only_odd_gets_an_ordinary_answer_never_a_server_error(world, endpoint):
    failures = []
    malformations = ordinary_for(endpoint) if endpoint in ORDINARY_ENDPOINTS else ORDINARY_FORMS
    for malformation, change in malformations.items():
        cache.clear()
        request = ENDPOINTS[endpoint](world)
        request = change(replace(request, body=IDLE) if request.acts else request)
        before = written()

        response = send(request)

        if response.status_code >= 500:
            failures.append(f"{malformation}: {response.status_code}: {response.content[:200]!r}")
        elif not (request.acts and (request.method == "GET" or request.by_path)) and written() != before:
            # a link that acts does so however odd its headers are (or, for a POST link, its body)
            failures.append(f"{malformation}: wrote {written()} (was {before})")
    assert not failures, "\n".join(failures)


def test_the_refusal_is_short_plain_text_and_sets_no_cookie(world):
    response = send(_length("abc")(ENDPOINTS["manage-action"](world)))

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"The Content-Length header is not a number of bytes.\n"
    assert not response.cookies


def test_a_request_that_sent_json_is_refused_in_json(world):
    response = send(_length("twelve")(ENDPOINTS["events"](world)))

    assert response.status_code == 400
    assert response.json() == {"error": "The Content-Length header is not a number of bytes."}


def test_a_well_formed_request_still_acts(world):
    """The same requests, well formed, do write: what the tests above send would be noticed had it got through."""
    endpoints = ("manage-action", "webhook", "remind-request", "events", "remind-confirm", "support-checkout")
    for endpoint in (*endpoints, "newsletter-subscribe", "newsletter-confirm", "newsletter-unsubscribe"):
        before = written()
        response = send(ENDPOINTS[endpoint](world))
        assert response.status_code in (200, 204, 303), (endpoint, response.status_code, response.content[:300])
        assert written() != before, endpoint
