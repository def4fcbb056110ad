"""A full export, from the database to a published, signed tree: ``export_site(out, options)``.

The steps, in order:

1. render every public path (:mod:`mirrors.export.inventory`) in worker processes, writing each file as it comes;
2. add what the rendered files reference and the inventory cannot know: the sitemap's shards, the image renditions
   pages show (copied from ``MEDIA_ROOT``, never an original), other small files such as QR codes (rendered);
3. copy the static files (the admin's left out), write the redirect stubs and rules, and ``404.html``;
4. check the tree, failing loudly with every problem and the path it concerns: a status other than 200, a cookie, a
   file type a static host would get wrong, a reference to a file the export does not hold, a host where none may
   appear;
5. rewrite links for sub-path or ``file://`` hosting when asked, write ``export.json`` with the tree hash, compress,
   write and sign the manifest;
6. publish: the tree was written to ``OUT/exports/<id>.partial/``; it becomes ``OUT/exports/<id>/`` and the
   ``OUT/current`` symlink is swapped to it in one ``os.replace``. Only the last ``keep`` exports are kept. An
   exception anywhere before the swap leaves ``current`` where it was and removes the partial tree.

The same database always gives the same files (everything is sorted; nothing host-agnostic carries a time), so two
exports have the same tree hash.
"""

import gc
import json
import math
import multiprocessing
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.db import connections
from django.http.request import validate_host
from django.test.utils import override_settings

from mirrors.export import inventory, redirects
from mirrors.export.render import (
    Renderer,
    UnsafePath,
    file_for_path,
    link_or_copy,
    quiet_not_found,
    render_paths,
    start_worker,
    write_file,
)
from mirrors.export.scan import HostRules, scan_css, scan_script

EXPORTS_DIR = "exports"
CURRENT_LINK = "current"
CACHE_DIR = ".export-cache"
PARTIAL_SUFFIX = ".partial"
EXPORT_JSON = "export.json"
NOT_FOUND_FILE = "404.html"
# Requested to render the page for unknown paths; no route of ours can answer it.
NOT_FOUND_PROBE = "/.samizdat-export-not-found/"
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Files rendered because a page references them; pages themselves must come from the inventory.
_DEPENDENCY_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif", ".json", ".pdf", ".txt", ".csv")


class ExportFailed(Exception):
    """The export is wrong in ways listed in ``problems`` (``[(path, message)]``); nothing was published."""

    def __init__(self, problems):
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s)")

    def report(self, limit=200):
        lines = [f"{path}: {message}" for path, message in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"… and {len(self.problems) - limit} more")
        return "\n".join(lines)


class LinkRewritingUnavailable(Exception):
    pass


@dataclass
class ExportOptions:
    jobs: int | None = None  # worker processes; default: one per CPU
    brotli_quality: int = 11
    relative: bool = False
    file_urls: bool = False
    keep: int = 3
    extra_paths: tuple = ()  # more paths to render as pages, beyond what the site lists
    # The mirror the host overlay (feeds, sitemaps, robots.txt) is rendered for: they name it instead of the canonical
    # address, so a reader of this copy's feeds is sent to this copy. Host-agnostic files are the same either way.
    overlay_base: str = ""
    progress: Callable[[int, int], None] | None = None  # called with (paths rendered, paths to render)


@dataclass
class ExportResult:
    export_id: str
    root: Path
    tree_hash: str
    counts: dict
    manifest: dict = field(repr=False)
    stages: dict = field(default_factory=dict)  # stage → wall seconds, in the order they ran


class _Stopwatch:
    """Wall seconds per stage of an export, for the operator (and the benchmark) to see where the time goes."""

    def __init__(self):
        self.stages = {}
        self._last = time.monotonic()

    def lap(self, stage):
        now = time.monotonic()
        self.stages[stage] = round(self.stages.get(stage, 0) + now - self._last, 2)
        self._last = now


def new_export_id():
    # sortable by time, unique even for two exports in the same second
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]


def git_revision():
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607  (git from PATH is what an operator expects)
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None


def _batches(paths, jobs):
    size = max(1, min(64, math.ceil(len(paths) / (jobs * 8))))
    return [paths[start : start + size] for start in range(0, len(paths), size)]


def render_all(root, paths, *, jobs, canonical_url, overlay_base="", progress=None):
    """Render ``paths`` into ``root`` with ``jobs`` worker processes; returns {path: Rendered}."""
    results = {}
    if not paths:
        return results
    # Inside a transaction, render here: worker processes would not see what it holds, and closing its connection
    # before forking (below) would end it.
    in_transaction = any(conn.in_atomic_block for conn in connections.all(initialized_only=True))
    # A process forked while other threads run may inherit a lock one of them held, and their database connections.
    threaded = threading.active_count() > 1
    if jobs <= 1 or len(paths) < 2 or in_transaction or threaded:
        start_worker(canonical_url, overlay_base)
        for done, path in enumerate(paths, start=1):
            results[path] = render_paths(str(root), [path])[0]
            if progress:
                progress(done, len(paths))
        return results
    # Each worker opens its own database connections; none may share the parent's socket.
    connections.close_all()
    # What the parent holds is only read by the workers: kept out of the collector's reach, its memory pages stay
    # shared with them instead of being copied the first time a collection in a worker walks them.
    gc.freeze()
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=start_worker,
        initargs=(canonical_url, overlay_base),
    )
    try:
        futures = [pool.submit(render_paths, str(root), batch) for batch in _batches(paths, jobs)]
        done = 0
        for future in as_completed(futures):
            batch = future.result()
            for rendered in batch:
                results[rendered.path] = rendered
            done += len(batch)
            if progress:
                progress(done, len(paths))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
    return results


@dataclass
class _Tree:
    """What has been put under the export root so far, and what the files reference."""

    root: Path
    rules: HostRules
    rendered: dict = field(default_factory=dict)  # path → Rendered
    files: dict = field(default_factory=dict)  # file name → kind
    references: dict = field(default_factory=dict)  # referenced path → first file referencing it
    problems: list = field(default_factory=list)

    def take(self, results, kind_of):
        for path in sorted(results):
            rendered = results[path]
            self.rendered[path] = rendered
            self.problems.extend((path, message) for message in rendered.problems)
            if rendered.file:
                self.files[rendered.file] = kind_of(path)
                self.note_references(rendered.file, rendered.references)

    def note_references(self, file_name, references):
        for reference in sorted(references):
            self.references.setdefault(reference, "/" + file_name)

    def has(self, path):
        try:
            name = file_for_path(path)
        except UnsafePath:
            return False
        return name in self.files or (not path.endswith("/") and f"{name}/index.html" in self.files)


def _sitemap_shards(tree, canonical_url):
    """The shard paths the sitemap index lists. Every address a sitemap lists must be in the export, like a link.
    ``canonical_url``: the base the sitemaps were rendered with (the overlay base, if any)."""
    shards = []
    for name in sorted(file for file, kind in tree.files.items() if kind == inventory.SITEMAP):
        root = ElementTree.fromstring((tree.root / name).read_bytes())  # noqa: S314  (our own rendering)
        listed = []
        for loc in root.iter(f"{_SITEMAP_NS}loc"):
            url = (loc.text or "").strip()
            if not url.startswith(canonical_url + "/"):
                tree.problems.append(("/" + name, f"lists {url!r}, outside {canonical_url}"))
                continue
            listed.append(unquote(urlsplit(url[len(canonical_url) :]).path))
        tree.note_references(name, listed)
        if root.tag == f"{_SITEMAP_NS}sitemapindex":
            shards.extend(listed)
    return shards


def _copy_static(tree):
    static_url = settings.STATIC_URL
    for relative, source in inventory.static_files().items():
        name = f"{static_url.strip('/')}/{relative}"
        target = tree.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        tree.files[name] = "static"
        url_path = "/" + name
        suffix = target.suffix.lower()
        if suffix == ".css":
            references, problems = scan_css(target.read_text("utf-8"), url_path, tree.rules)
            tree.note_references(name, references)
        elif suffix == ".js":
            problems = scan_script(target.read_text("utf-8"), tree.rules)
        else:
            continue
        tree.problems.extend((url_path, message) for message in problems)


def _copy_media(tree, path):
    """Copy the media file at URL ``path`` if it is one the export may hold; return whether it did."""
    media_url = settings.MEDIA_URL
    relative = path[len(media_url) :]
    if relative.split("/", 1)[0] == "original_images":
        tree.problems.append((path, "is an original upload (it may carry camera and GPS data); pages show renditions"))
        return True
    source = Path(settings.MEDIA_ROOT, *relative.split("/"))
    if not source.is_file():
        return False
    name = file_for_path(path)
    target = tree.root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    # A rendition's file never changes once written (a new one gets a new name): a site with a picture per story has
    # several rendition files per story, and a link costs no space and next to no time.
    link_or_copy(source, target)
    tree.files[name] = "media"
    return True


def _dependencies(tree):
    """Referenced paths the tree lacks that the export adds by itself: media files (copied) and small non-page files
    (returned, to be rendered). Anything else a page references and the export lacks is a closure problem."""
    to_render = []
    for path in sorted(tree.references):
        if tree.has(path) or path in tree.rendered:
            continue
        if path.startswith(settings.MEDIA_URL):
            _copy_media(tree, path)
        elif path.lower().endswith(_DEPENDENCY_SUFFIXES) and not path.startswith(settings.STATIC_URL):
            to_render.append(path)
    return to_render


def _redirect_stubs(tree, renderer, site):
    written = redirects.export_redirects(tree.root, renderer, site, exists=tree.has)
    for moved, stub in written:
        if stub:
            tree.files[stub] = "redirect"
            if moved.target.startswith("/"):
                tree.note_references(stub, {urlsplit(moved.target).path})
    for name in (redirects.NETLIFY_FILE, redirects.NGINX_FILE):
        tree.files[name] = "redirect-rules"
    return [moved for moved, _stub in written]


def _not_found_page(tree, renderer):
    """``404.html``: what the site answers for a path it does not have, in export mode."""
    with quiet_not_found():
        rendered = renderer.render_to(tree.root, NOT_FOUND_PROBE, file_name=NOT_FOUND_FILE)
    tree.problems.extend(("/" + NOT_FOUND_FILE, message) for message in rendered.problems)
    if rendered.file:
        tree.files[rendered.file] = "404"
        tree.note_references(rendered.file, rendered.references)


def _closure(tree):
    for path, referrer in sorted(tree.references.items()):
        if not tree.has(path):
            tree.problems.append((referrer, f"links to {path}, which the export does not hold"))


def link_rewriter(options):
    """The function that rewrites a tree's links for sub-path or ``file://`` hosting, when the options ask for it."""
    if not (options.relative or options.file_urls):
        return None
    try:
        from mirrors.export.relative import rewrite_tree
    except ImportError:
        raise LinkRewritingUnavailable(
            "Relative links (--relative, --file-urls) are not available in this version of the exporter."
        ) from None
    return rewrite_tree


def _build(root, options, *, canonical_url, watch):
    rules = HostRules(canonical_url)
    base = options.overlay_base.rstrip("/") or canonical_url  # what the overlay files name
    tree = _Tree(root=root, rules=rules)
    site = inventory.default_site()
    entries = inventory.public_entries()
    kinds = {entry.path: entry.kind for entry in entries}
    for path in options.extra_paths:
        kinds.setdefault(path, inventory.PAGE)
    jobs = max(1, options.jobs or os.cpu_count() or 1)

    def kind_of(path):
        return kinds.get(path, "dependency")

    watch.lap("inventory")
    tree.take(
        render_all(
            root,
            sorted(kinds),
            jobs=jobs,
            canonical_url=canonical_url,
            overlay_base=options.overlay_base,
            progress=options.progress,
        ),
        kind_of,
    )
    watch.lap("render")
    _copy_static(tree)
    shards = _sitemap_shards(tree, base)
    for shard in shards:
        kinds.setdefault(shard, inventory.SITEMAP)

    renderer = Renderer(canonical_url, overlay_base=options.overlay_base)
    second_round = sorted({*(s for s in shards if s not in tree.rendered), *_dependencies(tree)})
    tree.take({path: renderer.render_to(root, path) for path in second_round}, kind_of)
    _sitemap_shards(tree, base)  # now with the shards' own addresses
    _dependencies(tree)  # media the second round references
    moved = _redirect_stubs(tree, renderer, site)
    _not_found_page(tree, renderer)
    watch.lap("static, media, sitemaps, redirects")
    _closure(tree)
    watch.lap("closure")
    if tree.problems:
        raise ExportFailed(tree.problems)

    overlay = {name for name, kind in tree.files.items() if kind in inventory.OVERLAY_KINDS}
    page_kinds = (inventory.PAGE, inventory.SUPPORT)
    counts = {
        "pages": sum(1 for name, kind in tree.files.items() if kind in page_kinds and name.endswith(".html")),
        "feeds": sum(1 for kind in tree.files.values() if kind == inventory.FEED),
        "sitemaps": sum(1 for kind in tree.files.values() if kind == inventory.SITEMAP),
        "static": sum(1 for kind in tree.files.values() if kind == "static"),
        "media": sum(1 for kind in tree.files.values() if kind == "media"),
        "redirects": len(moved),
    }
    return tree, overlay, counts


def _publish(out, export_id):
    """Swap ``OUT/current`` to the finished export in one atomic step."""
    link = out / CURRENT_LINK
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} is not a symlink; move it away so exports can be published there.")
    temporary = out / f".{CURRENT_LINK}-{export_id}"
    temporary.unlink(missing_ok=True)
    os.symlink(f"{EXPORTS_DIR}/{export_id}", temporary)
    os.replace(temporary, link)


def prune(out, keep):
    """Remove all but the newest ``keep`` finished exports (never the one ``current`` points at)."""
    exports = out / EXPORTS_DIR
    current = (out / CURRENT_LINK).resolve() if (out / CURRENT_LINK).is_symlink() else None
    finished = sorted(
        (path for path in exports.iterdir() if path.is_dir() and not path.name.endswith(PARTIAL_SUFFIX)),
        key=lambda path: path.name,
    )
    removed = []
    for path in finished[: max(0, len(finished) - max(1, keep))]:
        if current is not None and path.resolve() == current:
            continue
        shutil.rmtree(path)
        removed.append(path.name)
    return removed


def _allowed_hosts_with(canonical_url):
    host = urlsplit(canonical_url).hostname or ""
    if validate_host(host, settings.ALLOWED_HOSTS):
        return settings.ALLOWED_HOSTS
    # The exporter's own requests come in for the canonical host, which a deployment behind a proxy may not list.
    return [*settings.ALLOWED_HOSTS, host]


def _sign_mirror_list_if_due():
    """Every export carries a signed mirror list: the newest, or a new one when it is due (none yet, or the list
    would say something else, or half its validity has passed)."""
    from core.actions import Actor
    from mirrors.actions import MirrorListNotSigned, sign_mirror_list

    try:
        sign_mirror_list(actor=Actor.system("export_mirror"), reason="export")
    except MirrorListNotSigned as error:  # a bad MIRROR_NEXT_PUBLIC_KEY, say: say so before any work
        raise ExportFailed([("/mirrors.json", error.message)]) from None


def export_site(out, options=None):
    """Export the public site into ``out`` and publish it as ``out/current``. Raises :class:`ExportFailed`."""
    from mirrors.export.compress import compress_tree
    from mirrors.export.manifest import tree_hash_of, write_manifest
    from mirrors.signing import Signer

    options = options or ExportOptions()
    out = Path(out).resolve()
    canonical_url = settings.CANONICAL_URL.rstrip("/")
    signer = Signer.from_settings()  # a missing key stops the export before any work
    _sign_mirror_list_if_due()
    rewrite_links = link_rewriter(options)
    (out / EXPORTS_DIR).mkdir(parents=True, exist_ok=True)
    (out / CACHE_DIR).mkdir(exist_ok=True)
    export_id = new_export_id()
    partial = out / EXPORTS_DIR / f"{export_id}{PARTIAL_SUFFIX}"
    partial.mkdir()
    started = time.monotonic()
    watch = _Stopwatch()
    try:
        with override_settings(ALLOWED_HOSTS=_allowed_hosts_with(canonical_url)):
            tree, overlay, counts = _build(partial, options, canonical_url=canonical_url, watch=watch)
        if rewrite_links is not None:
            rewrite_links(partial, file_urls=options.file_urls)
            watch.lap("relative links")
        # export.json names the export; the mirror list's files change with each signing (inventory.MIRROR_LIST)
        volatile = {EXPORT_JSON} | {name for name, kind in tree.files.items() if kind == inventory.MIRROR_LIST}
        digests = {}  # each file hashed once, for the tree hash and the manifest
        tree_hash = tree_hash_of(partial, exclude=overlay | volatile, digests=digests)
        watch.lap("tree hash")
        generated_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        counts["files"] = len(tree.files) + 1  # and export.json itself
        info = {
            "export_id": export_id,
            "generated_at": generated_at,
            "git_revision": git_revision(),
            "canonical": canonical_url,
            "overlay_base": options.overlay_base.rstrip("/") or canonical_url,
            "links": "file" if options.file_urls else "relative" if options.relative else "root-relative",
            "counts": counts,
            "tree_hash": tree_hash,
        }
        write_file(partial, EXPORT_JSON, (json.dumps(info, indent=2, sort_keys=True) + "\n").encode())
        compressed = compress_tree(partial, cache_dir=out / CACHE_DIR, brotli_quality=options.brotli_quality)
        watch.lap("compress")
        manifest = write_manifest(
            partial,
            export_id=export_id,
            canonical=canonical_url,
            generated_at=generated_at,
            overlay=overlay,
            volatile=volatile,
            signer=signer,
            digests=digests,
        )
        final = out / EXPORTS_DIR / export_id
        os.rename(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    watch.lap("manifest")
    _publish(out, export_id)
    prune(out, options.keep)
    watch.lap("publish")
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["compressed"] = compressed
    return ExportResult(
        export_id=export_id,
        root=final,
        tree_hash=manifest["tree_hash"],
        counts=counts,
        manifest=manifest,
        stages=watch.stages,
    )
