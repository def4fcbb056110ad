"""Asking former supporters back, end to end against a real localstripe and a real SMTP server: the one win-back mail
``WINBACK_MAIL_DAYS`` after a regular contribution ended (cancelled or lapsed), in the supporter's language, once,
never to someone who chose "don't contact me" or gave again; the manage page telling the browser it is a former
supporter's; the win-back ask variant carried by the page but never its default; and the dashboard's recovery table
against a ledger counted by hand.

Time moves by the clock the code reads (``timezone.now()``, through ``simulated_now``), never by sleeping.
"""

import datetime as dt
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings

from core.actions import Actor
from core.models import AuditEntry
from support.actions.contributions import cancel_contribution
from support.actions.manage import stop_recurring
from support.demo_history import Clock, simulated_now
from support.dunning.actions import set_do_not_contact
from support.models import AskVariant, Campaign, Contribution, Dunning, WinBackMail
from support.receipts import manage_token
from tests.support import localstripe as fixtures
from tests.support.conftest import body_of, links_in, path_of
from tests.support.test_dunning import at, subscribed

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

QUIET_DAYS = 60


def notices():
    call_command("send_supporter_notices", verbosity=0)


def cancelled(localstripe, **options):
    contribution = subscribed(localstripe, **options)
    assert stop_recurring(actor=Actor.reader(), supporter_id=contribution.supporter_id, contribution_id=contribution.pk)
    return Contribution.objects.get(pk=contribution.pk)


@override_settings(WINBACK_MAIL_DAYS=QUIET_DAYS)
def test_one_win_back_mail_after_the_quiet_period_with_a_link_to_give_again(localstripe, mailbox):
    contribution = cancelled(localstripe)
    mailbox.messages.clear()  # the receipt
    with at(QUIET_DAYS - 1):
        notices()
    assert mailbox.messages == []
    with at(QUIET_DAYS):
        notices()
        notices()  # the same minute again: nothing more
    [mail] = mailbox.wait_for(1)
    assert mail["Subject"] == "Thank you for your past support" and mail.envelope_to == [contribution.supporter.email]
    body = body_of(mail)
    assert "ended on" in body and "the only time we write" in body
    give, manage = links_in(mail)
    assert path_of(give).startswith("/support/?") and "lang=en" in give and "frequency=monthly" in give
    landing = Client().get(path_of(give))
    assert landing.status_code == 200
    opened = Client().get(path_of(manage))
    assert opened.status_code == 303 and "/support/manage/" in opened["Location"]
    for days in (QUIET_DAYS + 1, QUIET_DAYS + 7, QUIET_DAYS + 400):
        with at(days):
            notices()
    assert len(mailbox.messages) == 1
    assert WinBackMail.objects.get().contribution_id == contribution.pk
    assert AuditEntry.objects.filter(action="contribution.win_back_mailed").count() == 1


def test_a_lapsed_supporter_gets_it_in_russian_by_the_scheduler(localstripe, mailbox, settings):
    contribution = subscribed(localstripe, language="ru")
    assert cancel_contribution(actor=Actor.system("stripe"), contribution_id=contribution.pk, lapsed=True)
    mailbox.messages.clear()
    settings.WINBACK_MAIL_DAYS = 30
    settings.SCHEDULED_COMMANDS = ["send_supporter_notices"]
    with at(30):
        call_command("run_scheduler", "--once")
    [mail] = mailbox.wait_for(1)
    assert mail["Subject"].strip() == "Спасибо, что поддерживали нас"
    body = body_of(mail)
    assert "Здравствуйте" in body and "lang=ru" in body


def test_no_win_back_mail_when_off_opted_out_came_back_or_long_ago(localstripe, mailbox, settings):
    quiet = cancelled(localstripe, email="quiet.one.5e1c@example.org")
    assert set_do_not_contact(actor=Actor.reader(), supporter_id=quiet.supporter_id, quiet=True)
    returning = cancelled(localstripe, email="came.back.7a2d@example.org")
    subscribed(localstripe, email="came.back.7a2d@example.org")  # gave again
    cancelled(localstripe, email="long.gone.90b3@example.org")  # on time, it would get it
    mailbox.messages.clear()
    with at(QUIET_DAYS):
        notices()  # off by default
    assert mailbox.messages == []
    settings.WINBACK_MAIL_DAYS = QUIET_DAYS
    with at(QUIET_DAYS + 15):
        notices()  # the quiet period passed more than two weeks ago: turning it on does not mail everyone who left
    assert mailbox.messages == [] and WinBackMail.objects.count() == 0
    with at(QUIET_DAYS):
        notices()  # on time: only the one who neither opted out nor came back
    [mail] = mailbox.wait_for(1)
    assert mail.envelope_to == ["long.gone.90b3@example.org"]
    assert returning.supporter.contributions.filter(status="active").exists()


def test_the_manage_page_tells_the_browser_it_was_a_supporters(localstripe, client):
    contribution = subscribed(localstripe)
    token = manage_token(contribution.supporter)

    def marker():
        page = BeautifulSoup(client.get(f"/support/manage/{token}/").content, "html.parser")
        node = page.select_one(".manage-page")
        return [
            name
            for name in ("data-sz-mark-supporter", "data-sz-mark-former", "data-sz-forget-former")
            if name in node.attrs
        ]

    assert marker() == ["data-sz-mark-supporter"]
    assert stop_recurring(actor=Actor.reader(), supporter_id=contribution.supporter_id, contribution_id=contribution.pk)
    assert marker() == ["data-sz-mark-former"]
    assert set_do_not_contact(actor=Actor.reader(), supporter_id=contribution.supporter_id, quiet=True)
    assert marker() == ["data-sz-forget-former"]


def test_a_win_back_variant_rides_on_the_page_but_is_never_its_default(article):
    campaign = Campaign.objects.get(language="en", is_active=True)
    variant = AskVariant(
        campaign=campaign, surface="appeal", key="come-back", audience="former", is_default=True, body="Come back."
    )
    with pytest.raises(ValidationError) as refused:
        variant.full_clean()
    assert "is_default" in refused.value.message_dict
    variant.is_default = False
    variant.weight = 1000  # heavier than any ordinary one: still not the default
    variant.full_clean()
    variant.save()
    response = Client().get(article.url, HTTP_ACCEPT_ENCODING="identity")
    soup = BeautifulSoup(response.content, "html.parser")
    appeal = soup.select_one("[data-ask-surface=appeal]")
    assert appeal.select_one(".ask__variant")["data-ask-variant"] != "come-back"
    assert "data-audience" not in appeal.select_one(".ask__variant").attrs
    template = appeal.select_one('template[data-ask-variant="come-back"]')
    assert template["data-audience"] == "former" and "Come back." in template.decode_contents()


def test_the_dashboard_shows_the_recovery_table_of_a_ledger_counted_by_hand(revenue):
    # By hand, in October 2026: four failed renewals of 10 EUR monthly, one of 120 EUR annual; recovered: two monthly
    # and the annual one → 3 of 5 = 60.0 %, MRR saved 10 + 10 + 120/12 = 30.00 EUR. September: one failed, lapsed.
    def failed(amount, frequency, when, outcome=""):
        contribution = Contribution.objects.create(
            reference=f"R{Contribution.objects.count():05d}",
            amount=Decimal(amount),
            currency="EUR",
            frequency=frequency,
            method="card",
            status="active" if outcome == "recovered" else "past_due",
        )
        Dunning.objects.create(
            contribution=contribution,
            invoice_id=f"in_{contribution.pk}",
            amount=Decimal(amount),
            currency="EUR",
            failed_at=when,
            outcome=outcome,
            ended_at=when + dt.timedelta(days=3) if outcome else None,
        )

    october = dt.datetime(2026, 10, 10, 12, tzinfo=dt.UTC)
    for outcome in ("recovered", "recovered", "", "lapsed"):
        failed("10", "monthly", october, outcome)
    failed("120", "annual", october + dt.timedelta(days=5), "recovered")
    failed("10", "monthly", october - dt.timedelta(days=30), "lapsed")
    with simulated_now(Clock(dt.datetime(2026, 10, 28, 12, tzinfo=dt.UTC))):
        response = revenue.get("/admin/support/revenue/?currency=EUR")
        csv = revenue.get("/admin/support/revenue/recovery.csv?currency=EUR")
    assert response.status_code == 200
    table = BeautifulSoup(response.content, "html.parser").select_one("[data-revenue-table=recovery]")
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("th, td")] for row in table.select("tbody tr")]
    october_row, september_row = rows[-1], rows[-2]
    assert october_row[0].startswith("October 2026") and october_row[1:4] == ["5", "3", "60.0"]
    assert "30" in october_row[4]
    assert september_row[1:4] == ["1", "0", "0.0"]
    assert csv.status_code == 200 and "5,3,60.0,30.00" in csv.content.decode().replace('"', "")
