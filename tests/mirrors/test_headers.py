"""The origin's safety headers (REACH R4.3–R4.5): one strict Content-Security-Policy from settings on every response
but the editors', widened only on the card step; no referrer, a restrictive Permissions-Policy, nosniff; and no
cookie on any reading response."""

import pytest
from django.conf import settings
from django.test import Client

from core.reading import PERMISSIONS_POLICY, ordered_policy, policy_for_meta, reading_policy
from tests.mirrors.reader_pages import origin_html_paths, reading_response_paths

pytestmark = pytest.mark.django_db

# The only sources the policy may name: no host, no scheme that reaches one, nothing inline or evaluated.
STRICT_SOURCES = {"'self'", "'none'", "data:"}


def strict_problems(policy):
    problems = []
    for directive in policy.split(";"):
        name, *sources = directive.split()
        problems += [f"{name} {source}" for source in sources if source not in STRICT_SOURCES]
    return problems


def get(client, path):
    response = client.get(path, HTTP_ACCEPT_ENCODING="identity")
    assert response.status_code in (200, 404), (path, response.status_code)
    return response


def test_the_policy_is_the_strict_one_of_the_design():
    directives = dict(d.split(" ", 1) for d in reading_policy().split("; "))
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "media-src": "'self'",
        "object-src": "'none'",
        "frame-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    assert strict_problems(reading_policy()) == []
    for forbidden in ("unsafe-inline", "unsafe-eval", "*", "http:", "https:", "nonce-"):
        assert forbidden not in reading_policy()


def test_every_origin_html_response_carries_the_strict_policy():
    client = Client()
    paths = origin_html_paths()
    assert len(paths) > 40
    for path in paths:
        response = get(client, path)
        assert response["Content-Type"].startswith("text/html"), path
        assert response["Content-Security-Policy"] == reading_policy(), path


def test_a_cached_page_keeps_the_same_headers():
    client = Client()
    for path in ["/", *origin_html_paths()[1:4]]:
        first = get(client, path)
        second = get(client, path)
        assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit"), path
        for name in ("Content-Security-Policy", "Referrer-Policy", "Permissions-Policy", "X-Content-Type-Options"):
            assert second[name] == first[name], (path, name)


def test_the_header_does_not_depend_on_the_process():
    # django-csp builds the header from a set; the directives are put back in the order settings list them.
    shuffled = "; ".join(reversed(reading_policy().split("; ")))
    assert ordered_policy(shuffled) == reading_policy()
    assert list(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]) == [d.split()[0] for d in reading_policy().split("; ")]


def test_the_meta_tag_policy_is_the_header_without_what_a_meta_tag_cannot_carry():
    meta = policy_for_meta()
    assert "frame-ancestors" not in meta and "report-uri" not in meta and "sandbox" not in meta
    assert [d for d in reading_policy().split("; ") if not d.startswith("frame-ancestors")] == meta.split("; ")


def test_the_editors_side_has_its_own_policy_that_still_names_no_host(admin_client):
    for path in ["/admin/login/", "/admin/", "/admin/pages/"]:
        response = admin_client.get(path)
        assert response.status_code in (200, 302), path
        policy = response["Content-Security-Policy"]
        assert "script-src 'self' 'unsafe-inline'" in policy and "frame-ancestors 'self'" in policy, path
        sources = {source for d in policy.split(";") for source in d.split()[1:]}
        assert sources <= {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}, (path, sources)
        # The admin keeps same-origin referrers, which its forms' CSRF check needs.
        assert response["Referrer-Policy"] == "same-origin"


def test_reading_responses_send_no_referrer_allow_no_powerful_feature_and_no_sniffing():
    client = Client()
    for path in origin_html_paths():
        response = get(client, path)
        assert response["Referrer-Policy"] == "no-referrer", path
        assert response["Permissions-Policy"] == PERMISSIONS_POLICY, path
        assert response["X-Content-Type-Options"] == "nosniff", path
    for feature in ("camera=()", "microphone=()", "geolocation=()", "browsing-topics=()"):
        assert feature in PERMISSIONS_POLICY


def test_no_reading_response_sets_a_cookie_or_varies_on_one():
    reader = Client()
    reader.cookies["sessionid"] = "left-from-the-admin"
    reader.cookies["csrftoken"] = "x" * 32
    for path in reading_response_paths():
        response = get(reader, path)
        assert not response.cookies, path
        assert "Set-Cookie" not in response.headers, path
        assert "Cookie" not in response.headers.get("Vary", ""), path
        assert response["Content-Security-Policy"] == reading_policy(), path
