"""Every form that takes an email address — the checkout, “Remind me later”, the manage link — follows one rule
(core.email_address), over HTTP: an address with an invisible character or at no mail domain gets the form back with
its message and a 400, and nothing is stored or sent; one address written two ways is one supporter, one reminder and
one manage link."""

import pytest
from bs4 import BeautifulSoup

from core.models import AuditEntry
from support.models import Contribution, Reminder, Supporter
from tests.support.test_checkout import checkout_form, contribution_of, errors, pay_path, rows, send

pytestmark = pytest.mark.django_db

INVISIBLE = "Enter a valid email address: this one contains an invisible character"
DOMAIN = "Enter a valid email address: after the @ comes a domain name, like example.org."
NON_LATIN = "Please enter another email address: we cannot send mail to one with letters other than Latin ones"

BAD_ADDRESSES = [
    ("reader@example.org\u200b", INVISIBLE),  # zero-width space, the way a copied address often ends
    ("\ufeffreader@example.org", INVISIBLE),  # byte-order mark
    ("reader@example.org\u200e", INVISIBLE),  # left-to-right mark
    ("reader@example.org\u202e", INVISIBLE),  # right-to-left override
    ("reader@exam\u00adple.org", INVISIBLE),  # soft hyphen
    ("reader\u00a0@example.org", INVISIBLE),  # a no-break space inside
    ("reader@[127.0.0.1]", DOMAIN),
    ("x@[IPv6:::1]", DOMAIN),
    ("a@localhost", DOMAIN),
    ("reader@example.org.", DOMAIN),
    ("читатель@пример.рф", NON_LATIN),
]

CYRILLIC = "Reader@пример.рф"
CYRILLIC_AS_IDNA = "READER@xn--e1afmkfd.XN--P1AI"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def field_errors(response, field_id):
    return [node.get_text(" ", strip=True) for node in soup(response).select(f"#{field_id}")]


def audit_count():
    return AuditEntry.objects.count()


@pytest.fixture
def ask_link(client, django_capture_on_commit_callbacks):
    def post(email, **data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/support/manage/", {"email": email, **data})

    return post


# --- The checkout -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "message"), BAD_ADDRESSES)
def test_the_checkout_refuses_the_address_and_stores_nothing(address, message):
    client, fields = checkout_form()
    before = rows()
    response = send(client, fields, method="bank_transfer", email=address)
    assert response.status_code == 400
    assert any(error.startswith(message) for error in errors(response)), errors(response)
    assert field_errors(response, "checkout-email-error")
    assert rows() == before


def test_the_checkout_keeps_one_supporter_for_one_address_however_it_is_written():
    client, fields = checkout_form()
    first = contribution_of(pay_path(send(client, fields, method="bank_transfer", email=CYRILLIC)))
    client, fields = checkout_form()
    second = contribution_of(pay_path(send(client, fields, method="crypto", email=f" {CYRILLIC_AS_IDNA}\u00a0")))
    assert first.supporter_id == second.supporter_id
    assert list(Supporter.objects.values_list("email", flat=True)) == ["reader@пример.рф"]
    assert Contribution.objects.filter(supporter=first.supporter).count() == 2


# --- “Remind me later” ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "message"), BAD_ADDRESSES)
def test_the_reminder_form_refuses_the_address_and_sends_nothing(mailbox, post_remind, address, message):
    before = audit_count()
    response = post_remind({"email": address, "when": "week"})
    assert response.status_code == 400
    [shown] = field_errors(response, "remind-email-error")
    assert shown.startswith(message), shown
    assert not Reminder.objects.exists()
    assert audit_count() == before
    assert mailbox.messages == []


def test_the_russian_reminder_form_refuses_it_too(mailbox, post_remind, russian_article):
    response = post_remind({"email": "reader@[127.0.0.1]", "article": russian_article.pk})
    assert response.status_code == 400 and response["Content-Language"] == "ru"
    assert field_errors(response, "remind-email-error")
    assert not Reminder.objects.exists() and mailbox.messages == []


def test_a_cyrillic_domain_gets_its_mail_and_is_one_reminder_however_it_is_written(mailbox, post_remind):
    assert post_remind({"email": CYRILLIC, "when": "week"}).status_code == 200
    assert post_remind({"email": CYRILLIC_AS_IDNA, "when": "month"}).status_code == 200
    reminder = Reminder.objects.get()
    assert reminder.email == CYRILLIC_AS_IDNA.split("@")[0] + "@пример.рф"  # the last request's, its domain in Unicode
    # Mail goes out through Django's SMTP backend with the domain in its IDNA form, which the server accepts.
    assert [message.envelope_to for message in mailbox.messages] == [
        ["Reader@xn--e1afmkfd.xn--p1ai"],
        ["READER@xn--e1afmkfd.xn--p1ai"],
    ]


# --- The manage link --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("address", "message"), BAD_ADDRESSES)
def test_the_manage_form_refuses_the_address_and_sends_nothing(mailbox, ask_link, address, message):
    before = audit_count()
    response = ask_link(address)
    assert response.status_code == 400
    [shown] = field_errors(response, "manage-email-error")
    assert shown.startswith(message), shown
    assert audit_count() == before
    assert mailbox.messages == []


def test_the_manage_link_finds_the_supporter_however_the_address_is_written(mailbox, ask_link):
    client, fields = checkout_form()
    supporter = contribution_of(pay_path(send(client, fields, method="bank_transfer", email=CYRILLIC))).supporter
    assert ask_link(CYRILLIC_AS_IDNA).status_code == 200
    [mail] = mailbox.messages
    assert mail.envelope_to == ["reader@xn--e1afmkfd.xn--p1ai"]
    assert [entry.subject_id for entry in AuditEntry.objects.filter(action="supporter.manage_link_requested")] == [
        str(supporter.pk)
    ]
