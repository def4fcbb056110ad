"""The reader's side over HTTP: subscribing with JavaScript off, double opt-in, the one-click unsubscribe, limits and
bad input; supporters who agreed to be one person with their subscription; export and import (R5 check 3)."""

import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client

from core.actions import Actor
from core.models import AuditEntry
from newsletters import actions
from newsletters.models import Membership, Subscriber
from tests.newsletters.conftest import make_subscribers
from tests.newsletters.test_sending import send

LINK = re.compile(r"https?://\S+/newsletter/confirm/\S+/")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Checked(HTMLParser):
    """Tags closed in order, ids unique, and every form control named by a <label for>."""

    def __init__(self, html):
        super().__init__()
        self.open, self.ids, self.labels, self.controls, self.problems = [], Counter(), set(), [], []
        self.feed(html)
        self.close()
        if self.open:
            self.problems.append(f"never closed: {self.open}")
        self.problems += [f"duplicate id {i}" for i, n in self.ids.items() if n > 1]
        self.problems += [f"no label for {c}" for c in self.controls if c not in self.labels]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.append(attrs.get("id"))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


@pytest.fixture
def subscribe(django_capture_on_commit_callbacks):
    def post(client=None, language_path="/newsletter/", **data):
        data = {"email": "reader@inbox.example", "lists": ["weekly"], **data}
        with django_capture_on_commit_callbacks(execute=True):
            return (client or Client()).post(language_path, data)

    return post


def confirm_link(message):
    return LINK.search(message.get_body(("plain",)).get_content()).group(0)


def path(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_the_page_works_without_javascript_and_names_nothing_foreign(db):
    for url, lang in (("/newsletter/", "en"), ("/newsletter/ru/", "ru")):
        response = Client().get(url)
        html = response.content.decode()
        assert response.status_code == 200 and response["Content-Language"] == lang
        assert "Set-Cookie" not in response and not response.cookies
        assert '<label for="newsletter-email">' in html and 'id="newsletter-email"' in html
        assert f'action="{url}"' in html and "<script" not in html.split("</header>")[-1].split("<footer")[0]
        assert not re.search(r"""(src|href)="https?://""", html.split("<body")[1].split("<footer")[0])
        assert Checked(html).problems == []


def test_the_page_with_errors_is_still_valid_and_says_which_field(db, subscribe):
    html = subscribe(email="nope", lists=[]).content.decode()
    assert Checked(html).problems == []
    assert 'aria-invalid="true" aria-describedby="newsletter-email-error"' in html
    assert 'id="newsletter-lists-error"' in html


def test_double_opt_in_an_unconfirmed_address_gets_only_the_confirmation(
    newsroom, servers, subscribe, django_capture_on_commit_callbacks
):
    primary, _fallback = servers()
    make_subscribers(2)
    response = subscribe()
    assert response.status_code == 200 and b"Check your email" in response.content
    confirmation = primary.handler.wait_for(1)[0]
    assert confirmation["To"] == "reader@inbox.example"
    assert confirmation["Subject"] == "Please confirm your address"  # neutral: it names no newsroom
    send(django_capture_on_commit_callbacks)
    received = primary.handler.wait_for(3)
    assert [m["To"] for m in received].count("reader@inbox.example") == 1, "nothing but the confirmation"

    link = path(confirm_link(confirmation))
    assert Client().get(link).status_code == 200  # a link scanner opening it confirms nothing
    assert Subscriber.objects.get(email="reader@inbox.example").confirmed_at is None
    assert b"Subscription confirmed" in Client().post(link).content
    send(django_capture_on_commit_callbacks, subject="Next week")
    assert "reader@inbox.example" in [m["To"] for m in primary.handler.wait_for(6)[3:]]
    assert not AuditEntry.objects.filter(data__icontains="inbox.example").exists()


def test_one_confirmation_per_address_per_period_and_a_limit_per_client(
    newsroom, servers, subscribe, settings, django_capture_on_commit_callbacks
):
    primary, _fallback = servers()
    settings.NEWSLETTER_SUBSCRIBE_PER_ADDRESS = 3
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert [subscribe(client).status_code for _ in range(3)] == [200, 200, 200]
    limited = subscribe(client, email="victim@inbox.example")
    assert limited.status_code == 429 and b"Too many requests" in limited.content
    assert not Subscriber.objects.filter(email="victim@inbox.example").exists()
    assert len(primary.handler.wait_for(1)) == 1
    subscribe(Client(REMOTE_ADDR="203.0.113.9"), lists=["sos"])  # a new list: still no second mail today
    send(django_capture_on_commit_callbacks, list_name="sos")
    assert len(primary.messages) == 1


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        ({"email": ""}, 400, b"Enter your email address."),
        ({"email": "not an address"}, 400, b"Please correct the form below"),
        ({"lists": []}, 400, b"Choose at least one of the newsletters."),
        ({"lists": ["everything"]}, 400, b"Choose at least one of the newsletters."),
        ({"email": "x" * 5000 + "@inbox.example"}, 413, b"more than this form sends"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(db, subscribe, data, status, says):
    response = subscribe(**data)
    assert response.status_code == status and says in response.content
    assert b'role="alert"' in response.content
    assert not Subscriber.objects.exists() and not Membership.objects.exists()


def test_bad_links_never_fail(db):
    for url in (
        "/newsletter/confirm/nonsense/",
        "/newsletter/unsubscribe/nonsense/",
        "/newsletter/unsubscribe/" + "a" * 300 + "/",
    ):
        assert Client().get(url).status_code in (200, 400)
        assert Client().post(url, {"List-Unsubscribe": "One-Click"}).status_code in (200, 400)


def test_one_click_unsubscribe_deletes_the_address(newsroom, servers, django_capture_on_commit_callbacks):
    primary, _fallback = servers()
    reader, other = make_subscribers(2)
    send(django_capture_on_commit_callbacks)
    message = next(m for m in primary.handler.wait_for(2) if m["To"] == reader.email)
    url = "".join(str(message["List-Unsubscribe"]).split()).strip("<>")
    response = Client().post(path(url), {"List-Unsubscribe": "One-Click"})  # what a mail program sends (RFC 8058)
    assert response.status_code == 200
    assert not Subscriber.objects.filter(pk=reader.pk).exists()
    assert not Membership.objects.filter(subscriber_id=reader.pk).exists()
    assert Subscriber.objects.filter(pk=other.pk).exists()
    assert Client().post(path(url), {"List-Unsubscribe": "One-Click"}).status_code == 200  # twice: the same


def test_a_supporter_who_agreed_is_erased_with_their_subscription(newsroom, servers, subscribe):
    from support.actions.manage import erase_supporter
    from support.models import Supporter

    primary, _fallback = servers()
    agreed = Supporter.objects.create(email="agreed@inbox.example")
    declined = Supporter.objects.create(email="declined@inbox.example")
    subscribe(email="agreed@inbox.example")
    subscribe(email="declined@inbox.example", client=Client(REMOTE_ADDR="203.0.113.10"))
    mails = {m["To"]: m for m in primary.handler.wait_for(2)}
    page = Client().get(path(confirm_link(mails["agreed@inbox.example"])))
    assert b'name="same_as_supporter"' in page.content  # offered only to whoever holds the link
    Client().post(path(confirm_link(mails["agreed@inbox.example"])), {"same_as_supporter": "yes"})
    Client().post(path(confirm_link(mails["declined@inbox.example"])))

    assert Subscriber.objects.get(email="agreed@inbox.example").supporter == agreed
    assert Subscriber.objects.get(email="declined@inbox.example").supporter is None
    for supporter in (agreed, declined):
        erase_supporter(actor=Actor.reader(), supporter_id=supporter.pk)
    assert not Subscriber.objects.filter(email="agreed@inbox.example").exists()
    assert Subscriber.objects.filter(email="declined@inbox.example").exists()  # not the same person: kept


def test_export_and_import_round_trip(db, tmp_path):
    make_subscribers(5, list_name="daily", language="ru")
    make_subscribers(3, confirmed=False, prefix="pending")
    actions.subscribe(actor=Actor.reader(), email="Mixed@Inbox.Example", language="en", lists=["sos", "weekly"])
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    call_command("export_subscribers", str(first))
    Subscriber.objects.all().delete()
    call_command("import_subscribers", str(first))
    call_command("export_subscribers", str(second))
    assert first.read_text() == second.read_text()
    assert len(first.read_text().splitlines()) == 1 + 9
    call_command("import_subscribers", str(first))  # again: nothing doubled
    assert Subscriber.objects.count() == 9


def test_a_bad_import_imports_nothing(db, tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.csv"
    bad.write_text("email,language,lists\nok@inbox.example,en,weekly\nnot-an-address,en,weekly\n")
    with pytest.raises(CommandError, match="line 3"):
        call_command("import_subscribers", str(bad))
    assert not Subscriber.objects.exists()
