"""The secrets of links never reach the logs (core/log_redaction.py): a manage link's token, a reminder's link, a pay
page's id. Real requests go through Django's test client, and what they log is read where the logs go: the console
handler ``settings.LOGGING`` installed (its stream swapped for a buffer, its filter the real one), and every record
as it left that handler."""

import datetime as dt
import io
import logging
import re
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.actions import Actor
from core.log_redaction import PUBLIC_PARAMETERS, REDACTED, RedactSecrets, is_secret, redact, routes
from core.money import Money
from support.actions.contributions import start_contribution
from support.actions.reminders import request_reminder
from support.models import Supporter
from support.receipts import MANAGE_LINK_MAX_AGE, manage_token
from support.reminders import cancel_token
from tests.deploy.stack import DEPLOY

pytestmark = pytest.mark.django_db

EMAIL = "redacted.logs.5e2a@example.org"


class Logged:
    """What reached the console: its text, and the records as they left it (``message`` and formatted)."""

    def __init__(self):
        self.stream = io.StringIO()
        self.records = []

    @property
    def text(self):
        return self.stream.getvalue()

    def everything(self):
        """Every way a record could be written: the console's text, each message, and each record formatted with
        its exception, stack and request."""
        formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
        parts = [self.text]
        for record in self.records:
            parts += [record.getMessage(), formatter.format(record), repr(getattr(record, "request", ""))]
            parts.append(str(getattr(getattr(record, "request", None), "path", "")))
        return "\n".join(parts)


class _Keep(logging.Handler):
    def __init__(self, logged):
        super().__init__()
        self.logged = logged

    def emit(self, record):
        self.logged.records.append(record)


def console_handler():
    return next(handler for handler in logging.getLogger().handlers if handler.get_name() == "console")


@pytest.fixture
def logged():
    """The installed console handler, writing to a buffer; a second handler after it keeps the records."""
    logged = Logged()
    console = console_handler()
    previous = console.setStream(logged.stream)
    keeper = _Keep(logged)
    logging.getLogger().addHandler(keeper)
    try:
        yield logged
    finally:
        logging.getLogger().removeHandler(keeper)
        console.setStream(previous)


def assert_kept_out(logged, *secrets):
    assert logged.records, "nothing was logged"
    everything = logged.everything()
    for secret in secrets:
        assert secret not in everything
    assert REDACTED in logged.text


@pytest.fixture
def supporter():
    contribution = start_contribution(
        actor=Actor.reader(),
        amount=Money(Decimal("10"), "EUR"),
        frequency="monthly",
        method="bank_transfer",
        email=EMAIL,
    )
    return Supporter.objects.get(pk=contribution.supporter_id)


def tampered(token):
    return token[:-1] + ("A" if token[-1] != "A" else "B")


# --- The filter is where every record goes ------------------------------------------------------------------------


def test_the_filter_is_on_the_console_handler_and_every_django_logger_writes_there():
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["redact_secrets"]
    assert any(isinstance(found, RedactSecrets) for found in console_handler().filters)
    # Django's own handlers (console with DEBUG, mail to admins) are gone: its records reach the root's console
    assert logging.getLogger("django").handlers == [] and logging.getLogger("django").propagate
    assert console_handler() in logging.getLogger("django.server").handlers  # the development server's lines too


# --- Real requests ------------------------------------------------------------------------------------------------


def test_a_bad_manage_link_is_logged_without_its_token(logged, supporter):
    token = tampered(manage_token(supporter))

    response = Client().get(f"/support/manage/{token}/")

    assert response.status_code == 400
    assert_kept_out(logged, token, token.split(":")[0])
    assert "Bad Request: /support/manage/[redacted]/" in logged.text
    [record] = [record for record in logged.records if record.name == "django.request"]
    assert (
        "/support/manage/[redacted]/" in repr(record.request) and record.request.path == "/support/manage/[redacted]/"
    )
    assert record.request.method == "GET"  # everything else is the request's own


def test_an_expired_manage_link_is_logged_without_its_token(logged, supporter):
    token = manage_token(supporter)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=MANAGE_LINK_MAX_AGE + 60)):
        response = Client().get(f"/support/manage/{token}/")

    assert response.status_code == 400
    assert b"expired" in response.content
    assert_kept_out(logged, token)


def test_the_card_step_of_a_bad_manage_link_and_a_404_under_it(logged, supporter):
    token = tampered(manage_token(supporter))

    assert Client().post(f"/support/manage/{token}/card/1/prepare/").status_code == 400
    assert Client().get(f"/support/manage/{token}/no-such-page/").status_code == 404

    assert_kept_out(logged, token)
    assert "Not Found: /support/manage/[redacted]/no-such-page/" in logged.text


def test_reminder_links_are_logged_without_their_tokens(logged):
    reminder, confirm = request_reminder(actor=Actor.reader(), email=EMAIL, when="month")
    cancel = cancel_token(reminder)

    assert Client().get(f"/support/remind/confirm/{tampered(confirm)}/").status_code == 400
    assert Client().post(f"/support/remind/cancel/{cancel}/").status_code == 405  # the links act on GET only
    assert Client().get(f"/support/remind/forget/{tampered(cancel)}/").status_code == 400

    assert_kept_out(logged, confirm, tampered(confirm), cancel, tampered(cancel))
    assert "Method Not Allowed (POST): /support/remind/cancel/[redacted]/" in logged.text


def test_a_pay_page_id_is_a_secret_too(logged):
    public_id = str(uuid.uuid4())

    assert Client().get(f"/support/pay/{public_id}/").status_code == 404
    assert Client().post(f"/support/pay/{public_id}/card/charge/", {"setup_intent": "seti_1"}).status_code == 404

    assert_kept_out(logged, public_id, public_id.split("-")[-1])


def test_a_malformed_request_to_a_link_is_refused_and_logged_without_its_token(logged, supporter):
    token = manage_token(supporter)

    response = Client().post(f"/support/manage/{token}/?token={token}", b"a=1", "text/plain", CONTENT_LENGTH="abc")

    assert response.status_code == 400
    assert_kept_out(logged, token)


# --- Records of every kind ----------------------------------------------------------------------------------------


def test_an_exception_logged_with_its_traceback_is_redacted_too(logged, supporter):
    token = manage_token(supporter)
    try:
        raise ValueError(f"the link https://news.example.org/support/manage/{token}/ could not be read ({token})")
    except ValueError:
        logging.getLogger("support.views.manage").exception("manage: the link of %s failed", "a supporter")

    assert_kept_out(logged, token)
    assert "Traceback (most recent call last)" in logged.text
    assert "ValueError: the link https://news.example.org/support/manage/[redacted]/ could not be read" in logged.text


def test_a_message_with_a_mapping_of_arguments_and_a_signed_value_anywhere(logged, supporter):
    token = manage_token(supporter)
    # gunicorn's access log: one dict of atoms; and a signed value with no path around it
    logging.getLogger("gunicorn.access").error(
        '"%(r)s" %(s)s', {"r": f"GET /support/manage/{token}/ HTTP/1.1", "s": 400}
    )
    logging.getLogger("support.receipts").warning("mailed %s", token)
    logging.getLogger("publishing").warning("searched for %s?token=%s", "/search/", "abc123")

    assert_kept_out(logged, token, "abc123")
    assert '"GET /support/manage/[redacted]/ HTTP/1.1" 400' in logged.text
    assert "mailed [redacted]" in logged.text and "/search/?token=[redacted]" in logged.text


def test_what_carries_no_secret_is_left_as_it_is(logged):
    logging.getLogger("core").warning(
        "Task %s ran for GET /support/manage/?lang=ru", "0d9d7a3e-2b1c-4b8e-9f5e-1234567890ab"
    )

    assert "Task 0d9d7a3e-2b1c-4b8e-9f5e-1234567890ab ran for GET /support/manage/?lang=ru" in logged.text


# --- Every route with a secret is covered, here and in nginx's access log --------------------------------------------

SAMPLES = {"IntConverter": 7, "UUIDConverter": uuid.UUID("0d9d7a3e-2b1c-4b8e-9f5e-1234567890ab")}
SECRET_SAMPLE = "SampleSecret7f3a:1abcde:" + "S" * 43


def named_routes(patterns=None, namespace="", converters=None):
    """``(name for reverse(), {parameter: converter})`` of every route."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        found = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        found.update({name: found.get(name) for name in entry.pattern.regex.groupindex})
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from named_routes(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern):
            yield ":".join(part for part in (namespace, entry.name) if part) if entry.name else None, found


def secret_routes():
    for name, converters in named_routes():
        if any(is_secret(parameter, converter) for parameter, converter in converters.items()):
            yield name, converters


def sample_path(name, converters):
    kwargs = {}
    for parameter, converter in converters.items():
        kind = type(converter).__name__
        kwargs[parameter] = SAMPLES.get(kind, SECRET_SAMPLE if kind == "StringConverter" else "sample-7f3a")
    return reverse(name, kwargs=kwargs)


def nginx_masked(path):
    """``path`` as deploy/nginx/samizdat.conf's access log writes it (its first matching map entry)."""
    conf = (DEPLOY / "nginx" / "samizdat.conf").read_text()
    block = conf[conf.index("map $request_uri $samizdat_logged_uri {") :]
    block = block[: block.index("}")]
    for regex, value in re.findall(r'^\s*"~\*(.+)" "(.+)";$', block, re.MULTILINE):
        match = re.match(regex, path, re.IGNORECASE)
        if match:
            return re.sub(r"\$(\d)", lambda number, match=match: match.group(int(number.group(1))), value)
    return path


def test_every_route_parameter_that_can_hold_text_is_either_a_secret_or_known_to_be_public():
    unknown = {
        parameter: regex
        for regex, converters in routes()
        for parameter, converter in converters.items()
        if type(converter).__name__ != "IntConverter"
        and not is_secret(parameter, converter)
        and parameter not in PUBLIC_PARAMETERS
    }
    assert not unknown, f"name each in core.log_redaction's SECRET_PARAMETERS or PUBLIC_PARAMETERS: {unknown}"


def test_every_route_with_a_secret_is_redacted_in_the_app_and_masked_in_nginx():
    found = list(secret_routes())
    assert {name for name, _ in found} >= {
        "support:manage_link",
        "support:manage_card",
        "support:remind_confirm",
        "support:remind_cancel",
        "support:remind_forget",
        "support:pay",
        "support:card_charge",
        "wagtailadmin_password_reset_confirm",
    }
    for name, converters in found:
        assert name, f"a route with a secret needs a name to be checked: {converters}"
        path = sample_path(name, converters)
        secrets = [SECRET_SAMPLE, str(SAMPLES["UUIDConverter"])]
        for written in (redact(f"Not Found: {path}"), nginx_masked(path + "?x=1")):
            assert REDACTED in written, (name, written)
            assert not any(secret in written for secret in secrets), (name, written)
