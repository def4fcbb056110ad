"""What a screen reader is given: Chromium's accessibility tree (CDP Accessibility.getFullAXTree), in document order,
compared with the outline a reader should hear — headings, landmarks, the asks as what they are, and the checkout's
groups and its errors."""

import pytest

pytestmark = pytest.mark.browser

ARTICLE_SLUG = "inspectorate-blocks-43-more-vpn-services"
LANDMARKS = {"banner", "navigation", "search", "main", "complementary", "region", "contentinfo", "form"}

# The demo article as heard: each landmark (role, name) and each heading (h<level>, text), in reading order.
ARTICLE_OUTLINE = [
    ("banner", ""),
    ("navigation", "Languages"),
    ("navigation", "Sections"),
    ("search", ""),
    ("main", ""),
    ("h1", "Inspectorate blocks 43 more VPN services as readers find new ways in"),
    ("h2", "What the numbers show"),
    ("complementary", "Support our journalism"),
    ("complementary", "About censorship"),
    ("h2", "Risks for readers"),
    ("complementary", "How to keep reading Samizdat"),
    ("h2", "How to keep reading Samizdat"),
    ("h2", "Topics"),
    ("region", "Support our journalism"),
    ("region", "Read more"),
    ("h2", "Read more"),
]


def tree(page):
    """The tree's nodes that are not ignored, depth first from the root: (role, name, description, properties)."""
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    by_id = {node["nodeId"]: node for node in nodes}
    ordered, stack = [], [nodes[0]]
    while stack:
        node = stack.pop()
        if not node.get("ignored"):
            properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            ordered.append(
                (
                    node.get("role", {}).get("value"),
                    node.get("name", {}).get("value", ""),
                    node.get("description", {}).get("value", ""),
                    properties,
                )
            )
        stack.extend(by_id[child] for child in reversed(node.get("childIds", [])) if child in by_id)
    return ordered


ASKS = "Support our journalism"  # the name every ask's landmark carries


def outline(nodes):
    """Landmarks and headings; names case-folded (the kicker styles print some in capitals, which the tree keeps).
    The headings inside an ask are left out: they are its variant's (the experiment picks one per visit)."""
    heard, in_ask = [], False
    for role, name, _description, properties in nodes:
        if role == "heading" and not in_ask:
            heard.append((f"h{properties['level']}", name.casefold()))
        elif role in LANDMARKS:
            heard.append((role, name.casefold()))
            in_ask = name == ASKS
    return heard


def within(nodes, role, name):
    """The nodes inside the first landmark ``role`` named ``name``, up to the next landmark."""
    start = next(i for i, (r, n, _d, _p) in enumerate(nodes) if r == role and n == name)
    end = next((i for i in range(start + 1, len(nodes)) if nodes[i][0] in LANDMARKS), len(nodes))
    return nodes[start + 1 : end]


def article_path(django_db_blocker):
    from publishing.models import ArticlePage

    with django_db_blocker.unblock():
        return ArticlePage.objects.live().get(slug=ARTICLE_SLUG).url


def test_the_article_is_heard_in_its_outline(chromium, reading_server, django_db_blocker):
    path = article_path(django_db_blocker)
    page = chromium.new_page()
    try:
        page.goto(reading_server + path)
        nodes = tree(page)
    finally:
        page.close()
    heard = outline(nodes)
    expected = [(kind, text.casefold()) for kind, text in ARTICLE_OUTLINE]
    assert heard[: len(expected)] == expected
    # then the other stories, one level below "Read more", and the page's footer
    rest = heard[len(expected) :]
    assert rest[-1] == ("contentinfo", "") and len(rest) >= 3
    assert all(kind == "h3" for kind, _text in rest[:-1])

    # the asks, whichever variant is shown: the one in the text a complementary aside, the appeal at the end a region,
    # each with its button to hide it for now and its links by their names (the appeal's amounts among them)
    aside = [(r, n) for r, n, _d, _p in within(nodes, "complementary", ASKS) if r in ("button", "link")]
    assert aside[0] == ("button", "Hide this for now") and all(n for _r, n in aside) and len(aside) >= 2, aside
    appeal = [(r, n) for r, n, _d, _p in within(nodes, "region", ASKS) if r in ("button", "link")]
    assert appeal[0] == ("button", "Hide this for now") and all(n for _r, n in appeal), appeal
    assert [p["level"] for r, _n, _d, p in within(nodes, "region", ASKS) if r == "heading"] == [2]
    assert any(r == "link" and "€" in n for r, n in appeal), appeal
    assert ("link", "I already support") in appeal, appeal


def test_the_checkout_is_heard_in_groups_and_its_errors_with_their_messages(chromium, reading_server):
    page = chromium.new_page()
    try:
        page.goto(reading_server + "/support/")
        form = page.locator("form.checkout-form")
        form.locator("#checkout-email").fill("not an address")
        form.locator("input[name=method][value=bank_transfer]").check()
        form.evaluate("form => form.noValidate = true")  # the server's own check, as a browser without one sends it
        form.locator("button[type=submit]").click()
        page.wait_for_load_state("load")
        nodes = tree(page)
    finally:
        page.close()
    groups = [n for r, n, _d, _p in nodes if r == "group"]
    assert groups == ["How much a month?", "Currency", "How would you like to pay?"]
    assert ("navigation", "how often?") in outline(nodes)
    radios = [n for r, n, _d, p in nodes if r == "radio"]
    assert {"EUR", "€10", "Another amount", "Bank transfer", "Crypto"} <= set(radios)
    invalid = [(r, n, d) for r, n, d, p in nodes if p.get("invalid") not in (None, "false")]
    message = "Enter a valid email address, like name@example.org, or leave it empty."
    assert invalid == [("textbox", "Email for a receipt (optional)", message)]
    assert ("button", "Continue") in [(r, n) for r, n, _d, _p in nodes]
