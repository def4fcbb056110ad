"""Benchmark the static mirror export of a large site and print the figures (never assert on them).

On a throw-away site (production settings, DEBUG off, the demo content plus ``--articles`` generated articles, 10,000
by default):

1. **Generating the articles.** Wagtail's ``add_child`` plus a published revision costs tens of milliseconds a page
   (tree bookkeeping, revisions, search and reference index updates), which would make a 10,000-article site take
   longer to build than to export. Articles are therefore inserted in bulk: the page rows with their tree paths
   computed here (the same paths ``add_child`` would give: ``Page._get_path``), then the article rows, topics and
   bylines, then the sections' child counts. Each one copies a demo article's section, language, body and bylines
   under its own title, slug and publication time (three years back, minutes apart), and gets a lead image of its
   own: a copy of the model's image with its own renditions, whose files are hard links to the model's (so the
   export looks up, checks and copies a set of renditions per story, as a newsroom's would make it). Topics are
   drawn at random (seeded) from ``--topics`` topics, the demo's and generated ones, one to three an article with
   some far more common than others, as a newsroom's are: so few stories share a set of topics, and "Read more" is
   ranked for nearly every one. Nothing is indexed for search: the export has no search.
2. **A cold export**: ``manage.py export_mirror`` with its defaults (one worker process per CPU, brotli quality 11,
   an empty compression cache), timed from outside. Then the files, their size, and what the twins save: the text
   files that got twins, against their ``.gz`` and ``.br`` forms.
3. **A warm export** of the same database into the same directory: the compression cache now holds every file's
   twins, so only rendering, checking and hashing remain.
4. ``manage.py verify_export`` on the result.

The target (REACH R1 check 16) is at most 120 s for 10,000 articles on 2 cores. The database is SQLite in the temp
directory unless ``--database-url`` names a throw-away one. Run with ``.venv/bin/python bench/export.py``
(``make bench``); ``--help`` lists the options.
"""

import argparse
import base64
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# bench/reading_pages.py: the throw-away site's environment and helpers (this directory is on sys.path when the
# script is run by path).
import reading_pages as rp

REDIS_DB = 14  # its own Redis database: the reading and support benchmarks use 15
TARGET_SECONDS = 120
TARGET_ARTICLES = 10_000
EXPORT_TIMEOUT = 1800
NEWEST = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
SPACING = dt.timedelta(minutes=157)  # 10,000 articles reach about three years back
BATCH = 500
# What pages show of an article's lead image (card, figure, OpenGraph); the lead card's own size is made on demand.
LEAD_RENDITIONS = ("fill-480x270", "width-640", "width-1200", "fill-1200x630")
TOPICS = 60


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=rp.positive_int, default=TARGET_ARTICLES, help="articles to generate")
    parser.add_argument(
        "--topics", type=rp.positive_int, default=TOPICS, help="topics to draw from (the demo's plus generated ones)"
    )
    parser.add_argument("--jobs", type=rp.positive_int, default=None, help="export worker processes (default: CPUs)")
    parser.add_argument("--brotli-quality", type=int, choices=range(12), default=11, metavar="0-11")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="database to build the site in (default: SQLite in the temp directory); give a throw-away one",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (database, export)")
    return parser.parse_args(argv)


# --- the site


def site_environment(tmp, database_url):
    env, cache_label, database_label = rp.site_environment(tmp, database_url, REDIS_DB)
    env["MIRROR_SIGNING_KEY"] = base64.b64encode(os.urandom(32)).decode()
    return env, cache_label, database_label


def topic_pool(size):
    """The demo's topics plus generated ones, ``size`` in all."""
    from publishing.models import Topic

    existing = Topic.objects.count()
    Topic.objects.bulk_create(
        Topic(name=f"Subject {number}", slug=f"subject-{number}", description=f"Stories on subject {number}.")
        for number in range(existing + 1, size + 1)
    )
    return list(Topic.objects.order_by("pk").values_list("pk", flat=True))


def draw_topics(pool, number):
    """One to three topics for article ``number``, the same every run; lower-numbered topics are far more common."""
    chance = random.Random(number)
    weights = [1 / (rank + 1) for rank in range(len(pool))]
    wanted = chance.choice((1, 2, 2, 3))
    drawn = set()
    while len(drawn) < min(wanted, len(pool)):
        drawn.add(chance.choices(pool, weights)[0])
    return sorted(drawn)


def generate_articles(count, topics):
    """Insert ``count`` live articles in bulk (see the module's docstring); returns the seconds it took."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.db.models import F
    from wagtail.models import Page

    from publishing.models import ArticleByline, ArticlePage

    started = time.perf_counter()
    pool = topic_pool(topics)
    live = ArticlePage.objects.live().order_by("path")
    # the renditions pages show of each model's lead image, made (by Pillow) where the demo has not made them yet
    for image in {model.lead_image for model in live.select_related("lead_image") if model.lead_image}:
        image.get_renditions(*LEAD_RENDITIONS)
    models = list(live.select_related("locale", "lead_image").prefetch_related("bylines", "lead_image__renditions"))
    if not models:
        raise SystemExit("The demo has no articles to copy.")
    parents = {model.pk: model.get_parent() for model in models}
    content_type = ContentType.objects.get_for_model(ArticlePage)
    next_step = {}
    for parent in {parent.pk: parent for parent in parents.values()}.values():
        last = parent.get_last_child()
        next_step[parent.pk] = (Page._str2int(last.path[-Page.steplen :]) if last else 0) + 1

    with transaction.atomic():
        added = dict.fromkeys(next_step, 0)
        for first in range(0, count, BATCH):
            numbers = range(first, min(first + BATCH, count))
            pages, extras = [], []
            for number in numbers:
                model = models[number % len(models)]
                parent = parents[model.pk]
                step = next_step[parent.pk] + added[parent.pk]
                added[parent.pk] += 1
                slug = f"{model.slug[:40]}-{number + 1}"
                published = NEWEST - SPACING * number
                title = f"{model.title} ({number + 1})"
                pages.append(
                    Page(
                        title=title,
                        draft_title=title,
                        slug=slug,
                        content_type=content_type,
                        locale_id=model.locale_id,
                        path=Page._get_path(parent.path, parent.depth + 1, step),
                        depth=parent.depth + 1,
                        numchild=0,
                        url_path=f"{parent.url_path}{slug}/",
                        live=True,
                        has_unpublished_changes=False,
                        first_published_at=published,
                        last_published_at=published,
                    )
                )
                extras.append(model)
            Page.objects.bulk_create(pages)
            images = own_lead_images(numbers, extras)
            articles = []
            for page, model, image in zip(pages, extras, images, strict=True):
                article = ArticlePage(
                    page_ptr_id=page.pk,
                    standfirst=model.standfirst,
                    language=model.language,
                    lead_image_id=image.pk if image else None,
                    body=json.dumps(list(model.body.raw_data)),  # the stored (raw) form of a StreamField
                    no_asks=model.no_asks,
                )
                article.pk = page.pk
                articles.append(article)
            # Only the article table: the page rows exist already. (bulk_create refuses multi-table models.)
            fields = list(ArticlePage._meta.local_concrete_fields)
            ArticlePage.objects._insert(articles, fields=fields, using=connection.alias)
            ArticlePage.topics.through.objects.bulk_create(
                ArticlePage.topics.through(articlepage_id=page.pk, topic_id=topic)
                for number, page in zip(numbers, pages, strict=True)
                for topic in draw_topics(pool, number)
            )
            ArticleByline.objects.bulk_create(
                ArticleByline(page_id=page.pk, author_id=byline.author_id, sort_order=byline.sort_order)
                for page, model in zip(pages, extras, strict=True)
                for byline in model.bylines.all()
            )
        for parent_pk, number in added.items():
            Page.objects.filter(pk=parent_pk).update(numchild=F("numchild") + number)
    return time.perf_counter() - started


def own_lead_images(numbers, models):
    """A lead image of its own for each generated article, as a newsroom's stories have: a copy of its model's image
    (same original upload) with its own renditions, whose files are hard links to the model's (copies where linking
    fails), so the export finds, checks and copies one set of renditions per story. Returns the images, in order."""
    from django.conf import settings

    from mirrors.export.render import link_or_copy
    from publishing.models import NewsImage, NewsRendition

    images = []
    for number, model in zip(numbers, models, strict=True):
        source = model.lead_image
        if source is None:
            images.append(None)
            continue
        copy = NewsImage(
            **{
                field.attname: getattr(source, field.attname)
                for field in NewsImage._meta.concrete_fields
                if not field.primary_key
            }
        )
        copy.title = f"{source.title} ({number + 1})"
        copy.file_hash = ""
        images.append(copy)
    NewsImage.objects.bulk_create([image for image in images if image])
    renditions = []
    media = Path(settings.MEDIA_ROOT)
    for number, model, image in zip(numbers, models, images, strict=True):
        if image is None:
            continue
        for source in model.lead_image.renditions.all():
            folder, name = source.file.name.rsplit("/", 1)
            stem, rest = name.split(".", 1)
            target = f"{folder}/{stem}-{number + 1}.{rest}"
            link_or_copy(media / source.file.name, media / target)
            renditions.append(
                NewsRendition(
                    image=image,
                    filter_spec=source.filter_spec,
                    focal_point_key=source.focal_point_key,
                    width=source.width,
                    height=source.height,
                    file=target,
                )
            )
    NewsRendition.objects.bulk_create(renditions)
    return images


def topic_sets():
    from publishing.models import ArticlePage

    sets = {}
    for article, topic in ArticlePage.topics.through.objects.values_list("articlepage_id", "topic_id"):
        sets.setdefault(article, set()).add(topic)
    return len({frozenset(topics) for topics in sets.values()})


def check_generated():
    """Renders one generated article through the real handler: bulk rows must make a page like any other."""
    from django.db import connections
    from django.test import Client

    from publishing.models import ArticlePage

    live = ArticlePage.objects.live().count()
    sample = ArticlePage.objects.live().order_by("-pk").first()
    response = Client(HTTP_HOST="127.0.0.1").get(sample.url)
    if response.status_code != 200 or sample.slug.encode() not in response.content:
        raise SystemExit(f"A generated article does not render ({sample.url}: {response.status_code}).")
    connections.close_all()
    return live


# --- the export


def export(env, out, args, label):
    command = [sys.executable, "manage.py", "export_mirror", str(out), "--brotli-quality", str(args.brotli_quality)]
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    warning = rp.busy_warning(rp.busy_cpu_share())
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        result = subprocess.run(
            command, cwd=rp.ROOT, env=env, capture_output=True, text=True, timeout=EXPORT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise SystemExit(f"The {label} export took more than {EXPORT_TIMEOUT} s; stopped.") from None
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-6000:] + result.stderr[-6000:])
        raise SystemExit(f"The {label} export failed (exit {result.returncode}); see above.")
    rp.heading(f"{label.capitalize()} export: {seconds:.1f} s wall, {cpu:.1f} s CPU")
    # CPU time (the command and its worker processes) does not grow when other work shares the machine; divided by
    # the CPUs it is what the wall time would be on an otherwise idle machine with perfect parallelism.
    print(f"  on an idle machine: about {cpu / (os.cpu_count() or 1):.0f} s or more ({os.cpu_count()} CPUs)")
    if warning:
        print(f"  {warning}")
    for line in result.stdout.strip().splitlines():
        print(f"  {line}")
    return seconds, cpu


def tree_figures(root):
    """Files, bytes, and the text files with twins against their twins, from the signed manifest."""
    manifest = json.loads((root / "manifest.json").read_text())
    files = manifest["files"]
    twinned = [entry for entry in files if entry["gz"] or entry["br"]]
    raw = sum(entry["size"] for entry in twinned)
    gz = sum((entry["gz"] or entry)["size"] for entry in twinned)
    br = sum((entry["br"] or entry)["size"] for entry in twinned)
    twins = sum(bool(entry[kind]) for entry in files for kind in ("gz", "br"))
    on_disk = sum(path.stat().st_size for path in root.rglob("*") if path.is_file())
    return {
        "files": len(files),
        "bytes": sum(entry["size"] for entry in files),
        "twins": twins,
        "on_disk": on_disk,
        "twinned": len(twinned),
        "raw": raw,
        "gz": gz,
        "br": br,
        "pages": sum(entry["path"].endswith("index.html") for entry in files),
        "tree_hash": manifest["tree_hash"],
    }


def compression_cost(root, sample_size=120):
    """CPU seconds one core would spend compressing every twinned text file, estimated from an even sample of them."""
    import gzip

    import brotli

    manifest = json.loads((root / "manifest.json").read_text())
    twinned = [entry["path"] for entry in manifest["files"] if entry["gz"] or entry["br"]]
    if not twinned:
        return {}
    sample = twinned[:: max(1, len(twinned) // sample_size)]
    contents = [(root / path).read_bytes() for path in sample]
    costs = {}
    for label, compress in (
        ("gzip 9", lambda data: gzip.compress(data, compresslevel=9, mtime=0)),
        ("brotli 5", lambda data: brotli.compress(data, quality=5)),
        ("brotli 11", lambda data: brotli.compress(data, quality=11)),
    ):
        started = time.process_time()
        for data in contents:
            compress(data)
        costs[label] = (time.process_time() - started) / len(contents) * len(twinned)
    return costs


def reference_seconds(rounds=3):
    """CPU seconds one core takes for a fixed piece of pure-Python work much like rendering a template (lookups in
    dicts, string building, HTML escaping), best of ``rounds``. Machines called "2 cores" differ severalfold in speed;
    this figure, printed with the results, is what makes two runs on different machines comparable."""
    import html

    context = {"title": "Pensions & bread: one day in Kaminsk", "section": "Business", "url": "/business/x/"}
    best = None
    for _round in range(rounds):
        started = time.process_time()
        parts = []
        for number in range(1_000_000):
            value = context.get(("title", "section", "url")[number % 3], "")
            parts.append(f'<a href="{html.escape(value)}">{number}</a>')
        "".join(parts)
        seconds = time.process_time() - started
        best = seconds if best is None else min(best, seconds)
    return best


def megabytes(size):
    return f"{size / 1e6:,.1f} MB"


def verify(env, out):
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_export", str(out)],
        cwd=rp.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=EXPORT_TIMEOUT,
        check=False,
    )
    verdict = "every file matches" if result.returncode == 0 else f"FAILED:\n{result.stderr[-3000:]}"
    return time.perf_counter() - started, verdict


def main(argv=None):
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="samizdat-bench-export-"))
    try:
        rp.heading("Preparing a throw-away site")
        env, cache_label, database_label = site_environment(tmp, args.database_url)
        print(f"  directory {tmp}; {database_label}; CACHE_URL={env['CACHE_URL']}", flush=True)
        rp.manage(env, "migrate", "--noinput", "-v0")
        rp.manage(env, "load_demo", "-v0")
        rp.manage(env, "collectstatic", "--noinput", "-v0")

        rp.heading(f"Generating {args.articles:,} articles")
        rp.setup_django(env)
        seconds = generate_articles(args.articles, args.topics)
        live = check_generated()
        print(f"  {seconds:.1f} s in bulk ({seconds / args.articles * 1000:.2f} ms an article); {live:,} live articles")
        print(f"  {topic_sets():,} different sets of topics among them, from {args.topics} topics")

        out = tmp / "mirror"
        cold, cold_cpu = export(env, out, args, "cold")
        figures = tree_figures(out / "current")
        print(
            f"  {figures['files']:,} files ({figures['pages']:,} HTML pages), {megabytes(figures['bytes'])}; "
            f"{figures['twins']:,} twins; {megabytes(figures['on_disk'])} on disk with the twins"
        )
        if figures["raw"]:
            print(
                f"  text files with twins: {figures['twinned']:,}, {megabytes(figures['raw'])}; "
                f".gz {megabytes(figures['gz'])} (saves {1 - figures['gz'] / figures['raw']:.0%}), "
                f".br {megabytes(figures['br'])} (saves {1 - figures['br'] / figures['raw']:.0%})"
            )

        warm, warm_cpu = export(env, out, args, "warm")
        same = tree_figures(out / "current")["tree_hash"] == figures["tree_hash"]
        print(f"  tree hash {'equal to' if same else 'DIFFERENT FROM'} the cold export's")

        costs = compression_cost(out / "current")
        if costs:
            print(
                "  where a cold export's extra time goes, CPU seconds to compress every twinned file once: "
                + ", ".join(f"{label} {seconds:.0f} s" for label, seconds in costs.items())
                + f" (spread over {os.cpu_count()} CPUs)"
            )

        seconds_verify, verdict = verify(env, out)
        rp.heading(f"verify_export: {seconds_verify:.1f} s, {verdict}")

        rp.heading("Summary")
        per_article = TARGET_SECONDS / TARGET_ARTICLES * args.articles
        cpus = os.cpu_count() or 1
        for label, value, cpu in (("cold", cold, cold_cpu), ("warm (compression cache)", warm, warm_cpu)):
            verdict = "within" if value <= per_article else f"over by {value - per_article:.0f} s,"
            print(
                f"  {label}: {value:.1f} s wall ({cpu:.0f} s CPU, {cpu / cpus:.0f} s on {cpus} idle CPUs) for "
                f"{live:,} articles; {verdict} the target of {per_article:.0f} s"
            )
        print(f"  ({os.cpu_count()} CPUs; brotli quality {args.brotli_quality}; {database_label}; {cache_label})")
        print(
            f"  this machine's speed: {reference_seconds():.3f} s of CPU for the reference work (bench/export.py "
            "reference_seconds; lower is faster): compare runs on different machines by it"
        )
    finally:
        rp.flush_redis(REDIS_DB)
        if args.keep:
            print(f"\nKept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
