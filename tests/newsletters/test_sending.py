"""Sending an issue to 1,000 readers through a real SMTP server, and what every message carries; the primary backend
dying mid-send; the SOS digest's full texts (REACH.md R5 acceptance checks 2–4)."""

import re
from collections import Counter
from urllib.parse import urlsplit

from django.utils.html import strip_tags

from core.actions import Actor
from newsletters import actions
from newsletters.articles import as_text, latest_article_ids
from newsletters.models import Delivery, Issue
from tests.newsletters.conftest import ONION, Failing, make_subscribers

HREF = re.compile(r"""href="([^"]+)\"""")
SRC = re.compile(r"""\bsrc=|<img\b|url\(""", re.I)


def send(capture, *, list_name="weekly", subject="This week", article_ids=(), language="en"):
    with capture(execute=True):
        issue = actions.save_issue(
            actor=Actor.system("test"),
            list=list_name,
            language=language,
            subject=subject,
            intro="A few stories.\n\nAnd one more thing.",
            article_ids=list(article_ids),
        )
        actions.schedule_issue(actor=Actor.system("test"), issue_id=issue.pk)
    return Issue.objects.get(pk=issue.pk)


def test_a_thousand_readers_each_get_one_clean_message(
    newsroom, servers, articles, django_capture_on_commit_callbacks, settings
):
    primary, fallback = servers()
    readers = make_subscribers(1000)
    chosen = [a.pk for a in articles if a.language == "en"][:3]
    issue = send(django_capture_on_commit_callbacks, article_ids=chosen)

    assert issue.status == Issue.Status.SENT
    assert (issue.recipients, issue.sent, issue.through_fallback) == (1000, 1000, 0)
    messages = primary.handler.wait_for(1000)
    assert len(messages) == 1000 and fallback.messages == []
    assert Counter(m["To"] for m in messages) == Counter(r.email for r in readers)  # each once

    allowed_hosts = {"newsroom.example", ONION, "letter-one.example", "letter-two.example"}
    for message in messages:
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = "".join(str(message["List-Unsubscribe"]).split()).strip("<>")
        assert unsubscribe.startswith("https://newsroom.example/newsletter/unsubscribe/")
        assert unsubscribe in text and unsubscribe in html
        assert not SRC.search(html), "no remote image, nothing loaded"
        assert "<style" not in html and 'style="' in html  # the CSS is inlined
        assert {urlsplit(url).hostname for url in HREF.findall(html)} <= allowed_hosts
        for body in (text, html):
            assert "https://letter-one.example" in body and "https://letter-two.example" in body
            assert f"http://{ONION}" in body
            for other in ("public-only", "private-only", "mailbox-only"):
                assert other not in body
        assert "RW" in text  # the signing key, for checking the mirror lists
    assert Delivery.objects.filter(issue=issue).count() == 1000


def test_killing_the_primary_mid_send_finishes_through_the_fallback_once_each(
    newsroom, servers, django_capture_on_commit_callbacks, settings
):
    settings.NEWSLETTER_BATCH_SIZE = 100
    primary, fallback = servers(Failing(survive=130))
    readers = make_subscribers(400)
    issue = send(django_capture_on_commit_callbacks)

    assert primary.handler.drops >= 1
    delivered = [m["To"] for m in primary.messages] + [m["To"] for m in fallback.handler.wait_for(270)]
    assert Counter(delivered) == Counter(r.email for r in readers)  # 0 duplicates, 0 missed
    log = Delivery.objects.filter(issue=issue)
    assert log.count() == 400 and log.values("subscriber").distinct().count() == 400
    assert log.filter(backend=Delivery.Backend.PRIMARY).count() == 130
    assert (issue.status, issue.sent, issue.through_fallback) == (Issue.Status.SENT, 400, 270)


def test_sending_again_sends_nobody_twice(newsroom, servers, django_capture_on_commit_callbacks):
    from newsletters.jobs import send_issue_batch

    primary, _fallback = servers()
    make_subscribers(30)
    issue = send(django_capture_on_commit_callbacks)
    primary.handler.wait_for(30)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)  # as if a worker ran it once more
    send_issue_batch.enqueue(issue.pk)
    assert len(primary.messages) == 30


def test_the_sos_digest_carries_the_latest_stories_in_full(
    newsroom, servers, django_capture_on_commit_callbacks, settings
):
    from publishing.models import ArticlePage

    settings.NEWSLETTER_SOS_ARTICLES = 3
    primary, _fallback = servers()
    make_subscribers(2, list_name="sos")
    send(django_capture_on_commit_callbacks, list_name="sos", subject="Today")
    message = primary.handler.wait_for(2)[0]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    latest = ArticlePage.objects.filter(pk__in=latest_article_ids("en", 3))
    assert latest.count() == 3
    for article in latest:
        assert article.title in text
        for block in article.body:
            if block.block_type == "paragraph":
                words = as_text(block.value.source)
                assert words in text, "every paragraph, in words, needing no click"
                assert " ".join(words.split()[:6]) in " ".join(strip_tags(html).split())


def test_an_address_refused_for_good_is_logged_and_not_tried_again(
    newsroom, servers, django_capture_on_commit_callbacks
):
    primary, fallback = servers()
    make_subscribers(3)
    make_subscribers(1, prefix="refused")
    issue = send(django_capture_on_commit_callbacks)
    assert len(primary.handler.wait_for(3)) == 3 and fallback.messages == []
    assert Delivery.objects.filter(issue=issue, backend=Delivery.Backend.REFUSED).count() == 1
    assert (issue.status, issue.sent) == (Issue.Status.SENT, 3)
