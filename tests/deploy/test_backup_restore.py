"""A backup made as docs/production.md says (``pg_dump -Fc`` and a tar of the media), restored into a fresh database
and directory, serves the same pages byte for byte."""

import json
import os
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.deploy.stack import ROOT
from tests.services import postgres_admin_url

# Every live page's address, the feeds, the sitemap and the topics, each rendered through Django's full request handler
# (every middleware), printed as {url: [status, sha256 of the body]}.
RENDER_PAGES = """
import hashlib, json
from django.test import Client
from wagtail.models import Page
client = Client()
urls = sorted({page.url for page in Page.objects.live().public().specific() if page.url})
urls += ["/feed.xml", "/atom.xml", "/sitemap.xml", "/topics/", "/robots.txt"]
answers = {}
for url in urls:
    response = client.get(url, HTTP_ACCEPT_ENCODING="identity")
    answers[url] = [response.status_code, hashlib.sha256(response.content).hexdigest()]
print(json.dumps(answers))
"""


def database_url(name):
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(postgres_admin_url())._replace(path=f"/{name}"))


def pg_args():
    """Connection options for the PostgreSQL client programs, from postgres_admin_url()."""
    parts = urllib.parse.urlsplit(postgres_admin_url())
    return ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]


@pytest.fixture
def databases():
    names = [f"samizdat_b_backup_{uuid.uuid4().hex[:8]}", f"samizdat_b_restored_{uuid.uuid4().hex[:8]}"]
    yield names
    with psycopg.connect(postgres_admin_url(), autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(command, **options):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **options)
    assert result.returncode == 0, f"{command[:3]} failed:\n{result.stderr[-3000:]}"
    return result.stdout


def rendered(output):
    return json.loads(output.strip().splitlines()[-1])  # `shell` may say what it imported first


def test_a_restored_backup_serves_the_same_pages(databases):
    original, restored = databases
    with tempfile.TemporaryDirectory(prefix="samizdat-backup-") as tmp:
        tmp = Path(tmp)
        base = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
        env = {**base, "SAMIZDAT_ENV": "test", "CACHE_URL": "dummy://", "PUBLISHED_TREE_DIR": ""}

        def manage(*args, database, media):
            return run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env={**env, "DATABASE_URL": database_url(database), "MEDIA_ROOT": str(media)},
            )

        run(["createdb", *pg_args(), original])
        manage("migrate", "--noinput", "-v0", database=original, media=tmp / "media")
        manage("load_demo", "-v0", database=original, media=tmp / "media")
        before = rendered(manage("shell", "-c", RENDER_PAGES, database=original, media=tmp / "media"))

        # The backup, as docs/production.md makes it.
        run(["pg_dump", *pg_args(), "-Fc", "-f", str(tmp / "samizdat.dump"), original])
        with tarfile.open(tmp / "media.tar.gz", "w:gz") as archive:
            archive.add(tmp / "media", arcname=".")

        # The restore, into a database and a media directory that never saw the site.
        run(["createdb", *pg_args(), restored])
        run(["pg_restore", *pg_args(), "--no-owner", "--exit-on-error", "-d", restored, str(tmp / "samizdat.dump")])
        (tmp / "restored-media").mkdir()
        with tarfile.open(tmp / "media.tar.gz") as archive:
            archive.extractall(tmp / "restored-media", filter="data")
        after = rendered(manage("shell", "-c", RENDER_PAGES, database=restored, media=tmp / "restored-media"))

    assert len(before) > 20, "the demo's pages, feeds and sitemap"
    assert all(status == 200 for status, _ in before.values()), before
    assert after == before
