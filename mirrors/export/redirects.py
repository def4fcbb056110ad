"""Redirects on hosts that cannot send one: small stub pages, plus rules for hosts that can.

Editors' redirects and the ones Wagtail makes when a page's slug changes live in ``wagtail.contrib.redirects``. Each old
path is requested through the real handler, so the export follows exactly what the origin answers (a redirect whose
old path now holds a live page is no redirect at all). Each one becomes:

* a stub at the old path: a tiny page with ``meta refresh``, a canonical link and a link a reader can follow;
* a line of ``_redirects`` (Netlify's syntax, also read by Cloudflare Pages and others);
* lines of ``nginx-redirects.map``, which the nginx server block (:mod:`mirrors.nginx`) maps ``$uri`` through.
"""

import posixpath
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from wagtail.contrib.redirects.models import Redirect

from core.reading import policy_for_meta
from mirrors.export.render import file_for_path, write_file
from mirrors.nginx import redirect_map

NETLIFY_FILE = "_redirects"
NGINX_FILE = "nginx-redirects.map"


@dataclass(frozen=True, order=True)
class Moved:
    path: str  # the old path as readers request it
    target: str  # root-relative on our site, or an absolute URL elsewhere
    permanent: bool


def old_paths(site):
    """The old paths of every redirect that applies to ``site``, as a reader would request them (no query strings:
    a static host ignores them)."""
    paths = set()
    for old_path in Redirect.get_for_site(site).values_list("old_path", flat=True):
        if "?" in old_path or ";" in old_path or not old_path.startswith("/"):
            continue
        paths.add(old_path if looks_like_file(old_path) else old_path.rstrip("/") + "/")
    return sorted(paths)


def looks_like_file(path):
    return "." in posixpath.basename(path.rstrip("/")) and not path.endswith("/")


def follow(renderer, path):
    """What the origin answers at ``path``: a :class:`Moved`, or None when it is no redirect (a live page, or a
    redirect whose target is gone)."""
    response, _body = renderer.get(path)
    if response.status_code not in (301, 302, 303, 307, 308) or not response.get("Location"):
        return None
    target = response["Location"]
    canonical = settings.CANONICAL_URL
    if target.startswith(canonical + "/"):
        target = target[len(canonical) :]
    return Moved(path=path, target=target, permanent=response.status_code in (301, 308))


def canonical_target(target):
    return settings.CANONICAL_URL + target if target.startswith("/") else target


def write_stub(root, moved):
    """Write the stub page for ``moved`` and return its file name (None when the old path names a file that is not
    a page, such as an old feed address: a stub there would be HTML under a wrong extension)."""
    name = file_for_path(moved.path)
    if not name.endswith(".html"):
        return None
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "mirrors/redirect_stub.html",
            {
                "target": moved.target,
                "canonical_target": canonical_target(moved.target),
                "policy": policy_for_meta(),
            },
        )
    write_file(root, name, html.encode())
    return name


def write_rules(root, moved_list):
    """Write ``_redirects`` and ``nginx-redirects.map`` (both sorted, so the same redirects give the same bytes)."""
    netlify = "".join(f"{moved.path} {moved.target} {301 if moved.permanent else 302}\n" for moved in moved_list)
    write_file(root, NETLIFY_FILE, netlify.encode())
    write_file(root, NGINX_FILE, redirect_map({moved.path: moved.target for moved in moved_list}).encode())
    return [NETLIFY_FILE, NGINX_FILE]


def export_redirects(root, renderer, site, *, exists):
    """Write a stub for every redirect of ``site`` whose old path ``exists(path)`` does not already hold, and the
    rules files for all of them. Returns ``[(Moved, stub file name or None)]``, sorted by old path."""
    written = []
    for path in old_paths(site):
        if exists(path):
            continue  # a live page holds the old path now
        moved = follow(renderer, path)
        if moved is not None:
            written.append((moved, write_stub(root, moved)))
    write_rules(root, [moved for moved, _stub in written])
    return written
