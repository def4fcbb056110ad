"""A form sent twice (a double click, a reload of the POST, a second tab) starts one contribution, not two."""

import threading

import pytest
from django.core.cache import cache

from support import checkout
from tests.support.test_checkout import alert, checkout_form, contribution_of, form_fields, pay_path, rows, send

pytestmark = pytest.mark.django_db


def test_the_same_form_sent_twice_leads_to_the_first_contribution():
    client, fields = checkout_form()
    before = rows()
    first = pay_path(send(client, fields, method="bank_transfer"))
    second = pay_path(send(client, fields, method="bank_transfer"))
    assert first == second
    assert rows()[:2] == (before[0] + 1, before[1] + 1)
    assert contribution_of(first).payments.count() == 1


def test_a_new_form_starts_a_new_contribution():
    client, fields = checkout_form()
    first = pay_path(send(client, fields, method="bank_transfer"))
    _client, fresh = checkout_form(client)
    assert pay_path(send(client, fresh, method="bank_transfer")) != first


def test_the_same_form_sent_again_with_another_choice_asks_to_send_it_once_more():
    client, fields = checkout_form()
    first = pay_path(send(client, fields, method="bank_transfer"))
    before = rows()
    response = send(client, fields, method="crypto")
    assert response.status_code == 409
    assert "already sent this form" in alert(response)
    assert rows() == before
    again = form_fields(response)
    assert again["method"] == "crypto" and again["token"] != fields["token"]
    second = pay_path(send(client, again))
    assert second != first and contribution_of(second).method == "crypto"


def test_a_second_click_while_the_first_is_still_being_handled_waits_then_says_so(monkeypatch):
    client, fields = checkout_form()
    monkeypatch.setattr(checkout, "IN_FLIGHT_WAIT_SECONDS", 0.3)
    token = checkout.read_token(fields["token"])
    cache.add(f"samizdat:checkout:{token.id}", {"url": "", "choice": "whatever"}, 60)  # the first one, unfinished
    before = rows()
    response = send(client, fields, method="bank_transfer")
    assert response.status_code == 409
    assert "still being handled" in alert(response)
    assert rows() == before


def test_a_second_click_waits_for_the_first_and_follows_it():
    """Of two simultaneous submissions one claims the token; the other waits until the first knows where it leads."""
    token = checkout.FormToken(id="two-clicks", referrer_host="")
    assert checkout.claim(token, "digest") is None  # the first click goes ahead
    answer = {}
    second = threading.Thread(target=lambda: answer.setdefault("earlier", checkout.claim(token, "digest")))
    second.start()
    second.join(0.3)
    assert second.is_alive()  # waiting, not starting a second contribution
    checkout.remember(token, "digest", "/support/pay/first/")
    second.join(3)
    assert answer["earlier"] == checkout.Earlier(url="/support/pay/first/", same_choice=True)


def test_a_first_click_that_failed_lets_the_form_be_sent_again():
    token = checkout.FormToken(id="failed-click", referrer_host="")
    assert checkout.claim(token, "digest") is None
    checkout.release(token)
    assert checkout.claim(token, "digest") is None
