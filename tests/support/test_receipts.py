"""Receipts: when money is recorded and the supporter left an address, a plain receipt goes out after commit, over
real SMTP; without an address nothing is sent, and a mail that fails never loses the payment."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings

from core.actions import Actor
from core.money import Money
from support.actions.contributions import confirm_payment, record_renewal, start_contribution
from support.models import Contribution, Payment
from support.reminder_mail import MailNotSent
from support.tasks import send_receipt
from tests.support.conftest import body_of, free_port, links_in, path_of

pytestmark = pytest.mark.django_db

ADDRESS = "receipt.reader.9c2e@example.org"


def start(amount="25", frequency="once", method="bank_transfer", currency="EUR", **extra):
    return start_contribution(
        actor=Actor.reader(), amount=Money(Decimal(amount), currency), frequency=frequency, method=method, **extra
    )


def staff_confirm(client, contribution):
    payment = contribution.payments.get()
    return client.post(f"/admin/support/contributions/{contribution.pk}/confirm/", {"payment": payment.pk})


def test_staff_confirming_a_bank_transfer_mails_a_neutral_receipt(revenue, mailbox, django_capture_on_commit_callbacks):
    contribution = start("25", frequency="monthly", email=ADDRESS)
    assert mailbox.messages == []  # starting a contribution sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_confirm(revenue, contribution).status_code == 302
    assert Contribution.objects.get(pk=contribution.pk).status == "active"

    [receipt] = mailbox.messages
    assert receipt["Subject"] == "Your receipt"
    assert receipt.envelope_to == [ADDRESS]
    assert receipt["From"] == settings.DEFAULT_FROM_EMAIL
    assert receipt["Auto-Submitted"] == "auto-generated"
    body = body_of(receipt)
    for expected in (contribution.reference, "€25", "(EUR)", "monthly", "bank transfer", settings.WAGTAIL_SITE_NAME):
        assert expected in body
    assert ADDRESS not in body
    # The receipt links to the page that asks for a manage link, never to a manage link itself.
    assert [path_of(url) for url in links_in(receipt)] == ["/support/manage/"]
    assert all(url.startswith(settings.CANONICAL_URL) for url in links_in(receipt))

    # Confirming again (a double click) records nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        staff_confirm(revenue, contribution)
    assert len(mailbox.messages) == 1


def test_no_address_no_receipt(revenue, mailbox, django_capture_on_commit_callbacks):
    contribution = start("10")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert staff_confirm(revenue, contribution).status_code == 302
    assert Contribution.objects.get(pk=contribution.pk).status == "completed"
    assert callbacks  # the figures were refreshed: the commit hooks did run
    assert mailbox.messages == []


def test_a_renewal_gets_its_own_receipt(mailbox, django_capture_on_commit_callbacks):
    contribution = start("12", frequency="monthly", method="crypto", email=ADDRESS)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk, transaction_reference="0x1")
        record_renewal(
            actor=Actor.system(),
            contribution_id=contribution.pk,
            amount=Money(Decimal("12"), "EUR"),
            provider_id="renewal-2",
        )
    assert [message["Subject"] for message in mailbox.messages] == ["Your receipt", "Your receipt"]
    assert all(contribution.reference in body_of(message) for message in mailbox.messages)
    assert "crypto" in body_of(mailbox.messages[1])


def test_a_refused_address_loses_no_payment(mailbox, django_capture_on_commit_callbacks):
    contribution = start("10", email="refused.9c2e@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk)
    assert mailbox.messages == []
    assert Payment.objects.get(contribution=contribution).status == "succeeded"
    assert send_receipt.call(contribution.payments.get().pk) is False  # refused for good: nothing to retry


def test_a_mail_server_that_is_down_loses_no_payment_and_its_error_names_nobody(django_capture_on_commit_callbacks):
    contribution = start("10", email=ADDRESS)
    down = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1"}
    with override_settings(**down, EMAIL_PORT=free_port(), EMAIL_TIMEOUT=2):
        with django_capture_on_commit_callbacks(execute=True):
            assert confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk)
        assert Payment.objects.get(contribution=contribution).status == "succeeded"
        with pytest.raises((MailNotSent, OSError)) as failure:
            send_receipt.call(contribution.payments.get().pk)
    assert ADDRESS not in str(failure.value) and "example.org" not in repr(failure.value)


def test_a_payment_not_succeeded_or_erased_meanwhile_gets_no_receipt(mailbox):
    contribution = start("10", email=ADDRESS)
    assert send_receipt.call(contribution.payments.get().pk) is False  # still pending
    assert send_receipt.call(999_999_999) is False
    assert mailbox.messages == []
