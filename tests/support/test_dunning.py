"""Keeping supporters, end to end against a real localstripe and a real SMTP server: a failed card renewal makes the
contribution past due and mails its supporter (their language, a link to a new card and to bank transfer), then
reminders on ``DUNNING_REMINDER_DAYS``, until a new card pays it, the provider's own retry pays it, or it ends; an annual
contribution's notice goes out ``ANNUAL_NOTICE_DAYS`` before it renews, once; nobody who opted out gets either.

Time moves by the clock the code reads (``timezone.now()``, through ``simulated_now``), never by sleeping.
"""

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
import stripe
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import start_contribution
from support.actions.manage import stop_recurring
from support.demo_history import Clock, simulated_now
from support.dunning.actions import set_do_not_contact
from support.models import Contribution, Dunning, Payment, RenewalNotice
from support.providers.registry import get_provider
from support.receipts import form_token, read_manage_link
from tests.support import localstripe as fixtures
from tests.support.conftest import body_of, links_in, path_of
from tests.support.localstripe import CARD_DECLINED_ON_CHARGE, deliver

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

ADDRESS = "lapsing.card.7d2f@example.org"


def subscribed(localstripe, *, frequency="monthly", language="en", email=ADDRESS):
    contribution = start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal("5"), "EUR"),
        frequency=frequency,
        method="card",
        email=email,
        language=language,
    )
    provider = get_provider("card")
    provider.start(contribution, request=None)
    contribution.refresh_from_db()
    assert provider.charge(contribution, localstripe.confirmed_setup(provider, contribution)) == {"status": "succeeded"}
    contribution.refresh_from_db()
    return contribution


def declining(localstripe, contribution):
    card = localstripe.card(CARD_DECLINED_ON_CHARGE)
    localstripe.api.PaymentMethod.attach(card, customer=contribution.provider_customer_id)
    localstripe.api.Customer.modify(
        contribution.provider_customer_id, invoice_settings={"default_payment_method": card}
    )


def failed_renewal(client, localstripe, contribution, capture):
    """The card declines the next period's invoice, and Stripe says so (``invoice.payment_failed``)."""
    declining(localstripe, contribution)
    api = localstripe.api
    invoice = api.Invoice.create(
        customer=contribution.provider_customer_id, subscription=contribution.provider_subscription_id
    )
    with contextlib.suppress(stripe.CardError):
        api.Invoice.pay(invoice.id)
    event = {
        "id": f"evt_failed_{invoice.id}",
        "object": "event",
        "type": "invoice.payment_failed",
        "data": {"object": {"id": invoice.id, "object": "invoice"}},
    }
    with capture(execute=True):
        answer = deliver(client, event)
    assert answer.status_code == 200
    return invoice.id, answer.content.decode()


def at(days, hours=1):
    return simulated_now(Clock(timezone.now() + dt.timedelta(days=days, hours=hours)))


def notices():
    call_command("send_supporter_notices", verbosity=0)


def test_failed_renewal_mail_link_new_card_paid_and_the_reminders_stop(
    client, localstripe, mailbox, django_capture_on_commit_callbacks
):
    contribution = subscribed(localstripe)
    invoice_id, answer = failed_renewal(client, localstripe, contribution, django_capture_on_commit_callbacks)

    assert answer.startswith("past due ")
    assert Contribution.objects.get(pk=contribution.pk).status == "past_due"
    first = mailbox.wait_for(1)[0]
    assert first["Subject"] == "About your regular contribution" and first.envelope_to == [ADDRESS]
    body = body_of(first)
    assert "did not go through" in body and "5" in body and contribution.reference in body
    card_link, bank_link, manage_link = links_in(first)
    assert "/support/en/bank-transfer/" in bank_link
    # the same failure told again (or reconcile) opens nothing more
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reconcile_stripe", verbosity=0)
    assert Dunning.objects.count() == 1

    notices()  # nothing due yet
    with at(1):
        notices()
        notices()  # a second run in the same minute sends nothing more
    second = mailbox.wait_for(2)[1]
    assert second["Subject"] == "A reminder about your regular contribution"
    assert len(mailbox.messages) == 2

    # the link in the mail, days later, opens the card page through a fresh manage link
    with at(3):
        opened = client.get(path_of(card_link))
    assert opened.status_code == 303 and "/card/" in opened["Location"]
    page = client.get(opened["Location"])
    assert page.status_code == 200
    token = opened["Location"].split("/manage/")[1].split("/")[0]
    button = form_token(read_manage_link(token), "card", contribution.pk)
    prepared = client.post(opened["Location"] + "prepare/", {"form_token": button}).json()
    setup_intent = prepared["client_secret"].split("_secret_")[0]
    localstripe.api.SetupIntent.confirm(setup_intent, payment_method=localstripe.card())
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(opened["Location"] + "confirm/", {"form_token": button, "setup_intent": setup_intent})
    assert confirmed.json() == {"status": "succeeded"}

    contribution.refresh_from_db()
    assert contribution.status == "active"
    dunning = Dunning.objects.get()
    assert (dunning.outcome, dunning.mails_sent) == ("recovered", 2) and dunning.ended_at is not None
    assert localstripe.api.Invoice.retrieve(invoice_id)["status"] == "paid"
    assert Payment.objects.filter(contribution=contribution, status="succeeded").count() == 2
    for action in ("contribution.past_due", "dunning.mailed", "dunning.card_updated", "contribution.recovered"):
        assert AuditEntry.objects.filter(action=action).exists(), action
    with at(4):
        notices()
    with at(9):
        notices()
    messages = mailbox.wait_for(3)  # the receipt of the recovered payment, and no reminder
    assert [m["Subject"] for m in messages][:2] == [first["Subject"], second["Subject"]]
    assert len(messages) == 3 and "reminder" not in messages[2]["Subject"].lower()
    assert manage_link != card_link


def test_the_providers_own_retry_succeeding_stops_the_reminders(
    client, localstripe, mailbox, django_capture_on_commit_callbacks
):
    contribution = subscribed(localstripe, language="ru")
    invoice_id, _answer = failed_renewal(client, localstripe, contribution, django_capture_on_commit_callbacks)
    first = mailbox.wait_for(1)[0]
    # in the supporter's language (its wording comes with the Russian catalogue): the links lead to Russian pages
    assert "/support/ru/bank-transfer/" in body_of(first)

    # Stripe retries on its own with a card that works again, and says so
    api = localstripe.api
    card = localstripe.card()
    api.PaymentMethod.attach(card, customer=contribution.provider_customer_id)
    api.Customer.modify(contribution.provider_customer_id, invoice_settings={"default_payment_method": card})
    api.Invoice.pay(invoice_id)
    event = next(
        e
        for e in localstripe.events()
        if e["type"] == "invoice.payment_succeeded" and e["data"]["object"]["id"] == invoice_id
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, event).content.decode().startswith("recorded renewal #")

    assert Contribution.objects.get(pk=contribution.pk).status == "active"
    assert Dunning.objects.get().outcome == "recovered"
    count = len(mailbox.wait_for(2))  # the receipt
    for days in (1, 4, 8, 20):
        with at(days):
            notices()
    assert len(mailbox.messages) == count


def test_cancelling_a_past_due_contribution_stops_the_reminders_and_a_lapse_is_counted(
    client, localstripe, mailbox, django_capture_on_commit_callbacks
):
    contribution = subscribed(localstripe)
    failed_renewal(client, localstripe, contribution, django_capture_on_commit_callbacks)
    mailbox.wait_for(1)
    assert stop_recurring(actor=Actor.reader(), supporter_id=contribution.supporter_id, contribution_id=contribution.pk)
    assert Dunning.objects.get().outcome == "cancelled"
    for days in (1, 4, 8):
        with at(days):
            notices()
    assert len(mailbox.messages) == 1


def test_reminders_follow_the_newsrooms_schedule_and_stop_after_the_last(
    client, localstripe, mailbox, django_capture_on_commit_callbacks
):
    contribution = subscribed(localstripe)
    with override_settings(DUNNING_REMINDER_DAYS=[2, 5]):
        failed_renewal(client, localstripe, contribution, django_capture_on_commit_callbacks)
        mailbox.wait_for(1)
        with at(1):
            notices()
        assert len(mailbox.messages) == 1
        for days, expected in ((2, 2), (4, 2), (5, 3), (30, 3)):
            with at(days):
                notices()
            assert len(mailbox.wait_for(expected)) == expected
    assert Dunning.objects.get().mails_sent == 3


def test_no_mail_to_a_supporter_who_asked_not_to_be_contacted(
    client, localstripe, mailbox, django_capture_on_commit_callbacks
):
    contribution = subscribed(localstripe)
    annual = subscribed(localstripe, frequency="annual")
    assert set_do_not_contact(actor=Actor.reader(), supporter_id=contribution.supporter_id, quiet=True)
    mailbox.messages.clear()  # the receipts
    failed_renewal(client, localstripe, contribution, django_capture_on_commit_callbacks)
    assert Contribution.objects.get(pk=contribution.pk).status == "past_due"
    for days in (1, 4, 8, 352):
        with at(days):
            notices()
    assert mailbox.messages == [] and RenewalNotice.objects.filter(contribution=annual).count() == 0


def test_an_annual_notice_goes_out_on_the_right_day_and_only_once(localstripe, mailbox):
    annual = subscribed(localstripe, frequency="annual")
    subscribed(localstripe, frequency="monthly", email="monthly.reader.3b1a@example.org")
    mailbox.messages.clear()  # the receipts
    renews = timezone.localdate() + dt.timedelta(days=365)
    with override_settings(ANNUAL_NOTICE_DAYS=14):
        with at(365 - 16):
            notices()
        assert mailbox.messages == []
        with at(365 - 14):
            notices()
            notices()
        notice = mailbox.wait_for(1)[0]
        with at(365 - 3):
            notices()
    assert len(mailbox.messages) == 1
    assert notice["Subject"] == "Your regular contribution renews soon" and notice.envelope_to == [ADDRESS]
    body = body_of(notice)
    assert "€5" in body.replace("\xa0", "") or "5.00" in body or "5,00" in body
    assert str(renews.year) in body and annual.reference in body
    (link,) = links_in(notice)
    opened = Client_get(link)
    assert opened.status_code == 303 and "/support/manage/" in opened["Location"]
    assert RenewalNotice.objects.get(contribution=annual).renews_on == renews


def Client_get(url):
    from django.test import Client

    return Client().get(path_of(url))


def test_a_bad_or_made_up_notice_link_gets_a_clear_page(client):
    for token in ("nonsense", "x" * 5000):
        response = client.get(f"/support/notice/{token}/")
        assert response.status_code in (400, 404)
        assert response.status_code != 500
    assert "not valid" in client.get("/support/notice/nonsense/").content.decode()


def test_the_manage_page_offers_dont_contact_me_and_keeps_the_choice(client, localstripe):
    contribution = subscribed(localstripe)
    from support.receipts import manage_token

    token = manage_token(contribution.supporter)
    page = client.get(f"/support/manage/{token}/").content.decode()
    assert "data-contact-form" in page
    assert "t contact me" in page
    button = form_token(read_manage_link(token), "contact")
    done = client.post(f"/support/manage/{token}/", {"action": "contact", "form_token": button, "quiet": "1"})
    assert done.status_code == 303 and done["Location"].endswith("?done=quiet")
    contribution.supporter.refresh_from_db()
    assert contribution.supporter.do_not_contact
    assert "Send me notices and reminders again" in client.get(f"/support/manage/{token}/").content.decode()
    forged = client.post(f"/support/manage/{token}/", {"action": "contact", "form_token": "forged", "quiet": "0"})
    assert forged.status_code == 400
    contribution.supporter.refresh_from_db()
    assert contribution.supporter.do_not_contact
    assert AuditEntry.objects.filter(action="supporter.contact_choice").count() == 1


def test_the_scheduler_runs_the_reminders(client, localstripe, mailbox, django_capture_on_commit_callbacks, settings):
    assert "send_supporter_notices" in settings.SCHEDULED_COMMANDS
    contribution = subscribed(localstripe)
    failed_renewal(client, localstripe, contribution, django_capture_on_commit_callbacks)
    mailbox.wait_for(1)
    settings.SCHEDULED_COMMANDS = ["send_supporter_notices"]
    with at(1):
        call_command("run_scheduler", "--once")
    assert mailbox.wait_for(2)[1]["Subject"] == "A reminder about your regular contribution"


def test_the_dashboard_counts_failed_renewals_recovered_and_the_mrr_saved(
    client, localstripe, mailbox, django_capture_on_commit_callbacks
):
    from support.dunning.figures import recovery_table
    from support.revenue.tables import to_csv

    recovered = subscribed(localstripe)
    lost = subscribed(localstripe, email="lost.card.41c9@example.org")
    invoice_id, _answer = failed_renewal(client, localstripe, recovered, django_capture_on_commit_callbacks)
    failed_renewal(client, localstripe, lost, django_capture_on_commit_callbacks)
    api = localstripe.api
    card = localstripe.card()
    api.PaymentMethod.attach(card, customer=recovered.provider_customer_id)
    api.Customer.modify(recovered.provider_customer_id, invoice_settings={"default_payment_method": card})
    with django_capture_on_commit_callbacks(execute=True):
        assert get_provider("card").retry_invoice(recovered, invoice_id).startswith("recorded renewal #")

    table = recovery_table(months=3, currency="EUR")
    assert [row[1:4] for row in table.rows] == [[0, 0, Decimal("0")], [0, 0, Decimal("0")], [2, 1, Decimal("50.0")]]
    assert table.rows[-1][4] == Money(Decimal("5"), "EUR")
    assert "2,1,50.0,5.00" in to_csv(table).replace('"', "")
    assert recovery_table(months=1, currency="USD").rows[0][1] == 0
