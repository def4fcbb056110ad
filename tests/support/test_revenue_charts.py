"""The history's charts as inline SVG: valid XML, labelled by a title and a description, one point or bar per month,
nothing a strict policy or Tor Browser's Safest level would refuse, localised labels, the same bytes for the same
months; and the rows of the table that goes with them."""

import datetime as dt
import re
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from core.money import Money
from support.revenue.charts import count_chart, money_chart, month_table_rows, nice_ceiling
from support.revenue.history import Month, add_months

SVG = ""  # inline in HTML: no namespace


def months(count=6, *, cost="1000", currency="EUR"):
    """``count`` months from November 2024, income growing by 150 a month from 100, MRR two thirds of it."""
    first = timezone.make_aware(dt.datetime(2024, 11, 1))
    made = []
    for index in range(count):
        start = add_months(first, index)
        income = Decimal(100 + 150 * index)
        mrr = (income * 2 / 3).quantize(Decimal("0.01"))
        monthly_cost = Money(Decimal(cost), currency)
        made.append(
            Month(
                start=start,
                at=add_months(start, 1),
                current=index == count - 1,
                mrr=Money(mrr, currency),
                one_time=Money(income - mrr, currency),
                income=Money(income, currency),
                cost=monthly_cost,
                gap=(monthly_cost - Money(income, currency)).clamp_at_zero(),
                percent=min(100, int(income * 100 / Decimal(cost))),
                recurring_supporters=3 * index + 1,
                one_time_gifts=index,
                started=3,
                ended=0,
                missing=(),
            )
        )
    return made


def parse(markup):
    root = ElementTree.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    return root


def assert_accessible_and_inert(markup):
    root = parse(markup)
    assert root.get("role") == "img"
    assert root.get("viewBox") == "0 0 640 280"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag not in (f"{SVG}style", f"{SVG}script", f"{SVG}image", f"{SVG}use", f"{SVG}foreignObject")
        for name, value in element.attrib.items():
            assert "href" not in name, (element.tag, name)
            assert "url(" not in value and "http" not in value, value
    assert "@font-face" not in str(markup) and "<style" not in str(markup)
    return root


def test_the_money_chart_is_valid_labelled_svg_with_a_point_per_month():
    data = months(6)
    markup = money_chart(data, "en", title="Income against the monthly cost")
    root = assert_accessible_and_inert(markup)
    assert root.find(f"{SVG}title").text == "Income against the monthly cost"
    desc = root.find(f"{SVG}desc").text
    assert "November 2024" in desc and "April 2025" in desc
    assert "€100" in desc and "€850" in desc and "€1,000" in desc  # first and last income, the cost
    lines = {line.get("class"): line for line in root.iter(f"{SVG}polyline")}
    for css in ("chart__line chart__income", "chart__line chart__mrr"):
        assert len(lines[css].get("points").split()) == len(data)
    assert len([c for c in root.iter(f"{SVG}circle") if "chart__point--income" in c.get("class")]) == len(data)
    assert root.get("data-points") == str(len(data))
    assert root.find(f".//{SVG}line[@class='chart__cost']") is not None
    assert root.find(f".//{SVG}polygon[@class='chart__gap']") is not None


def test_the_cost_line_and_the_gap_sit_where_the_figures_say():
    data = months(4)  # income 100 … 550 against a cost of 1000: the axis goes to 1000
    root = parse(money_chart(data, "en", title="t"))
    cost = root.find(f".//{SVG}line[@class='chart__cost']")
    assert cost.get("y1") == cost.get("y2") == "14"  # the top of the plot: the cost is the highest value
    income = [
        tuple(map(float, p.split(",")))
        for p in root.find(f".//{SVG}polyline[@class='chart__line chart__income']").get("points").split()
    ]
    assert [y for _x, y in income] == sorted((y for _x, y in income), reverse=True)  # rising income: y falls
    gap = root.find(f".//{SVG}polygon[@class='chart__gap']").get("points").split()
    assert len(gap) == 2 + len(data)


def test_money_labels_follow_the_language():
    data = months(3)
    english = parse(money_chart(data, "en", title="t"))
    russian = parse(money_chart(data, "ru", title="т"))
    labels = lambda root: [t.text for t in root.iter(f"{SVG}text")]  # noqa: E731
    assert "Nov" in labels(english) and "Dec" in labels(english) and "Jan" in labels(english)
    assert "Ноя" in labels(russian) and "Дек" in labels(russian) and "Янв" in labels(russian)
    assert "2024" in labels(english) and "2025" in labels(english)  # the first month's year, and January's
    assert "€1,000" in labels(english) and "€0" in labels(english)
    assert "1\u00a0000\u00a0€" in labels(russian)
    assert "ноябрь 2024" in russian.find(f"{SVG}desc").text.lower()


def test_the_count_chart_has_a_bar_per_month():
    data = months(5)
    root = assert_accessible_and_inert(count_chart(data, "en", title="Recurring supporters"))
    bars = list(root.iter(f"{SVG}rect"))
    assert len(bars) == len(data)
    heights = [float(bar.get("height")) for bar in bars]
    assert heights == sorted(heights) and heights[0] > 0
    desc = root.find(f"{SVG}desc").text
    assert "1" in desc and "13" in desc and "November 2024" in desc
    russian = parse(count_chart(data, "ru", title="Постоянные сторонники"))
    assert "Ноя" in [t.text for t in russian.iter(f"{SVG}text")]


def test_the_same_months_give_the_same_bytes():
    assert str(money_chart(months(24), "ru", title="x")) == str(money_chart(months(24), "ru", title="x"))
    assert str(count_chart(months(24), "en", title="x")) == str(count_chart(months(24), "en", title="x"))


def test_two_charts_on_one_page_have_their_own_ids():
    one, two = money_chart(months(2), "en", title="a"), count_chart(months(2), "en", title="b")
    ids = lambda markup: set(re.findall(r' id="([^"]+)"', str(markup)))  # noqa: E731
    assert ids(one) and not ids(one) & ids(two)


def test_titles_are_escaped():
    root = parse(money_chart(months(2), "en", title="Income <b>&</b> cost"))
    assert root.find(f"{SVG}title").text == "Income <b>&</b> cost"


def test_no_months_is_a_chart_that_says_so():
    root = assert_accessible_and_inert(money_chart([], "en", title="Nothing"))
    assert root.find(f"{SVG}desc").text == "No figures yet."
    assert_accessible_and_inert(count_chart([], "ru", title="Ничего"))


def test_a_flat_history_of_zeros_still_draws():
    data = months(3, cost="0.01")
    data = [
        Month(**{**m.__dict__, "income": Money.zero("EUR"), "mrr": Money.zero("EUR"), "recurring_supporters": 0})
        for m in data
    ]
    assert_accessible_and_inert(money_chart(data, "en", title="t"))
    assert len(list(parse(count_chart(data, "en", title="t")).iter(f"{SVG}rect"))) == 3


@pytest.mark.parametrize(
    ("value", "top", "step"),
    [("1000", "1000", "250"), ("850", "1000", "250"), ("12000", "15000", "5000"), ("7", "8", "2"), ("0", "4", "1")],
)
def test_axes_end_on_a_round_number(value, top, step):
    found_top, found_step = nice_ceiling(Decimal(value))
    assert found_top >= Decimal(value) and found_top / found_step <= 4
    assert (found_top, found_step) == (Decimal(top), Decimal(step))


def test_table_rows_are_formatted_for_the_language():
    data = months(2)
    english, russian = month_table_rows(data, "en"), month_table_rows(data, "ru")
    assert [row["label"] for row in english] == ["November 2024", "December 2024"]
    assert [row["label"] for row in russian] == ["Ноябрь 2024", "Декабрь 2024"]
    assert english[1]["income"] == "€250" and russian[1]["income"] == "250\u00a0€"
    assert english[1]["gap"] == "€750" and english[1]["percent"] == 25
    assert english[1]["current"] and not english[0]["current"]
