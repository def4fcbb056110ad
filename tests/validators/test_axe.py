"""axe-core (npm, in tools/validators) in Chromium finds no WCAG 2.2 AA violation on the public pages, wide and narrow."""

import pytest

from tests.validators.test_nu_html import VALIDATORS, public_pages

pytestmark = pytest.mark.browser

AXE = VALIDATORS / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"wide": 1280, "narrow": 375}


def violations(page):
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    return [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"]) for v in found["violations"]]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_no_wcag_violation_on_any_public_page(chromium, reading_server, django_db_blocker, width):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make validators`.")
    # the pages' own Content-Security-Policy would refuse the checker's script; nothing else is changed
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    found = {}
    try:
        for name, path in public_pages(django_db_blocker).items():
            page.goto(reading_server + path)
            page.add_script_tag(path=str(AXE))
            if result := violations(page):
                found[name] = result
    finally:
        context.close()
    assert found == {}
