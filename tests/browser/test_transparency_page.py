"""The transparency page in Chromium, with JavaScript on and off: its chart is drawn and measured, its table is there,
nothing leaves the origin, no policy is broken and no cookie is set."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize("path", ["/support/transparency/", "/support/ru/transparency/"])
def test_the_page_draws_its_chart_and_shows_its_table(chromium, reading_server, path, javascript):
    context = chromium.new_context(java_script_enabled=javascript)
    requests, violations = [], []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        response = page.goto(reading_server + path, wait_until="load")
        assert response.status == 200
        chart = page.locator('svg[data-chart="money"]')
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box["width"] > 200 and box["height"] > 80  # drawn at a size from its viewBox, styled or not
        months = int(chart.get_attribute("data-points"))
        assert chart.locator("circle.chart__point--income").count() == months
        # drawn in full (with an empty ledger the line lies flat on the axis, so it has no height to be "visible")
        line = chart.locator("polyline.chart__income")
        assert line.count() == 1 and len(line.get_attribute("points").split()) == months
        rows = page.locator("[data-month-table] tbody tr")
        assert rows.count() == months and rows.last.is_visible()
        assert page.locator('svg[data-chart="count"] rect.chart__bar').count() == months
        # the stylesheet of the charts applied (its class rule, not only the presentation attribute)
        width = chart.evaluate("element => getComputedStyle(element).maxWidth")
        assert width != "none"
    finally:
        origin = urlsplit(reading_server).netloc
        foreign = [url for url in requests if urlsplit(url).netloc != origin]
        cookies = context.cookies()
        context.close()
    assert foreign == [] and violations == [] and cookies == []
