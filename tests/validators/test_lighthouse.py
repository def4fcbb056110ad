"""Lighthouse (npm, in tools/validators) on Debian's Chromium scores an article and the support page, mobile and desktop:
performance at least 98, accessibility, best practices and SEO 100.

The four audits run one after another in one Chromium (tools/validators/lighthouse-run.mjs): in parallel on a small
machine they would take each other's processor time, which Lighthouse's simulated throttling counts against the page.
"""

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import CHROMIUM
from tests.validators.test_nu_html import VALIDATORS
from tests.waiting import EVENT_SECONDS

pytestmark = pytest.mark.browser

RUNNER = VALIDATORS / "lighthouse-run.mjs"
PERFORMANCE_AT_LEAST = 98
EXACTLY_100 = ("accessibility", "best-practices", "seo")


def lighthouse(urls):
    node = shutil.which("node")
    if node is None or not (VALIDATORS / "node_modules" / "lighthouse").exists():
        pytest.fail("Lighthouse needs Node and tools/validators: run `make validators`.")
    result = subprocess.run(
        [node, str(RUNNER), *urls],
        capture_output=True,
        text=True,
        cwd=VALIDATORS,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        timeout=EVENT_SECONDS * 12,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_an_article_and_the_support_page_score_full_marks(reading_server, article):
    reports = lighthouse([reading_server + article.url, reading_server + "/support/"])
    assert len(reports) == 4
    for run, report in reports.items():
        print(run, report["scores"], report["metrics"])  # the figures, in the test's output
    shortfalls = {}
    for run, report in reports.items():
        scores = report["scores"]
        short = {category: scores[category] for category in EXACTLY_100 if scores[category] != 100}
        if scores["performance"] < PERFORMANCE_AT_LEAST:
            short["performance"] = scores["performance"]
        if short or report.get("runtimeError"):
            shortfalls[run] = {"scores": short, "failed": report["failed"], "error": report.get("runtimeError")}
    assert shortfalls == {}
