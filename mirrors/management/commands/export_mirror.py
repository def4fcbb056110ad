"""``manage.py export_mirror OUT``: the public site as static files any host can serve, signed, published atomically."""

import sys
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from mirrors.export.run import ExportFailed, ExportOptions, LinkRewritingUnavailable, export_site


class ProgressBar:
    """A one-line progress bar on a terminal's stderr (nothing at all when stderr is not a terminal)."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.last = None

    def __call__(self, done, total):
        filled = self.WIDTH * done // total
        line = f"\rRendering [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}"
        if line != self.last:
            self.stream.write(line + ("\n" if done == total else ""))
            self.stream.flush()
            self.last = line


class Command(BaseCommand):
    help = (
        "Export every public page, feed, sitemap, static file and image rendition into OUT/exports/<id>/, with "
        "compressed twins and a signed manifest, then point OUT/current at it. Fails, naming each path, on anything "
        "a static host would serve wrongly."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", help="Directory holding exports/, current and the compression cache.")
        parser.add_argument("--jobs", type=int, default=None, help="Worker processes (default: one per CPU).")
        parser.add_argument(
            "--brotli-quality",
            type=int,
            default=11,
            choices=range(0, 12),
            metavar="0-11",
            help="Brotli quality of the .br twins (default 11; 5 is much faster for a cold export).",
        )
        parser.add_argument(
            "--relative", action="store_true", help="Document-relative links, for hosting under a sub-path."
        )
        parser.add_argument(
            "--file-urls", action="store_true", help="Relative links ending in index.html, for opening from disk."
        )
        parser.add_argument("--keep", type=int, default=3, help="How many finished exports to keep (default 3).")
        parser.add_argument(
            "--overlay-base",
            default="",
            metavar="URL",
            help="The mirror this copy is for (https://mirror.example): its feeds, sitemaps and robots.txt name it "
            "instead of the canonical address. The tree hash is the same.",
        )

    def handle(self, *args, out, jobs, brotli_quality, relative, file_urls, keep, overlay_base, **options):
        if jobs is not None and jobs < 1:
            raise CommandError("--jobs must be at least 1.")
        if keep < 1:
            raise CommandError("--keep must be at least 1.")
        if overlay_base:
            overlay_base = _overlay_base(overlay_base)
        progress = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
        try:
            result = export_site(
                out,
                ExportOptions(
                    jobs=jobs,
                    brotli_quality=brotli_quality,
                    relative=relative,
                    file_urls=file_urls,
                    keep=keep,
                    progress=progress,
                    overlay_base=overlay_base,
                ),
            )
        except ExportFailed as failure:
            raise CommandError(f"The export failed; nothing was published.\n{failure.report()}") from None
        except LinkRewritingUnavailable as error:
            raise CommandError(str(error)) from None
        counts = result.counts
        self.stdout.write(
            f"Exported {counts['pages']} pages, {counts['feeds']} feeds, {counts['sitemaps']} sitemaps, "
            f"{counts['static']} static files, {counts['media']} images and {counts['redirects']} redirects "
            f"in {counts['seconds']} s.\n"
            f"Export {result.export_id} (tree {result.tree_hash}) is now {out}/current.\n"
            "Seconds by stage: " + ", ".join(f"{stage} {seconds}" for stage, seconds in result.stages.items())
        )


def _overlay_base(text):
    """An absolute http(s) address with a host and nothing after the path's root: what feeds may put before "/"."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise CommandError(f"--overlay-base must be an address such as https://mirror.example, not {text!r}.")
    if parts.path not in ("", "/"):
        raise CommandError(
            f"--overlay-base names a host, not a sub-path ({text!r}); a copy under a sub-path takes --relative."
        )
    return f"{parts.scheme}://{parts.netloc}"
