import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.client import ClientHandler


@dataclass
class DemoExport:
    out: Path  # the command's OUT directory
    root: Path  # OUT/current, resolved
    in_process: object  # the ExportResult of the export rendered without worker processes
    stdout: str


@pytest.fixture(scope="session")
def demo_export(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo newsroom exported for the whole run: once in this process, then by ``manage.py export_mirror`` with two
    worker processes, as in production.

    The first export also makes every image rendition the pages use. Worker processes write theirs to the database
    too, but the test database lives in this process's memory, so a rendition made in a worker would be made again (as
    a new file) by the next export; on a real database the first export leaves them for the next.
    """
    from mirrors.export.run import ExportOptions, export_site

    out = tmp_path_factory.mktemp("export")
    stdout = io.StringIO()
    with django_db_blocker.unblock():
        in_process = export_site(tmp_path_factory.mktemp("export-in-process"), ExportOptions(jobs=1, brotli_quality=5))
        call_command("export_mirror", str(out), "--jobs", "2", "--brotli-quality", "5", stdout=stdout)
    return DemoExport(out=out, root=(out / "current").resolve(), in_process=in_process, stdout=stdout.getvalue())


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
