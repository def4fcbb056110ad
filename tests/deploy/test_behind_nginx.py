"""The deploy as shipped, with readers coming through nginx from addresses of their own.

The app runs with the env file's ``TRUSTED_PROXIES`` (nginx on 127.0.0.1), so its per-reader limits must see each
reader's address, never nginx's, and never one a reader wrote into ``X-Forwarded-For`` themselves. Card payments go
through Stripe, a real localstripe over HTTP.
"""

import gzip
import json
import re
import urllib.parse
import urllib.request

import pytest

from support.cards.state import CARD_FAILURE_LIMIT
from support.reminders import IP_LIMIT
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE, CARD_OK, WEBHOOK_SECRET, localstripe_server
from tests.waiting import EVENT_SECONDS

__all__ = ["localstripe_server"]  # the session's localstripe, a fixture of tests/support/localstripe.py

# Each test's readers have addresses of their own, so nginx's per-address rate limits of one never touch another's.
READER, OTHER_READER, LOGIN_BURSTER = "127.0.0.2", "127.0.0.3", "127.0.0.4"
CARD_TESTER, CARD_READER = "127.0.0.6", "127.0.0.7"
SECRET_KEY, PUBLISHABLE_KEY = "sk_test_samizdat_stack", "pk_test_samizdat_stack"


@pytest.fixture(scope="module")
def stack_env(localstripe_server):
    return {
        "STRIPE_API_BASE": localstripe_server,
        "STRIPE_JS_URL": f"{localstripe_server}/js.stripe.com/v3/",
        "STRIPE_SECRET_KEY": SECRET_KEY,
        "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PAYMENT_PROVIDERS": json.dumps({"card": {}}),
    }


def stripe(base, path, fields):
    """A call to localstripe's API with the secret key, as Stripe.js's work is done for the card the reader typed."""
    request = urllib.request.Request(
        f"{base}/v1/{path}",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=EVENT_SECONDS) as response:
        return json.loads(response.read())


def send_card_checkout(stack, source, forwarded_for=None):
    """The checkout form through nginx: its one-time token, then a one-time gift by card; the answer to the POST."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = stack.get("/support/?frequency=once&amount=10&currency=EUR", source=source, headers=headers)
    assert form.status == 200
    token = re.search(r'name="token" value="([^"]+)"', form.text).group(1)
    fields = {"token": token, "frequency": "once", "amount": "10", "currency": "EUR", "method": "card"}
    return stack.post("/support/", fields, source=source, headers=headers)


def start_card_contribution(stack, source, forwarded_for=None):
    """A card checkout that starts: the pay page's address."""
    started = send_card_checkout(stack, source, forwarded_for)
    assert started.status in (302, 303), started.text[:800]
    return urllib.parse.urlsplit(started.header("Location")).path


def pay_by_card(stack, base, source, number, forwarded_for=None):
    """What the card step does: a SetupIntent from our server, confirmed at Stripe, then our server charges."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    pay = start_card_contribution(stack, source, forwarded_for)
    prepared = stack.post(f"{pay}card/prepare/", {}, source=source, headers=headers)
    if prepared.status != 200:
        return prepared.status, json.loads(prepared.body)
    setup_intent = json.loads(prepared.body)["client_secret"].split("_secret_")[0]
    card = stripe(
        base,
        "payment_methods",
        {"type": "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2034", "card[cvc]": "123"},
    )
    stripe(base, f"setup_intents/{setup_intent}/confirm", {"payment_method": card["id"]})
    charged = stack.post(f"{pay}card/charge/", {"setup_intent": setup_intent}, source=source, headers=headers)
    return charged.status, json.loads(charged.body)


def test_a_card_tester_is_blocked_by_address_and_another_reader_still_pays(stack, localstripe_server):
    urllib.request.urlopen(
        urllib.request.Request(f"{localstripe_server}/_config/data", method="DELETE"), timeout=EVENT_SECONDS
    )
    for n in range(CARD_FAILURE_LIMIT):
        # a new contribution each time, and a new address claimed each time: only the address nginx saw can count
        status, answer = pay_by_card(
            stack, localstripe_server, CARD_TESTER, CARD_DECLINED_ON_CHARGE, forwarded_for=f"198.51.100.{n + 1}"
        )
        assert (status, answer["status"]) == (200, "declined"), answer

    # the blocked address may not even start a card checkout: the form again, nothing stored, nothing at Stripe
    refused = send_card_checkout(stack, CARD_TESTER, forwarded_for="198.51.100.99")
    assert refused.status == 429, refused.text[:800]
    assert refused.header("Location") is None

    status, answer = pay_by_card(stack, localstripe_server, CARD_READER, CARD_OK)
    assert (status, answer) == (200, {"status": "succeeded"})
    # and naming the blocked address changes nothing for the other reader either
    status, answer = pay_by_card(stack, localstripe_server, CARD_READER, CARD_OK, forwarded_for=CARD_TESTER)
    assert (status, answer) == (200, {"status": "succeeded"})


def test_the_app_believes_nginx_because_the_env_file_says_so(stack):
    assert stack.env["TRUSTED_PROXIES"].split(",")[0] == "127.0.0.1"


def test_one_reader_reaching_the_limit_leaves_the_other_free_and_spoofing_changes_nothing(stack):
    """ "Remind me later" allows IP_LIMIT requests an hour per client address. Each of the first reader's requests
    claims another address in X-Forwarded-For: were that believed, no address would ever reach the limit."""
    for n in range(IP_LIMIT):
        response = stack.post(
            "/support/remind/",
            {"email": f"reader{n}@example.org", "when": "month"},
            source=READER,
            headers={"X-Forwarded-For": f"198.51.100.{n + 1}"},
        )
        assert response.status == 200, response.text[:500]

    refused = stack.post(
        "/support/remind/",
        {"email": "one-more@example.org"},
        source=READER,
        headers={"X-Forwarded-For": "198.51.100.200"},
    )
    assert refused.status == 429
    assert "try again in an hour" in refused.text

    # the other reader, behind the same nginx, is not blocked (without TRUSTED_PROXIES both would be 127.0.0.1)
    elsewhere = stack.post("/support/remind/", {"email": "elsewhere@example.org"}, source=OTHER_READER)
    assert elsewhere.status == 200, elsewhere.text[:500]
    # and claiming to be the first reader does not make it so
    claimed = stack.post(
        "/support/remind/",
        {"email": "borrowed@example.org"},
        source=OTHER_READER,
        headers={"X-Forwarded-For": READER},
    )
    assert claimed.status == 200

    # every accepted request led to one confirmation mail, sent by the task worker after commit
    mails = stack.wait_for_mail(IP_LIMIT + 2)
    recipients = {mail["To"] for mail in mails}
    assert "one-more@example.org" not in recipients
    assert {"reader0@example.org", "elsewhere@example.org", "borrowed@example.org"} <= recipients


def test_support_pages_always_reach_the_app(stack):
    assert not (stack.tree_pages / "support" / "index.html").exists()  # only the transparency page is in the tree
    response = stack.get("/support/", source=OTHER_READER)

    assert response.status == 200
    assert "<form" in response.text
    assert "private" in response.header("Cache-Control")
    goal = stack.get("/support/goal.json")
    assert goal.status == 200 and goal.header("Content-Type").startswith("application/json")


def test_reading_pages_come_from_the_tree_as_files_with_one_copy_of_each_header(stack):
    home = stack.tree_pages / "index.html"
    assert home.exists(), "publish_tree wrote the home page"

    response = stack.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.header("Content-Encoding") == "gzip"
    assert response.body == (stack.tree_pages / "index.html.gz").read_bytes()
    assert gzip.decompress(response.body) == home.read_bytes()
    assert response.header("X-Page-Cache") is None  # nginx answered: the app's page cache never saw it
    assert not response.headers_named("Set-Cookie")
    for name in ("Strict-Transport-Security", "X-Content-Type-Options", "Content-Security-Policy"):
        assert len(response.headers_named(name)) == 1, name
    assert response.header("Strict-Transport-Security").startswith("max-age=31536000")

    plain = stack.get("/", headers={"Accept-Encoding": "identity"})
    assert plain.header("Content-Encoding") is None and plain.body == home.read_bytes()


def test_what_the_tree_does_not_hold_the_app_answers(stack):
    missing = stack.get("/no/such/story/", headers={"Accept-Encoding": "identity"})
    assert missing.status == 404 and "<html" in missing.text.lower()

    # a reader with a session (staff) and any form sent reach the app, not the file
    with_session = stack.get("/", headers={"Cookie": "sessionid=anything", "Accept-Encoding": "identity"})
    assert with_session.status == 200 and with_session.header("X-Page-Cache") is not None
    posted = stack.post("/", {"x": "1"})
    assert posted.status != 405 and posted.header("X-Frame-Options") == "DENY"  # Django's answer


def test_twins_are_never_served_by_name(stack):
    for path in ("/index.html.gz", "/index.html.br"):
        assert stack.get(path).status == 404, path


def test_static_files_are_served_by_nginx_with_their_twins(stack):
    static = stack.base / "static"
    script = next(static.rglob("reader.js"))
    path = "/static/" + script.relative_to(static).as_posix()

    response = stack.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.header("Content-Encoding") == "gzip"
    assert response.body == script.with_name(script.name + ".gz").read_bytes()
    assert "max-age=3600" in response.header("Cache-Control") and response.header("Expires")
    assert len(response.headers_named("Strict-Transport-Security")) == 1


def test_renditions_are_served_and_originals_never(stack):
    page = (stack.tree_pages / "index.html").read_text()
    rendition = re.search(r'src="(/media/images/[^"]+)"', page).group(1)
    response = stack.get(rendition)
    assert response.status == 200 and response.header("Content-Type").startswith("image/")
    assert response.body == (stack.base / "media" / rendition.removeprefix("/media/")).read_bytes()

    originals = sorted((stack.base / "media" / "original_images").iterdir())
    assert originals, "the demo's uploads are on disk"
    for path in (
        f"/media/original_images/{originals[0].name}",
        f"/media/images/../original_images/{originals[0].name}",
        f"/media/images/%2e%2e/original_images/{originals[0].name}",
        "/media/documents/",
    ):
        assert stack.get(path).status == 404, path


def test_plain_http_leads_to_https_except_certificate_challenges(stack):
    response = stack.get("/news/?a=1", tls=False)
    assert response.status == 301 and response.header("Location") == "https://localhost/news/?a=1"
    assert response.header("Strict-Transport-Security") is None  # HSTS is only ever sent over TLS

    (stack.base / "acme" / ".well-known" / "acme-challenge").mkdir(parents=True)
    (stack.base / "acme" / ".well-known" / "acme-challenge" / "token-1").write_text("token-1.thumbprint")
    challenge = stack.get("/.well-known/acme-challenge/token-1", tls=False)
    assert challenge.status == 200 and challenge.body == b"token-1.thumbprint"


def test_a_burst_of_admin_login_posts_gets_429_and_reading_the_form_does_not(stack):
    statuses = [
        stack.post("/admin/login/", {"username": "admin", "password": f"guess-{n}"}, source=LOGIN_BURSTER).status
        for n in range(12)
    ]
    assert 429 in statuses
    assert statuses[0] != 429  # the first few pass (burst), the rest are refused at nginx
    assert statuses.count(429) >= 12 - 6
    assert stack.get("/admin/login/", source=LOGIN_BURSTER).status == 200
    # another address is not affected
    assert stack.post("/admin/login/", {"username": "admin", "password": "x"}, source=OTHER_READER).status != 429


def test_request_bodies_are_limited_except_for_the_admin(stack):
    big = {"email": "big@example.org", "padding": "x" * (2 * 1024 * 1024)}
    assert stack.post("/support/remind/", big, source="127.0.0.5").status == 413


@pytest.mark.parametrize("name", ["gunicorn", "worker", "nginx"])
def test_every_process_is_still_running(stack, name):
    assert stack.alive()[name] is None
