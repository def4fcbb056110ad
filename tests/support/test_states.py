"""The state machines of payments and contributions: every allowed move, every illegal one, and "already there"."""

import re
from decimal import Decimal

import pytest

from core.actions import Actor
from core.errors import DomainError, IllegalTransition
from core.money import Money
from support.actions.contributions import start_contribution
from support.models import Contribution, Payment
from support.states import CONTRIBUTION_MOVES, PAYMENT_MOVES, C, P, move_contribution, move_payment

pytestmark = pytest.mark.django_db

ALLOWED_PAYMENT_MOVES = {
    ("created", "pending"),
    ("created", "succeeded"),
    ("created", "failed"),
    ("pending", "succeeded"),
    ("pending", "failed"),
    ("failed", "succeeded"),  # a transfer that arrived after all
    ("succeeded", "refunded"),
}
ALLOWED_CONTRIBUTION_MOVES = {
    ("pending", "active"),
    ("pending", "completed"),
    ("pending", "failed"),
    ("pending", "cancelled"),
    ("failed", "active"),
    ("failed", "completed"),
    ("failed", "cancelled"),
    ("active", "past_due"),
    ("active", "cancelled"),
    ("active", "refunded"),
    ("past_due", "active"),
    ("past_due", "cancelled"),
    ("past_due", "refunded"),
    ("completed", "refunded"),
    ("cancelled", "refunded"),
}
PAYMENT_STATES = [status.value for status in P]
CONTRIBUTION_STATES = [status.value for status in C]


def pairs(states):
    return [(start, end) for start in states for end in states if start != end]


@pytest.fixture
def contribution():
    return start_contribution(
        actor=Actor.reader(), amount=Money(Decimal("10"), "EUR"), frequency="monthly", method="bank_transfer"
    )


@pytest.fixture
def payment(contribution):
    return contribution.payments.get()


def test_the_tables_name_every_state_and_only_the_moves_the_product_allows():
    assert set(PAYMENT_MOVES) == set(P)
    assert set(CONTRIBUTION_MOVES) == set(C)
    assert {(start, end) for start, ends in PAYMENT_MOVES.items() for end in ends} == ALLOWED_PAYMENT_MOVES
    assert {(start, end) for start, ends in CONTRIBUTION_MOVES.items() for end in ends} == ALLOWED_CONTRIBUTION_MOVES
    assert not PAYMENT_MOVES[P.REFUNDED] and not CONTRIBUTION_MOVES[C.REFUNDED]  # the ends of the line


@pytest.mark.parametrize(("start", "end"), pairs(PAYMENT_STATES))
def test_every_payment_move(payment, start, end):
    Payment.objects.filter(pk=payment.pk).update(status=start)
    if (start, end) in ALLOWED_PAYMENT_MOVES:
        row, changed = move_payment(payment.pk, end)
        assert changed and row.status == end
        stored = Payment.objects.get(pk=payment.pk)
        assert stored.status == end
        assert (stored.succeeded_at is not None) == (end == "succeeded")
    else:
        with pytest.raises(IllegalTransition) as raised:
            move_payment(payment.pk, end)
        assert raised.value.message == f"A payment cannot go from {start} to {end}."
        stored = Payment.objects.get(pk=payment.pk)
        assert (stored.status, stored.succeeded_at) == (start, None)  # nothing changed


@pytest.mark.parametrize(("start", "end"), pairs(CONTRIBUTION_STATES))
def test_every_contribution_move(contribution, start, end):
    Contribution.objects.filter(pk=contribution.pk).update(status=start)
    before = Contribution.objects.get(pk=contribution.pk)
    if (start, end) in ALLOWED_CONTRIBUTION_MOVES:
        row, changed = move_contribution(contribution.pk, end)
        assert changed and row.status == end
        stored = Contribution.objects.get(pk=contribution.pk)
        assert stored.status == end
        assert (stored.ended_at is not None) == (end in ("cancelled", "refunded"))
        assert stored.updated_at >= before.updated_at
    else:
        with pytest.raises(IllegalTransition) as raised:
            move_contribution(contribution.pk, end)
        assert raised.value.message == f"A contribution cannot go from {start} to {end}."
        stored = Contribution.objects.get(pk=contribution.pk)
        assert (stored.status, stored.ended_at, stored.updated_at) == (start, None, before.updated_at)


@pytest.mark.parametrize("state", PAYMENT_STATES)
def test_a_payment_already_there_is_left_alone(payment, state):
    Payment.objects.filter(pk=payment.pk).update(status=state, failure_message="as it was")
    row, changed = move_payment(payment.pk, state, failure_message="would overwrite")
    assert not changed and row.status == state
    stored = Payment.objects.get(pk=payment.pk)
    assert (stored.status, stored.failure_message, stored.succeeded_at) == (state, "as it was", None)


@pytest.mark.parametrize("state", CONTRIBUTION_STATES)
def test_a_contribution_already_there_is_left_alone(contribution, state):
    Contribution.objects.filter(pk=contribution.pk).update(status=state)
    before = Contribution.objects.get(pk=contribution.pk)
    row, changed = move_contribution(contribution.pk, state)
    assert not changed and row.status == state
    stored = Contribution.objects.get(pk=contribution.pk)
    assert (stored.status, stored.updated_at, stored.ended_at) == (state, before.updated_at, None)


def test_extra_fields_move_with_the_state(payment):
    _row, changed = move_payment(payment.pk, P.FAILED, failure_message="bounced")
    assert changed
    assert Payment.objects.get(pk=payment.pk).failure_message == "bounced"


def test_a_missing_row_is_a_clear_error_not_a_crash(payment):
    with pytest.raises(DomainError, match=re.escape("There is no payment #999999999.")):
        move_payment(999_999_999, P.SUCCEEDED)
    with pytest.raises(DomainError, match=re.escape("There is no contribution #999999999.")):
        move_contribution(999_999_999, C.ACTIVE)
