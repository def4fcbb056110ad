"""Tor Browser "Safest": JavaScript off. From an article's appeal to the checkout, a bank transfer, and its reference —
plain links and a plain form, nothing from another host, no cookie."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.test_asks_without_javascript import english_article_path
from tests.support import localstripe as fixtures

pytestmark = pytest.mark.browser

# Card configured (against localstripe), so the page shows it as a way that needs JavaScript rather than as missing.
localstripe_server, localstripe = fixtures.localstripe_server, fixtures.localstripe

REFERENCE = re.compile(r"^SZ-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
PAY_PATH = re.compile(r"^/support/pay/([0-9a-f-]{36})/$")


def contribution_ids(django_db_blocker):
    from support.models import Contribution

    with django_db_blocker.unblock():
        return set(Contribution.objects.values_list("pk", flat=True))


def forget_contributions_since(django_db_blocker, existing):
    """The server commits what the browser sends: take it away again so other tests keep the demo's figures."""
    from core.models import AuditEntry
    from support.models import Contribution, Payment

    with django_db_blocker.unblock():
        created = list(Contribution.objects.exclude(pk__in=existing).values_list("pk", flat=True))
        payments = list(Payment.objects.filter(contribution__in=created).values_list("pk", flat=True))
        AuditEntry.objects.filter(
            subject_type="support.contribution", subject_id__in=[str(pk) for pk in created]
        ).delete()
        AuditEntry.objects.filter(subject_type="support.payment", subject_id__in=[str(pk) for pk in payments]).delete()
        Payment.objects.filter(pk__in=payments).delete()
        Contribution.objects.filter(pk__in=created).delete()


def test_from_the_appeal_to_a_bank_transfer_reference(chromium, reading_server, localstripe, django_db_blocker):
    from support.models import Contribution

    path = english_article_path(django_db_blocker)
    existing = contribution_ids(django_db_blocker)
    context = chromium.new_context(java_script_enabled=False)
    requests = []
    context.on("request", lambda request: requests.append((request.method, request.url)))
    page = context.new_page()
    try:
        page.goto(reading_server + path)
        appeal = page.locator("[data-ask-surface=appeal] .ask__variant")
        monthly = appeal.locator(".ask__choices").first.locator("a").nth(1)
        assert monthly.inner_text() == "€10 a month"
        monthly.click()
        page.wait_for_load_state("load")
        assert urlsplit(page.url).path == "/support/"
        arm = parse_qs(urlsplit(page.url).query)["variant"][0]

        form = page.locator("form.checkout-form")
        assert form.locator("legend").first.inner_text() == "How much a month?"
        assert form.locator("input[name=amount_EUR][value='10']").is_checked()
        assert form.locator("input[name=currency][value=EUR]").is_checked()
        card = form.locator(".checkout__method--card")
        assert card.locator("input[name=method]").is_enabled() and "needs JavaScript" in card.inner_text()
        form.locator("input[name=method][value=bank_transfer]").check()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state("load")

        match = PAY_PATH.match(urlsplit(page.url).path)
        assert match, page.url
        reference = page.locator("[data-pay-reference]").inner_text()
        assert REFERENCE.match(reference)
        assert page.locator("[data-pay-amount]").inner_text() == "€10 every month"
        assert page.locator("[data-pay-iban]").inner_text() == "XX00 0000 0000 0000 0000 00"
        with django_db_blocker.unblock():
            contribution = Contribution.objects.get(public_id=match.group(1))
            assert (contribution.reference, contribution.status, contribution.method) == (
                reference,
                "pending",
                "bank_transfer",
            )
            assert contribution.arm == arm and contribution.article_id is not None
            assert contribution.payments.count() == 1

        page.reload()  # the pay page came after a 303: reloading it sends nothing again
        assert page.locator("[data-pay-reference]").inner_text() == reference
        assert len(contribution_ids(django_db_blocker) - existing) == 1

        origin = urlsplit(reading_server).netloc
        assert [url for _method, url in requests if urlsplit(url).netloc != origin] == []
        assert [url for method, url in requests if method == "POST"] == [reading_server + "/support/"]
        assert context.cookies() == []
    finally:
        context.close()
        forget_contributions_since(django_db_blocker, existing)
    assert contribution_ids(django_db_blocker) == existing
