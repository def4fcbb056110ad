"""The Revenue role opens Support → Revenue in a real browser, with JavaScript on and off: the figures, both charts
(server-drawn SVG, each with its title, description and table) and a CSV download all work without any script."""

import pytest

from tests.browser.admin import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_the_revenue_person_reads_the_dashboard(chromium, reading_server, javascript):
    context = chromium.new_context(java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, reading_server, "revenue")
    response = page.goto(reading_server + "/admin/support/revenue/?currency=EUR")
    assert response.status == 200
    assert page.locator("[data-revenue-headline] [data-figure=mrr]").count() == 1
    charts = page.locator("svg[role=img]")
    assert charts.count() == 2
    for index in range(2):
        chart = charts.nth(index)
        labelled = chart.get_attribute("aria-labelledby") or ""
        assert labelled and all(page.locator(f"[id='{part}']").count() == 1 for part in labelled.split())
        assert chart.bounding_box()["width"] > 200  # drawn, not collapsed
    assert page.locator("[data-revenue-table=history] tbody tr").count() == 24
    link = page.locator("a[href*='/admin/support/revenue/summary.csv']").first
    download = context.request.get(reading_server + link.get_attribute("href"))
    assert download.status == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.text().splitlines()[0].startswith("Figure,Count,Amount")
    context.close()
