"""Clients for the export tests; the demo export itself (``demo_export``) is a session fixture of tests/conftest.py,
shared with the browser tests so a run exports the demo once."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.test.client import ClientHandler


class _CanonicalClient(Client):
    """Requests for the canonical host over HTTPS, as the exporter builds them."""

    def get(self, path, *args, **kwargs):
        kwargs.setdefault("secure", True)
        return super().get(path, *args, **kwargs)


class _ExportRequestHandler(ClientHandler):
    """The test client's handler, with the flag the exporter sets on its own requests."""

    def get_response(self, request):
        request.samizdat_export = True
        return super().get_response(request)


@pytest.fixture
def export_client(settings):
    """A test client whose requests are rendered in export mode, for the canonical host over HTTPS."""
    host = urlsplit(settings.CANONICAL_URL).hostname
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
    client = _CanonicalClient(HTTP_HOST=host)
    client.handler = _ExportRequestHandler(enforce_csrf_checks=False)
    return client


@pytest.fixture
def origin_client(settings):
    host = urlsplit(settings.CANONICAL_URL).hostname
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
    return _CanonicalClient(HTTP_HOST=host)


def canonical_host():
    return urlsplit(settings.CANONICAL_URL).hostname
