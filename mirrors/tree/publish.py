"""Writing the published tree: everything (a deploy's full rebuild), what changes touched, or the live parts.

Each file is rendered through the live site's own request handler (:class:`mirrors.export.render.Renderer` with export
mode off), so it is byte for byte what the app answers for its URL; a file is written only when its bytes changed, and
only when the answer is one a static server can give as the app gave it: status 200, no cookie, the same headers as
every other file of the tree (``headers.conf``). Anything else is removed from the tree and left to the app.

Freshness: a publish is live as soon as the task that follows its commit has run (:mod:`mirrors.tasks`). The figures
the asks show (the gap, the share covered) come from the ledger; ``publish_tree --refresh``, run every minute by the
scheduler, renders the pages that show asks or the ledger's figures (the transparency page) again when
``/support/goal.json`` has changed and
``PUBLISHED_FIGURES_SECONDS`` have passed since they were last rendered, and at least every ``PAGE_CACHE_SECONDS``
whatever happened (scheduled copy): never staler than the page cache makes the app's own answers.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.urls import reverse

from mirrors.export import inventory
from mirrors.export.render import REDIRECT_STATUSES, Renderer, UnsafePath, file_for_path, media_type, types_agree
from mirrors.tree.dependencies import paths_to_render
from mirrors.tree.store import Stored, Tree, digest_of

logger = logging.getLogger(__name__)

TREE_KINDS = frozenset({inventory.PAGE, inventory.FEED, inventory.SITEMAP, inventory.ROBOTS, inventory.MIRROR_LIST})
# Headers that differ from file to file and that nginx makes itself (or, for the language, from languages.map).
PER_FILE_HEADERS = frozenset({"content-type", "content-length", "content-language", "last-modified", "vary", "etag"})
# What marks a file that shows live figures: rendered again on --refresh and whenever the asks change.
LIVE_MARKERS = (b"data-ask-surface", b"data-figure=", b"data-ledger-figures")


class TreeNotConfigured(RuntimeError):
    pass


@dataclass
class Report:
    rendered: int = 0
    written: int = 0
    removed: int = 0
    seconds: float = 0.0
    left_to_app: list = field(default_factory=list)  # (path, why)

    def summary(self):
        left = f"; {len(self.left_to_app)} left to the app" if self.left_to_app else ""
        return f"{self.rendered} rendered, {self.written} written, {self.removed} removed in {self.seconds:.2f} s{left}"


def configured_tree():
    """The tree ``PUBLISHED_TREE_DIR`` names, or ``None`` when the site keeps no tree."""
    if not settings.PUBLISHED_TREE_DIR:
        return None
    return Tree(settings.PUBLISHED_TREE_DIR, brotli_quality=settings.PUBLISHED_TREE_BROTLI_QUALITY)


def publish(changes=(), *, full=False, refresh=False, tree=None, now=None):
    """Bring the tree up to date: every file (``full``, and always the first time), what ``changes`` touch, and with
    ``refresh`` the pages showing asks when they are due. Returns a :class:`Report`."""
    tree = tree or configured_tree()
    if tree is None:
        raise TreeNotConfigured("Set PUBLISHED_TREE_DIR to the directory the published tree is kept in.")
    _check_canonical_host()
    started = time.monotonic()
    now = time.time() if now is None else now
    report = Report()
    with tree.locked():
        stored = tree.stored()
        current = {
            entry.path: (entry, owner)
            for entry, owner in inventory.owned_public_entries().items()
            if entry.kind in TREE_KINDS
        }
        renderer = Renderer(settings.CANONICAL_URL, export_mode=False)
        first = full or tree.fact("built") is None
        if first:
            targets = set(current)
        else:
            wanted = paths_to_render(changes, stored, {path: owner for path, (_entry, owner) in current.items()})
            targets = set(current) if wanted is None else (wanted & set(current))
            targets |= set(current) - set(stored)  # anything new the rules did not foresee
            if refresh:
                targets |= _due_live_pages(tree, renderer, stored, now)
        _render_and_write(tree, renderer, sorted(targets), current, stored, report, new_headers=first)
        for path in sorted(set(stored) - set(current)):
            tree.remove(stored[path].file)
            tree.forget(path)
            report.removed += 1
        if first:
            report.removed += _remove_strays(tree)
            tree.set_fact("built", now)
        _write_languages(tree)
    report.seconds = time.monotonic() - started
    return report


def _check_canonical_host():
    from django.http.request import validate_host

    host = urlsplit(settings.CANONICAL_URL).hostname or ""
    if not validate_host(host, settings.ALLOWED_HOSTS):
        raise TreeNotConfigured(
            f"The published tree is rendered for CANONICAL_URL ({settings.CANONICAL_URL}), but {host!r} is not in "
            "ALLOWED_HOSTS: add it there."
        )


def _due_live_pages(tree, renderer, stored, now):
    """The pages showing asks, when they are due (see the module's docstring); remembers what goal.json said."""
    response, body = renderer.get(reverse("support:goal"))
    goal = digest_of(body) if response.status_code == 200 else ""
    last = float(tree.fact("live-rendered", "0"))
    moved = goal != tree.fact("goal", "")
    due = (moved and now - last >= settings.PUBLISHED_FIGURES_SECONDS) or now - last >= settings.PAGE_CACHE_SECONDS
    if not due:
        return set()
    tree.set_fact("goal", goal)
    tree.set_fact("live-rendered", now)
    return {path for path, row in stored.items() if row.live}


def _render_and_write(tree, renderer, paths, current, stored, report, *, new_headers):
    headers_now = None if new_headers else tree.fact("headers")
    rendered = []
    for path in paths:
        entry, owner = current[path]
        report.rendered += 1
        try:
            response, body = renderer.get(path)
        except Exception as error:  # one broken page must not keep the others from the tree
            logger.exception("The published tree could not render %s", path)
            rendered.append((path, owner, entry, None, None, f"raised {type(error).__name__}"))
            continue
        why = _unservable(path, response)
        rendered.append((path, owner, entry, response, body, why))
    # What the tree's files are sent with, settled on a full build: the headers of the first file that can be served.
    candidates = [item for item in rendered if item[5] is None]
    if headers_now is None and candidates:
        headers_now = _shared_headers(candidates[0][3])
        tree.set_fact("headers", headers_now)
        tree.write_text("headers.conf", _headers_conf(headers_now))
    changed = []
    for path, owner, entry, response, body, why in rendered:
        if why is None and _shared_headers(response) != headers_now:
            why = "answers with other headers than the rest of the tree"
        if why is not None:
            report.left_to_app.append((path, why))
            if path in stored:
                tree.remove(stored[path].file)
                tree.forget(path)
                report.removed += 1
            continue
        digest = digest_of(body)
        row = Stored(
            path=path,
            file=file_for_path(path),
            kind=entry.kind,
            owner=owner,
            digest=digest,
            live=any(marker in body for marker in LIVE_MARKERS),
            language=response.get("Content-Language", ""),
            refs=_references(renderer, path, response, body),
        )
        previous = stored.get(path)
        if previous is not None and previous.digest == digest and tree.target(previous.file).exists():
            row.images = previous.images
            tree.remember(row)  # what it links to may matter even when the bytes did not change
            continue
        changed.append((row, body))
    _attach_images(changed)
    with ThreadPoolExecutor(max_workers=2) as pool:  # brotli and zlib release the GIL
        twins = list(pool.map(lambda item: tree.twins_for(item[0].file, item[1]), changed))
    for (row, body), its_twins in zip(changed, twins, strict=True):
        tree.write(row.file, body, its_twins)
        tree.remember(row)
        report.written += 1


def _unservable(path, response):
    """Why nginx could not give this answer as the app gave it (``None`` if it can)."""
    if response.status_code in REDIRECT_STATUSES:
        return f"redirects ({response.status_code})"
    if response.status_code != 200:
        return f"answers {response.status_code}"
    if response.cookies:
        return "sets a cookie"
    try:
        name = file_for_path(path)
    except UnsafePath:
        return "is not a path a static server can serve"
    kind = media_type(response.get("Content-Type", ""))
    if kind == "text/html" and not name.endswith(".html"):
        return "is HTML under a name a static server would not send as HTML"
    if kind != "text/html" and not types_agree(name, response.get("Content-Type", "")):
        return f"is {kind} but a static server would send another type"
    return None


def _shared_headers(response):
    return "\n".join(
        f"{name}: {value}" for name, value in sorted(response.items()) if name.lower() not in PER_FILE_HEADERS
    )


def _headers_conf(shared):
    lines = ["# The headers the app sends with every file of the published tree (written by manage.py publish_tree)."]
    for line in shared.splitlines():
        name, _, value = line.partition(": ")
        if "$" in value or '"' in value or "\n" in value:
            raise ValueError(f"The {name} header cannot be written for nginx: {value!r}")
        lines.append(f'add_header {name} "{value}" always;')
    lines.append("add_header Content-Language $samizdat_tree_language always;")
    return "\n".join(lines) + "\n"


def _write_languages(tree):
    """``languages.map``: each HTML file's Content-Language, by the path nginx sees before and after try_files."""
    lines = []
    for row in sorted(tree.stored().values(), key=lambda row: row.path):
        if row.language:
            for key in dict.fromkeys((row.path, "/" + row.file)):
                lines.append(f'"{key}" "{row.language}";')
    tree.write_text("languages.map", "\n".join(lines) + "\n")


def _references(renderer, path, response, body):
    kind = media_type(response.get("Content-Type", ""))
    if kind == "text/html":
        from mirrors.export.scan import scan_html

        references, _problems = scan_html(body.decode("utf-8"), path, renderer.rules)
        return set(references)
    if kind.endswith("xml"):  # feeds and sitemap shards: the site's own addresses they list
        prefix = settings.CANONICAL_URL.rstrip("/")
        text = body.decode("utf-8", "replace")
        found, start = set(), 0
        while (start := text.find(prefix + "/", start)) != -1:
            end = start + len(prefix)
            stop = end
            while stop < len(text) and text[stop] not in "\"'<> \n\t]":
                stop += 1
            found.add(unquote(urlsplit(text[end:stop]).path))
            start = stop
        return found
    return set()


def _attach_images(changed):
    """Which images each file to write shows, from the renditions its references name."""
    from wagtail.images import get_image_model

    media = settings.MEDIA_URL
    by_file = {}
    for row, _body in changed:
        for reference in row.refs:
            if reference.startswith(media):
                by_file.setdefault(reference[len(media) :], set()).add(row.path)
    if not by_file:
        return
    renditions = get_image_model().get_rendition_model().objects.filter(file__in=list(by_file))
    images_of = {}
    for file_name, image_id in renditions.values_list("file", "image_id"):
        for path in by_file.get(file_name, ()):
            images_of.setdefault(path, set()).add(image_id)
    for row, _body in changed:
        row.images = images_of.get(row.path, set())


def _remove_strays(tree):
    """Files under pages/ that no row of the index names (left by an interrupted run, or by hand)."""
    known = {row.file for row in tree.stored().values()}
    removed = 0
    for name in sorted(tree.files_on_disk() - known):
        tree.remove(name)
        removed += 1
    return removed
