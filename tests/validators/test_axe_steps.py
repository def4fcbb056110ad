"""axe-core finds no WCAG 2.2 AA violation on the checkout's steps and on the static export.

The checkout in both languages: every frequency, every way to pay chosen, the form sent back with its errors, the
bank-transfer and crypto instructions of a new contribution, the thank-you page of a paid one, and the manage page
through a real signed link. The export: one page of each kind the export holds, served by a plain static host.
"""

import pytest

from tests.browser.test_checkout_without_javascript import contribution_ids, forget_contributions_since
from tests.validators.test_axe import AXE, violations
from tests.validators.test_nu_html import public_pages

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375)


def checked(page, name, found):
    page.add_script_tag(path=str(AXE))
    if result := violations(page):
        found[f"{name} @{page.viewport_size['width']}"] = result


ADDRESS = "axe-reader@example.org"


def own_addresses(django_db_blocker):
    """The thank-you page and the signed manage link of the supporter whose bank transfer the test made, the transfer
    confirmed as staff confirm one."""
    from urllib.parse import urlsplit

    from core.actions import Actor
    from support.actions.offline_payments import confirm_offline_payment
    from support.models import Contribution, Payment, Supporter
    from support.receipts import manage_url

    with django_db_blocker.unblock():
        supporter = Supporter.objects.get(email=ADDRESS)
        contribution = Contribution.objects.get(supporter=supporter)
        payment = Payment.objects.get(contribution=contribution)
        confirm_offline_payment(actor=Actor.system(), payment_id=payment.pk, transaction_reference="AXE-1")
        return {
            "thanks": f"/support/pay/{contribution.public_id}/",
            "manage-link": urlsplit(manage_url(supporter)).path,
        }


def forget_supporter(django_db_blocker):
    from support.models import Supporter

    with django_db_blocker.unblock():
        Supporter.objects.filter(email=ADDRESS).delete()


@pytest.fixture
def browser_page(chromium):
    pages = []

    def open_page(width):
        # the pages' own Content-Security-Policy would refuse the checker's script; nothing else is changed
        context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        pages.append(context)
        return context.new_page()

    yield open_page
    for context in pages:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_no_wcag_violation_on_the_checkout_steps(browser_page, reading_server, django_db_blocker, width):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make validators`.")
    page = browser_page(width)
    found = {}
    existing = contribution_ids(django_db_blocker)
    try:
        for language in ("en", "ru"):
            for frequency in ("monthly", "once", "annual"):
                page.goto(f"{reading_server}/support/?frequency={frequency}&lang={language}")
                checked(page, f"checkout {language} {frequency}", found)
            # each way to pay chosen (the same form for every frequency)
            for method in page.locator("form.checkout-form input[name=method]:enabled").all():
                method.check()
                checked(page, f"checkout {language} {method.get_attribute('value')}", found)
            # the form sent back with its errors: an amount under the minimum and an address that is none
            page.goto(f"{reading_server}/support/?lang={language}")
            form = page.locator("form.checkout-form")
            form.locator("input[name=amount_EUR][value=other]").check()
            form.locator("#checkout-other-EUR").fill("0.01")
            form.locator("#checkout-email").fill("not an address")
            form.locator("input[name=method][value=bank_transfer]").check()
            form.locator("#checkout-email").evaluate("field => field.form.noValidate = true")
            form.locator("button[type=submit]").click()
            page.wait_for_load_state("load")
            assert page.locator(".form-error").count() >= 2, page.url
            checked(page, f"checkout {language} errors", found)
            for method in ("bank_transfer", "crypto"):
                page.goto(f"{reading_server}/support/?lang={language}")
                page.locator(f"form.checkout-form input[name=method][value={method}]").check()
                if method == "bank_transfer" and language == "en":
                    page.locator("#checkout-email").fill(ADDRESS)
                page.locator("form.checkout-form button[type=submit]").click()
                page.wait_for_url("**/support/pay/**")
                checked(page, f"pay {language} {method}", found)
        for name, path in own_addresses(django_db_blocker).items():
            response = page.goto(reading_server + path)
            assert response.status == 200, path
            checked(page, name, found)
    finally:
        forget_contributions_since(django_db_blocker, existing)
        forget_supporter(django_db_blocker)
    assert found == {}


def export_pages(root):
    """One page of each kind in the export: the first file of every distinct depth-and-folder pattern."""
    kinds = {}
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root)
        kind = (len(relative.parts), relative.parts[0] if len(relative.parts) > 1 else "", relative.name)
        kinds.setdefault(kind, relative)
    return sorted(kinds.values())


@pytest.mark.parametrize("width", WIDTHS)
def test_no_wcag_violation_on_the_static_export(browser_page, demo_export, export_server, django_db_blocker, width):
    page = browser_page(width)
    found = {}
    paths = {f"/{relative.as_posix()}" for relative in export_pages(demo_export.root)}
    # the reading pages the origin is checked on, as the export holds them
    for path in public_pages(django_db_blocker).values():
        if (demo_export.root / path.lstrip("/") / "index.html").exists():
            paths.add(path)
    assert len(paths) >= 10
    for path in sorted(paths):
        page.goto(export_server + path)
        checked(page, path, found)
    assert found == {}
