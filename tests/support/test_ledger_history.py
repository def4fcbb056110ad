"""What the ledger keeps for its history: when a contribution started running, when and why it stopped, each amount
change, and whether money went back as a refund or a dispute. The revenue dashboard and the transparency page read
these; here each is checked against the action that writes it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from support.actions.contributions import cancel_contribution, record_renewal, refund_payment
from support.actions.manage import change_contribution_amount
from support.models import AmountChange, Contribution, Refund
from tests.support.test_ledger import PROVIDER, STAFF, Money, pay, start

pytestmark = pytest.mark.django_db


def test_a_contribution_starts_with_its_first_payment_and_keeps_that_moment():
    contribution = start()
    assert Contribution.objects.get(pk=contribution.pk).started_at is None
    before = timezone.now()
    pay(contribution)
    started = Contribution.objects.get(pk=contribution.pk).started_at
    assert started is not None and started >= before
    record_renewal(actor=PROVIDER, contribution_id=contribution.pk, amount=Money(Decimal(10), "EUR"), provider_id="r1")
    assert Contribution.objects.get(pk=contribution.pk).started_at == started


def test_cancelled_and_lapsed_are_told_apart_and_a_later_refund_keeps_the_day_and_reason():
    left, failed = start(), start()
    pay(left)
    pay(failed)
    assert cancel_contribution(actor=STAFF, contribution_id=left.pk, reason="by the supporter")
    assert cancel_contribution(actor=PROVIDER, contribution_id=failed.pk, reason="renewals failed", lapsed=True)
    left, failed = Contribution.objects.get(pk=left.pk), Contribution.objects.get(pk=failed.pk)
    assert (left.end_reason, failed.end_reason) == ("cancelled", "lapsed")
    ended = left.ended_at
    refund_payment(actor=STAFF, payment_id=left.payments.get().pk, reason="asked for it back")
    left.refresh_from_db()
    assert (left.status, left.ended_at, left.end_reason) == ("refunded", ended, "cancelled")


def test_a_refunded_gift_ends_as_refunded_and_a_dispute_is_recorded_as_one():
    gift, disputed = start(frequency="once"), start(frequency="once")
    pay(gift)
    pay(disputed)
    refund_payment(actor=STAFF, payment_id=gift.payments.get().pk)
    refund_payment(actor=PROVIDER, payment_id=disputed.payments.get().pk, dispute=True)
    gift.refresh_from_db()
    assert (gift.status, gift.end_reason) == ("refunded", "refunded") and gift.ended_at is not None
    assert Refund.objects.get(payment__contribution=gift).kind == "refund"
    assert Refund.objects.get(payment__contribution=disputed).kind == "dispute"


def test_each_amount_change_is_kept_with_its_before_and_after():
    contribution = start(amount="10")
    pay(contribution)
    change_contribution_amount(actor=STAFF, contribution_id=contribution.pk, amount=Decimal("15"))
    change_contribution_amount(actor=STAFF, contribution_id=contribution.pk, amount=Decimal("12"))
    changes = list(AmountChange.objects.filter(contribution=contribution).order_by("pk").values_list("before", "after"))
    assert changes == [(Decimal("10.00"), Decimal("15.00")), (Decimal("15.00"), Decimal("12.00"))]
