"""Keeping supporters in Russian, end to end against a real localstripe and a real SMTP server: a Russian supporter's
failed renewal mail, reminder and renewal notice are in Russian, the link in the mail opens the Russian card page, a new
card pays the renewal and the reminders stop; nobody who opted out gets a mail. (The English run is test_dunning.py.)

Time moves by the clock the code reads (``simulated_now``), never by sleeping.
"""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.test import override_settings
from django.utils import timezone

from core.actions import Actor
from support.dunning.actions import set_do_not_contact
from support.models import Contribution, Dunning, RenewalNotice
from support.receipts import form_token, read_manage_link
from tests.support import localstripe as fixtures
from tests.support.conftest import body_of, links_in, path_of
from tests.support.test_dunning import at, failed_renewal, notices, subscribed

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

ADDRESS = "chitatel.karta.4e8b@example.org"


def subject(message):
    return message["Subject"].strip()


def test_failed_renewal_in_russian_mail_link_new_card_paid_and_the_reminders_stop(
    client, localstripe, mailbox, django_capture_on_commit_callbacks
):
    contribution = subscribed(localstripe, language="ru", email=ADDRESS)
    mailbox.messages.clear()  # the receipt
    invoice_id, _answer = failed_renewal(client, localstripe, contribution, django_capture_on_commit_callbacks)
    first = mailbox.wait_for(1)[0]
    assert subject(first) == "О вашем регулярном взносе" and first.envelope_to == [ADDRESS]
    body = body_of(first)
    assert "Здравствуйте" in body and contribution.reference in body and "/support/ru/bank-transfer/" in body
    card_link = links_in(first)[0]

    with at(1):
        notices()
    assert subject(mailbox.wait_for(2)[1]) == "Напоминание о вашем регулярном взносе"

    with at(2):
        opened = client.get(path_of(card_link))
    assert opened.status_code == 303 and "/card/" in opened["Location"]
    page = client.get(opened["Location"])
    assert page.status_code == 200
    assert BeautifulSoup(page.content, "html.parser").html["lang"] == "ru"
    token = opened["Location"].split("/manage/")[1].split("/")[0]
    button = form_token(read_manage_link(token), "card", contribution.pk)
    prepared = client.post(opened["Location"] + "prepare/", {"form_token": button}).json()
    setup_intent = prepared["client_secret"].split("_secret_")[0]
    localstripe.api.SetupIntent.confirm(setup_intent, payment_method=localstripe.card())
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(opened["Location"] + "confirm/", {"form_token": button, "setup_intent": setup_intent})
    assert confirmed.json() == {"status": "succeeded"}

    assert Contribution.objects.get(pk=contribution.pk).status == "active"
    assert Dunning.objects.get().outcome == "recovered"
    assert localstripe.api.Invoice.retrieve(invoice_id)["status"] == "paid"
    count = len(mailbox.wait_for(3))  # and the receipt of the recovered payment
    for days in (4, 8, 20):
        with at(days):
            notices()
    assert len(mailbox.messages) == count
    assert not any("Напоминание" in subject(m) for m in mailbox.messages[2:])


def test_an_annual_notice_in_russian_on_the_right_day(localstripe, mailbox):
    annual = subscribed(localstripe, frequency="annual", language="ru", email=ADDRESS)
    mailbox.messages.clear()
    renews = timezone.localdate() + dt.timedelta(days=365)
    with override_settings(ANNUAL_NOTICE_DAYS=10):
        with at(365 - 11):
            notices()
        assert mailbox.messages == []
        with at(365 - 10):
            notices()
        [notice] = mailbox.wait_for(1)
        with at(365 - 1):
            notices()
    assert len(mailbox.messages) == 1
    assert subject(notice) == "Ваш регулярный взнос скоро продлится"
    body = body_of(notice)
    assert "продлится" in body and str(renews.year) in body and annual.reference in body
    assert RenewalNotice.objects.get(contribution=annual).renews_on == renews


def test_no_mail_in_russian_to_someone_who_opted_out(client, localstripe, mailbox, django_capture_on_commit_callbacks):
    contribution = subscribed(localstripe, language="ru", email=ADDRESS)
    assert set_do_not_contact(actor=Actor.reader(), supporter_id=contribution.supporter_id, quiet=True)
    mailbox.messages.clear()
    failed_renewal(client, localstripe, contribution, django_capture_on_commit_callbacks)
    for days in (1, 4, 8):
        with at(days):
            notices()
    assert mailbox.messages == []
    assert Contribution.objects.get(pk=contribution.pk).status == "past_due"
