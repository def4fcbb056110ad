"""The Revenue team's work on one contribution in the admin, over HTTP: find it by its supporter's address (a POST;
the address never in a URL), cancel it, refund a card payment (at a real localstripe, the ledger following the
refund Stripe answers), resend the receipt or the manage link (over real SMTP) — each asked twice (a question, then
"yes"), audited, and refused with a message that changes nothing when it cannot be done."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages

from core.actions import Actor
from core.models import AuditEntry
from core.money import Money
from support.actions.contributions import confirm_payment, start_contribution
from support.models import Contribution, Payment, Refund
from tests.support import localstripe as fixtures
from tests.support.conftest import body_of
from tests.support.test_card_renewals import subscribed
from tests.support.test_staff_confirmation import login

localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/support/contributions/"
ADDRESS = "writes.in.8c2d@example.org"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def flash(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def act(client, contribution, action, payment=None, confirmed=True):
    url = f"{LIST_URL}{contribution.pk}/act/{action}/"
    data = {"payment": payment.pk} if payment else {}
    question = client.post(url, data)
    assert question.status_code == 200 and soup(question).select_one(f"[data-action-confirm={action}]")
    return client.post(url, {**data, "confirmed": "on"}) if confirmed else question


def paid_transfer(email=ADDRESS):
    contribution = start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal("12"), "EUR"),
        frequency="monthly",
        method="bank_transfer",
        email=email,
    )
    confirm_payment(actor=Actor.system(), payment_id=contribution.payments.get().pk, transaction_reference="x")
    return contribution


def test_a_card_payment_is_refunded_at_stripe_and_the_ledger_follows(revenue, localstripe):
    _provider, card = subscribed(localstripe, amount="7", email=ADDRESS)
    payment = card.payments.get(status="succeeded")
    page = revenue.get(f"{LIST_URL}{card.pk}/")
    assert soup(page).select_one(f"tr[data-payment='{payment.pk}'] form[data-action=refund]")

    question = act(revenue, card, "refund", payment, confirmed=False)
    assert "€7" in question.content.decode() and Payment.objects.get(pk=payment.pk).status == "succeeded"  # not yet
    done = act(revenue, card, "refund", payment)

    assert done.status_code == 302 and "refunded" in " ".join(flash(done))
    assert Payment.objects.get(pk=payment.pk).status == "refunded"
    refund = Refund.objects.get(payment=payment)
    assert refund.amount == Decimal("7.00") and refund.provider_id.startswith("re_")
    at_stripe = localstripe.api.Refund.retrieve(refund.provider_id)
    assert at_stripe["amount"] == 700 and at_stripe["status"] == "succeeded"
    entry = AuditEntry.objects.get(action="payment.refunded")
    assert entry.actor_kind == "staff"

    again = act(revenue, card, "refund", payment)  # a second time: a clear no, nothing moves
    assert "refunded already" in " ".join(flash(again)) and Refund.objects.count() == 1


def test_when_stripe_cannot_be_reached_nothing_is_refunded_or_cancelled(revenue, localstripe, settings):
    _provider, card = subscribed(localstripe, amount="7", email=ADDRESS)
    payment = card.payments.get(status="succeeded")
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    for response in (act(revenue, card, "refund", payment), act(revenue, card, "cancel")):
        assert response.status_code == 302 and "cannot be reached" in " ".join(flash(response))
    assert Payment.objects.get(pk=payment.pk).status == "succeeded" and not Refund.objects.exists()
    assert Contribution.objects.get(pk=card.pk).status == "active"
    assert not AuditEntry.objects.filter(action__in=["payment.refunded", "contribution.cancelled"]).exists()


def test_staff_cancel_a_card_subscription_at_stripe_first(revenue, localstripe):
    _provider, card = subscribed(localstripe, amount="7", email=ADDRESS)

    done = act(revenue, card, "cancel")

    assert done.status_code == 302 and Contribution.objects.get(pk=card.pk).status == "cancelled"
    assert localstripe.api.Subscription.retrieve(card.provider_subscription_id)["status"] == "canceled"
    assert AuditEntry.objects.get(action="contribution.cancelled").data["reason"] == "by staff"
    again = act(revenue, card, "cancel")
    assert "done already" in " ".join(flash(again))


def test_the_receipt_and_the_manage_link_go_again_by_mail(revenue, mailbox, django_capture_on_commit_callbacks):
    contribution = paid_transfer()
    payment = contribution.payments.get()
    mailbox.messages.clear()  # the first receipt
    with django_capture_on_commit_callbacks(execute=True):
        act(revenue, contribution, "receipt", payment)
    with django_capture_on_commit_callbacks(execute=True):
        act(revenue, contribution, "manage_link")

    receipt, link = mailbox.messages
    assert receipt.envelope_to == link.envelope_to == [ADDRESS]
    assert receipt["Subject"] == "Your receipt" and contribution.reference in body_of(receipt)
    assert "/support/manage/" in body_of(link)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"payment.receipt_resent", "supporter.manage_link_resent"} <= actions
    assert not AuditEntry.objects.filter(data__icontains=ADDRESS).exists()


def test_an_anonymous_contribution_has_nobody_to_mail(revenue, mailbox):
    contribution = paid_transfer(email="")
    response = act(revenue, contribution, "receipt", contribution.payments.get())
    assert "no email address on file" in " ".join(flash(response))
    assert not AuditEntry.objects.filter(action="payment.receipt_resent").exists()


def test_a_bad_action_or_payment_is_a_clear_no(revenue):
    contribution = paid_transfer()
    other = paid_transfer("someone.else.8c2d@example.org").payments.get()
    assert revenue.post(f"{LIST_URL}{contribution.pk}/act/explode/").status_code == 404
    response = revenue.post(f"{LIST_URL}{contribution.pk}/act/receipt/", {"payment": other.pk, "confirmed": "on"})
    assert response.status_code == 302 and "not one of this contribution's" in " ".join(flash(response))
    response = revenue.post(f"{LIST_URL}{contribution.pk}/act/receipt/", {"payment": "x", "confirmed": "on"})
    assert response.status_code == 302
    transfer_refund = act(revenue, contribution, "refund", contribution.payments.get())
    assert "given back by hand" in " ".join(flash(transfer_refund))
    assert not AuditEntry.objects.filter(action="payment.receipt_resent").exists()


def test_finding_by_email_keeps_the_address_out_of_every_url(revenue):
    mine = paid_transfer()
    start_contribution(
        actor=Actor.reader(), amount=Money(Decimal("5"), "EUR"), frequency="once", method="crypto", email=ADDRESS
    )
    paid_transfer("someone.else.8c2d@example.org")

    found = revenue.post(f"{LIST_URL}find/", {"email": "  Writes.In.8C2D@example.org "})

    assert found.status_code == 302 and "writes" not in found["Location"].lower() and "found=" in found["Location"]
    page = revenue.get(found["Location"])
    listed = {row["data-reference"] for row in soup(page).select("table[data-contributions] tbody tr")}
    assert listed == set(Contribution.objects.filter(supporter__email=ADDRESS).values_list("reference", flat=True))
    assert mine.reference in listed and len(listed) == 2
    assert ADDRESS not in page.content.decode().lower()

    unknown = revenue.post(f"{LIST_URL}find/", {"email": "nobody.8c2d@example.org"})
    assert unknown["Location"] == LIST_URL and "No contribution has that email address." in flash(unknown)
    bad = revenue.post(f"{LIST_URL}find/", {"email": "not an address"})
    assert bad.status_code == 302 and "not an email address" in " ".join(flash(bad))
    expired = revenue.get(f"{LIST_URL}?found=made-up-key")
    assert expired.status_code == 400 and "expired" in expired.content.decode()


@pytest.mark.parametrize("username", ["editor", "contributor"])
def test_only_the_revenue_team_acts(username):
    contribution = paid_transfer()
    client = login(username)
    for response in (
        client.post(f"{LIST_URL}{contribution.pk}/act/cancel/", {"confirmed": "on"}),
        client.post(f"{LIST_URL}find/", {"email": ADDRESS}),
    ):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert Contribution.objects.get(pk=contribution.pk).status == "active"


def test_the_contribution_page_lists_the_providers_events_about_it(client, revenue, localstripe):
    from support.models import ProviderEvent

    _provider, card = subscribed(localstripe, amount="7", email=ADDRESS)
    payment = card.payments.get(status="succeeded")
    events = localstripe.events()
    about = next(e for e in events if e["data"]["object"]["id"] in (payment.provider_id, card.provider_subscription_id))
    customer = next(e for e in events if e["type"] == "customer.created")
    for event in (about, customer):
        assert fixtures.deliver(client, event).status_code == 200

    page = soup(revenue.get(f"{LIST_URL}{card.pk}/"))

    rows = page.select("table[data-events] tbody tr")
    assert [row["data-event"] for row in rows] == [about["id"]]
    assert about["type"] in rows[0].get_text()
    assert ProviderEvent.objects.get(event_id=customer["id"]).object_id == ""  # no customer id kept with an event
