"""Rendering public paths for the export: through the full request handler, as a reader's request would be answered.

Every path goes through Django's ``BaseHandler`` with all middleware loaded, never a view called directly, so the
export holds exactly what readers of the origin get, headers and all. The request is built for the canonical host over
HTTPS (``SECURE_SSL_REDIRECT`` has nothing to redirect, and feeds build ``https://`` links) and carries
``samizdat_export = True`` on the request object itself: no header can switch export mode on. The published tree
(:mod:`mirrors.tree`) renders through the same renderer with export mode off.

One ``Renderer`` lives in each worker process. :func:`render_paths` renders a batch of paths, writes each file under the
export root and reads it back for the checks, so only small results travel back to the parent process.
"""

import logging
import mimetypes
import os
import posixpath
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core import signals
from django.core.handlers.base import BaseHandler
from django.db import close_old_connections
from django.test import RequestFactory

from core import snapshot
from mirrors.export.scan import HostRules, scan_css, scan_html, scan_script

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_XML_TYPES = frozenset({"application/xml", "text/xml"})


class UnsafePath(ValueError):
    pass


def file_for_path(path):
    """The file (relative to the export root, POSIX, no leading slash) a static host serves for URL ``path``.

    A path ending in ``/`` is a directory with its ``index.html``; any other path must name a file by its extension.
    """
    decoded = unquote(urlsplit(path).path)
    if not decoded.startswith("/") or "\0" in decoded or "\\" in decoded:
        raise UnsafePath(path)
    parts = [part for part in decoded.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise UnsafePath(path)
    relative = "/".join(parts)
    if decoded.endswith("/"):
        return f"{relative}/index.html" if relative else "index.html"
    return relative


def media_type(content_type):
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_xml(kind):
    return kind in _XML_TYPES or kind.endswith("+xml")


def types_agree(file_name, content_type):
    """Whether a static host, going by ``file_name``'s extension, would send the type the origin sent."""
    actual = media_type(content_type)
    guessed, _encoding = mimetypes.guess_type(posixpath.basename(file_name), strict=False)
    if guessed is None or not actual:
        return False
    guessed = guessed.lower()
    return guessed == actual or (_is_xml(guessed) and _is_xml(actual))


@dataclass
class Rendered:
    """What one path turned into: the file written (if any), where it redirects, and what the checks found."""

    path: str
    status: int
    content_type: str = ""
    file: str | None = None
    location: str | None = None
    references: set = field(default_factory=set)
    problems: list = field(default_factory=list)


class Renderer:
    """A request handler with every middleware loaded, and requests built as the canonical site would receive them.

    ``export_mode`` renders pages for a static mirror (the export); without it, pages are exactly what the origin
    answers a reader (the published tree, :mod:`mirrors.tree`). Either way the page cache is bypassed: a file is
    always rendered afresh.
    """

    def __init__(self, canonical_url, *, export_mode=True, overlay_base=""):
        self.export_mode = export_mode
        self.overlay_base = overlay_base.rstrip("/")
        parts = urlsplit(canonical_url)
        self.host = parts.netloc
        self.handler = BaseHandler()
        self.handler.load_middleware()
        # The scheme is the request's own (``get(..., secure=)``): a factory default would only add a META key.
        self.secure = parts.scheme == "https"
        self.factory = RequestFactory(HTTP_HOST=self.host)
        self.rules = HostRules(canonical_url)
        # An export is a snapshot: what every page of it shares (the asks' copy and live figures, say) is worked out
        # once per process and reused by every later request of this renderer (core.snapshot).
        self.batch_memo = {}
        self._sites = {}

    def get(self, path):
        request = self.factory.get(path, secure=self.secure)
        request.samizdat_render_to_file = True
        request.samizdat_export = self.export_mode
        if self.overlay_base:
            request.samizdat_overlay_base = self.overlay_base  # core.onion.answer_base: what feeds and sitemaps name
        self._share_site(request)
        with snapshot.batch(self.batch_memo):
            response = self.handler.get_response(request)
            if response.streaming:
                body = b"".join(response.streaming_content)
            else:
                body = response.content
        # Closing a response ends the request, which would close a database connection Django finds in a
        # transaction or past its age: the renderer's requests are not the connection's, so it stays open.
        signals.request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            signals.request_finished.connect(close_old_connections)
        return response, body

    def _share_site(self, request):
        """Wagtail looks the request's site and the sites' root paths up once per request, keeping them on the request
        (``_wagtail_site``, ``_wagtail_cached_site_root_paths``); every request of one export has the same host, so the
        answers of the first are handed to the rest."""
        from wagtail.models import Site

        if "site" not in self._sites:
            self._sites["site"] = Site.find_for_request(self.factory.get("/", secure=self.secure))
            self._sites["root_paths"] = Site.get_site_root_paths()
        request._wagtail_site = self._sites["site"]
        request._wagtail_cached_site_root_paths = self._sites["root_paths"]

    def render_to(self, root, path, *, file_name=None):
        """Render ``path`` and write it under ``root``; report anything that would make a static copy differ.

        With ``file_name``, ``path`` is one the site does not have: the answer must be the page for unknown paths
        (status 404), written to ``file_name``.
        """
        try:
            response, body = self.get(path)
        except Exception as error:  # one broken page must name itself, not stop the workers silently
            return Rendered(path=path, status=0, problems=[f"raised {type(error).__name__}: {error}"])
        result = Rendered(path=path, status=response.status_code, content_type=response.get("Content-Type", ""))
        if response.cookies:
            result.problems.append(f"sets a cookie ({', '.join(sorted(response.cookies))})")
        if response.status_code in REDIRECT_STATUSES:
            result.location = response.get("Location")
            return result
        expected = 200 if file_name is None else 404
        if response.status_code != expected:
            result.problems.append(f"answered {response.status_code}, not {expected}")
            return result
        try:
            name = file_name or file_for_path(path)
        except UnsafePath:
            result.problems.append("is not a path a static host can serve")
            return result
        kind = media_type(result.content_type)
        if kind == "text/html":
            if not name.endswith(".html"):
                result.problems.append(f"is HTML ({result.content_type}) but a static host would not serve it so")
                return result
        elif not types_agree(name, result.content_type):
            guessed = mimetypes.guess_type(posixpath.basename(name), strict=False)[0]
            result.problems.append(
                f"is {kind or 'untyped'} but a static host would serve {name} as {guessed or 'an unknown type'}"
            )
            return result
        write_file(root, name, body)
        result.file = name
        self.scan(result, body, "/" + name if file_name else path)
        return result

    def scan(self, result, body, url_path):
        kind = media_type(result.content_type)
        if kind == "text/html":
            references, problems = scan_html(body.decode("utf-8"), url_path, self.rules)
        elif kind == "text/css":
            references, problems = scan_css(body.decode("utf-8"), url_path, self.rules)
        elif kind in ("text/javascript", "application/javascript"):
            references, problems = set(), scan_script(body.decode("utf-8"), self.rules)
        else:
            return
        result.references = references
        result.problems.extend(problems)


@contextmanager
def quiet_not_found():
    """Keep Django from logging the 404 the exporter asks for on purpose (to render the page for unknown paths)."""
    logger = logging.getLogger("django.request")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def write_file(root, name, data):
    target = Path(root, *name.split("/"))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def link_or_copy(source, target):
    """Puts ``source``'s bytes at ``target`` (a new name): a hard link where the file system allows, else a copy.
    Only for files that are never changed once written (renditions, compression cache entries)."""
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


# --- worker processes: one renderer each, made once

_renderer = None


def start_worker(canonical_url, overlay_base=""):
    """Process-pool initializer: a fresh handler in each worker (never one inherited from the parent)."""
    global _renderer
    _renderer = Renderer(canonical_url, overlay_base=overlay_base)


def render_paths(root, paths):
    """Render a batch of paths into ``root`` in this worker. Returns one :class:`Rendered` per path, in order."""
    return [_renderer.render_to(root, path) for path in paths]
