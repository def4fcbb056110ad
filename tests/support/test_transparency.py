"""The transparency page: the monthly cost and what it is made of, what covers it, the gap, and the gap's history, each
figure derived from the ledger. A reading page in both languages (no cookie, public cache), in the static export and
in the published tree, refreshed with the pages that show live figures."""

import datetime as dt
from decimal import ROUND_FLOOR, Decimal

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from support.actions.contributions import cancel_contribution, refund_payment
from support.models import AmountChange, Campaign, Contribution, CostItem, Payment, Refund, Supporter
from tests.support.test_ledger import STAFF, pay, start

pytestmark = pytest.mark.django_db

PATHS = {"en": "/support/transparency/", "ru": "/support/ru/transparency/"}


def reading(path):
    first, second = Client().get(path), Client().get(path)
    assert first.status_code == 200, path
    assert first.content == second.content  # the same bytes for everyone
    assert "Set-Cookie" not in first.headers and not first.cookies
    assert "public" in first["Cache-Control"]
    return first


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def figure(page, name):
    return page.select_one(f'[data-transparency="{name}"]').get_text(strip=True)


@pytest.fixture
def ledger():
    """A small ledger of our own, made with the real actions, on a cost of 200 € a month in both languages."""
    for model in (Refund, AmountChange, Payment, Contribution, Supporter):
        model.objects.all().delete()
    Campaign.objects.filter(is_active=True).update(monthly_cost=Decimal("200"), currency="EUR")
    pay(start("10"))
    pay(start("20"))
    pay(start("120", frequency="annual"))  # 10 a month
    pay(start("50", frequency="once"))
    refunded = pay(start("30", frequency="once"))
    refund_payment(actor=STAFF, payment_id=refunded.payments.get().pk)  # no longer counts
    start("5")  # never paid: not running
    left = pay(start("8"))
    assert cancel_contribution(actor=STAFF, contribution_id=left.pk, reason="by the supporter")
    return {"mrr": Decimal(40), "one_time": Decimal(50), "cost": Decimal(200), "recurring": 3}


def expected(ledger):
    """The figures worked out by hand from the rows the fixture made."""
    income = ledger["mrr"] + ledger["one_time"]
    gap = max(Decimal(0), ledger["cost"] - income)
    percent = int((income / ledger["cost"] * 100).to_integral_value(rounding=ROUND_FLOOR))
    return income, gap, percent


def test_the_figures_are_the_ledger_s(ledger):
    income, gap, percent = expected(ledger)
    assert (income, gap, percent) == (Decimal(90), Decimal(110), 45)
    page = soup(reading(PATHS["en"]))
    assert figure(page, "monthly_cost") == "€200"
    assert figure(page, "recurring") == "€40"
    assert figure(page, "one_time") == "€50"
    assert figure(page, "income") == "€90"
    assert figure(page, "gap") == "€110"
    assert figure(page, "percent") == "45%"
    assert figure(page, "recurring_supporters") == "3"
    # the history's current month is the same moment's figures
    last = page.select("[data-month-table] tbody tr")[-1]
    cells = [cell.get_text(strip=True) for cell in last.find_all(["th", "td"])]
    assert cells[1:] == ["€40", "€50", "€90", "€200", "€110", "45%", "3"]
    assert len(page.select("[data-month-table] tbody tr")) == 12


def test_the_page_shows_both_charts_with_a_point_per_month_of_the_table(ledger):
    page = soup(reading(PATHS["en"]))
    rows = page.select("[data-month-table] tbody tr")
    money = page.select_one('svg[data-chart="money"]')
    count = page.select_one('svg[data-chart="count"]')
    assert money["role"] == "img" and money.find("title").get_text() and money.find("desc").get_text()
    assert len(money.select("circle.chart__point--income")) == len(rows)
    assert len(count.select("rect.chart__bar")) == len(rows)
    assert not page.select("[style]") and not page.select("style") and not page.select("script:not([src])")


def test_the_page_says_when_its_figures_were_computed(ledger):
    page = soup(reading(PATHS["en"]))
    times = page.select(".transparency__when time")
    today = timezone.localtime().date()
    assert times[0]["datetime"] == today.isoformat()
    newest = Payment.objects.filter(succeeded_at__isnull=False).order_by("-succeeded_at").first().succeeded_at
    latest = max(newest, *Contribution.objects.exclude(ended_at=None).values_list("ended_at", flat=True))
    latest = max(latest, Refund.objects.order_by("-created_at").first().created_at)
    assert times[1]["datetime"] == timezone.localtime(latest).isoformat(timespec="minutes")


def test_the_russian_page_has_its_own_address_and_words(ledger):
    response = reading(PATHS["ru"])
    assert response["Content-Language"] == "ru"
    page = soup(response)
    assert page.html["lang"] == "ru"
    assert figure(page, "gap") == "110\u00a0€" and figure(page, "percent") == "45%"
    assert "Куда идут деньги" in page.get_text() or "Откуда" in page.get_text()
    assert "Янв" in page.select_one('svg[data-chart="money"]').get_text() or any(
        "2025" in t.get_text() for t in page.select('svg[data-chart="money"] text')
    )
    assert reading(PATHS["en"])["Content-Language"] == "en"
    for path in ("/support/en/transparency/", "/support/xx/transparency/"):
        assert Client().get(path).status_code == 404, path
    assert Client().post(PATHS["en"], {"x": "1"}).status_code == 405


def test_the_breakdown_shows_its_items_and_their_total(ledger):
    campaign = Campaign.objects.get(language="en", is_active=True)
    CostItem.objects.create(campaign=campaign, sort_order=0, label="Reporters’ pay", amount=Decimal(150))
    CostItem.objects.create(campaign=campaign, sort_order=1, label="Servers", amount=Decimal(50), note="Two hosts")
    table = soup(reading(PATHS["en"])).select_one("[data-cost-breakdown]")
    rows = [[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])] for row in table.select("tbody tr")]
    assert rows == [["Reporters’ pay", "€150", ""], ["Servers", "€50", "Two hosts"]]
    assert [c.get_text(strip=True) for c in table.select("tfoot th, tfoot td")][:2] == ["Total", "€200"]


def test_without_a_breakdown_the_page_says_so(ledger):
    assert "We have not published a breakdown of the cost yet." in soup(reading(PATHS["en"])).get_text()


def test_the_gap_meter_and_the_checkout_link_to_the_page(article, russian_article):
    english = soup(Client().get(article.url))
    assert english.select_one(f'.ask__meter a[href="{PATHS["en"]}"]')
    russian = soup(Client().get(russian_article.url))
    assert russian.select_one(f'.ask__meter a[href="{PATHS["ru"]}"]')
    assert soup(Client().get("/support/")).select_one(f'.checkout__transparency a[href="{PATHS["en"]}"]')


# --- the breakdown in the admin


def form_data(page):
    """What the browser would send for the form on ``page`` as it stands."""
    form = next(form for form in page.select("form") if form.select_one('[name="monthly_cost"]'))
    data = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name = field["name"]
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen["value"] if chosen else ""
        elif field.name == "textarea":
            data[name] = field.get_text()
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "button", "file", "search"):
            data[name] = field.get("value", "")
    return data


def with_items(data, items):
    data = {key: value for key, value in data.items() if not key.startswith("cost_items-")}
    data.update({"cost_items-TOTAL_FORMS": str(len(items)), "cost_items-INITIAL_FORMS": "0"})
    data.update({"cost_items-MIN_NUM_FORMS": "0", "cost_items-MAX_NUM_FORMS": "1000"})
    for index, (label, amount) in enumerate(items):
        prefix = f"cost_items-{index}-"
        data.update({prefix + "label": label, prefix + "amount": amount, prefix + "note": "", prefix + "ORDER": index})
        data.update({prefix + "id": "", prefix + "DELETE": ""})
    return data


def test_editors_keep_the_breakdown_in_the_campaign_and_it_must_add_up(admin_client, ledger):
    campaign = Campaign.objects.get(language="en", is_active=True)
    url = f"/admin/snippets/support/campaign/edit/{campaign.pk}/"
    page = BeautifulSoup(admin_client.get(url).content, "html.parser")
    assert "What the monthly cost is made of" in page.get_text()
    data = form_data(page)

    wrong = admin_client.post(url, with_items(data, [("Reporters", "150"), ("Servers", "40")]))
    assert wrong.status_code == 200  # the form again, with the error
    text = BeautifulSoup(wrong.content, "html.parser").get_text(" ")
    assert "add up to €190" in text and "the monthly cost is €200" in text
    assert not CostItem.objects.filter(campaign=campaign).exists()

    right = admin_client.post(url, with_items(data, [("Reporters", "150"), ("Servers", "50")]))
    assert right.status_code == 302, BeautifulSoup(right.content, "html.parser").select(".error-message")
    assert list(CostItem.objects.filter(campaign=campaign).values_list("label", "amount")) == [
        ("Reporters", Decimal("150.00")),
        ("Servers", Decimal("50.00")),
    ]
    assert "Reporters" in soup(reading(PATHS["en"])).select_one("[data-cost-breakdown]").get_text()

    # no items at all is allowed: the page then says there is no breakdown yet
    empty = admin_client.post(url, with_items(data, []) | {"cost_items-INITIAL_FORMS": "0"})
    assert empty.status_code == 302


# --- the export and the published tree


def test_the_export_holds_the_page_in_both_languages(demo_export):
    for path in PATHS.values():
        file = demo_export.root / path.strip("/") / "index.html"
        assert file.exists(), path
        page = BeautifulSoup(file.read_bytes(), "html.parser")
        assert page.select_one('svg[data-chart="money"]') and page.select_one("[data-month-table]")


def test_the_published_tree_keeps_the_page_and_refreshes_it_with_the_figures(settings, tmp_path, ledger):
    from mirrors.tree.publish import publish
    from mirrors.tree.store import Tree

    settings.PUBLISHED_TREE_DIR = str(tmp_path / "tree")
    settings.PUBLISHED_TREE_BROTLI_QUALITY = 5
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "*"]
    publish(full=True)
    tree = Tree(settings.PUBLISHED_TREE_DIR)
    with tree.locked():
        rows = tree.stored()
    for path in PATHS.values():
        assert rows[path].live and rows[path].owner == "transparency", path
    publish(refresh=True)  # notes what goal.json says
    now = dt.datetime.now().timestamp()
    pay(start("60"))  # the ledger moves: no change is announced
    publish(refresh=True, now=now + settings.PUBLISHED_FIGURES_SECONDS + 1)
    page = BeautifulSoup(tree.target(rows[PATHS["en"]].file).read_bytes(), "html.parser")
    assert figure(page, "recurring") == "€100"
