"""Malformed requests get a short plain 400 (or a 413) before anything reads them: never a 500.

Django reads a request lazily, so what it cannot read fails deep inside whatever touches it first. A Content-Length
that is not a number makes ``request.body`` raise ``ValueError`` (a 500 from the webhook, the manage pages and the
admin's sign-in); a NUL character in a query value, a form field or a cookie reaches PostgreSQL, which refuses it (a
500 again); a form in another charset than UTF-8, or a multipart body without a boundary, raises where a view's broad
``except`` may turn it into a misleading 503. This middleware refuses each of those once, in one place:

* ``Content-Length``: one to 18 ASCII digits (``-5``, ``+5``, `` 5``, ``5,5``, ``²`` and 40 nines are not lengths),
  else 400; above ``DATA_UPLOAD_MAX_MEMORY_SIZE``, 413 — but for a multipart body, whose files Django streams to disk
  and does not count. The forms with smaller limits (checkout, reminders and manage pages, 4 KB; the ask counters'
  beacon) keep their own friendly answers between theirs and this one.
* ``Transfer-Encoding``: only ``chunked`` (which the server has already decoded), and never together with
  ``Content-Length`` (the pair request smuggling is made of).
* The host: Django's own check against ``ALLOWED_HOSTS`` (its usual 400), for every request rather than only those
  whose view happens to ask for the host.
* A NUL character in the path, the query, a header, a cookie or a form field.
* A form body Django cannot parse: not UTF-8, or multipart without a valid boundary (an upload over the limit is
  left to its view).

The answer is one line of plain text, or ``{"error": …}`` to a request that sent JSON, never cached.

What is only odd goes on, and the view answers it like any other input: invalid UTF-8 or broken percent-escapes
(Django decodes them into replacement characters), long headers (nginx and gunicorn limit their size), cookies
Django cannot split (it drops them).

It sits second in ``MIDDLEWARE``: the page cache answers its hits before, and so does the WSGI fast path
(``core/fast_path.py``) in front of Django; both read only the method, the path, ``Accept-Encoding`` and the proxy's
scheme header, never the body.
"""

import re

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers

CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")  # 10**18 bytes is more than any request; longer is not a length
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
NUL = "\x00"


def refusal(request, message, *, status=400):
    """The answer: one line of text, or ``{"error": message}`` to a request that sent JSON (as the ask counters'
    beacon answers its own refusals)."""
    if request.content_type == "application/json":
        response = JsonResponse({"error": message}, status=status)
    else:
        response = HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")
    add_never_cache_headers(response)
    return response


def _has_nul(query_dict):
    return any(NUL in key or any(NUL in value for value in values) for key, values in query_dict.lists())


def header_problem(request):
    """What is wrong with the request line and headers, or "" (raises ``DisallowedHost`` for a host not allowed)."""
    meta = request.META
    declared = meta.get("CONTENT_LENGTH") or ""
    if declared and not CONTENT_LENGTH.fullmatch(declared):
        return "The Content-Length header is not a number of bytes."
    coding = meta.get("HTTP_TRANSFER_ENCODING")
    if coding is not None and (coding.strip().lower() != "chunked" or declared):
        return "The Transfer-Encoding header is not one this server accepts."
    texts = [request.path_info, meta.get("QUERY_STRING", "")]
    texts += [value for name, value in meta.items() if name.startswith("HTTP_") or name == "CONTENT_TYPE"]
    if any(isinstance(text, str) and NUL in text for text in texts):
        return "The request contains a NUL character."
    request.get_host()  # DisallowedHost: Django answers 400 and logs it as a security event
    if _has_nul(request.GET) or any(NUL in value for value in request.COOKIES.values()):
        return "The request contains a NUL character."
    return ""


def body_problem(request):
    """``(status, message)`` for a body this server will not read, or None."""
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    over = limit is not None and declared > limit
    if over and request.content_type != "multipart/form-data":
        return 413, f"The body is larger than {limit} bytes."
    if request.method != "POST" or request.content_type not in FORM_TYPES or over:
        # (Over the limit, a multipart body is an upload: the admin's images, documents, statements. Its view parses
        # it, streaming the files to disk; read here, its raw body would be gone for a view that wants it.)
        return None
    try:
        # Read whole first: a view that reads the raw body after the form (the beacon, the webhook) still can.
        request.body  # noqa: B018
        form = request.POST
    except (MultiPartParserError, BadRequest, ValueError):
        return 400, "The form in the body cannot be read."
    if _has_nul(form):
        return 400, "The request contains a NUL character."
    return None


class RequestGuardMiddleware:
    """Answer a malformed request with a short plain 400 or 413 before any view (or other middleware) reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        message = header_problem(request)
        if message:
            return refusal(request, message)
        problem = body_problem(request)
        if problem is not None:
            status, message = problem
            return refusal(request, message, status=status)
        return self.get_response(request)
