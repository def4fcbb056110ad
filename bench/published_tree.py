"""Benchmark publish-to-live on the published tree and print the figures (never assert on them).

On a throw-away site (production settings, DEBUG off, the demo content, the database task queue):

1. ``manage.py publish_tree``: the full rebuild a deploy runs, timed from outside.
2. A task worker runs as production runs it (``manage.py db_worker --interval 0.2``, as ``deploy/systemd`` ships it).
   This process then publishes ``--stories`` new articles one after another (after one not counted, which the
   worker's start-up slows), each as an editor's publish does (a new
   page, its topics, a published revision, one transaction), and times from the commit until the story is live in the
   tree: its own file there and its headline on the home page and its section front, read from disk as nginx would
   read them. It prints the median and the worst time, and how many files each publish rendered and wrote.
3. The same publish done in this process without the queue (``mirrors.tree.publish.publish``), to tell the work from
   the wait for the worker.

The target (issue: production) is one new article and the pages that list it live in at most 2 s on 2 cores. The
database is SQLite in the temp directory unless ``--database-url`` (or ``BENCH_DATABASE_URL``) names a throw-away one.
Run with ``.venv/bin/python bench/published_tree.py`` (``make bench``).
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import reading_pages as rp

REDIS_DB = 13
TARGET_SECONDS = 2.0
LIVE_TIMEOUT = 60.0
WORKER_INTERVAL = "0.2"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=rp.positive_int, default=8, help="articles to publish one after another")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    return parser.parse_args(argv)


def prepare(tmp, database_url):
    rp.heading("Preparing a throw-away site")
    env, cache_label, database_label = rp.site_environment(tmp, database_url, REDIS_DB)
    env["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    env["PUBLISHED_TREE_DIR"] = str(tmp / "tree")
    env["CANONICAL_URL"] = "https://samizdat.example"
    env["ALLOWED_HOSTS"] += ",samizdat.example"
    print(f"  directory {tmp}; {database_label}; {cache_label}", flush=True)
    rp.manage(env, "migrate", "--noinput", "-v0")
    rp.manage(env, "load_demo", "-v0")
    return env, database_label


def full_rebuild(env):
    rp.heading("1. Full rebuild (manage.py publish_tree)")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "publish_tree"], cwd=rp.ROOT, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit("publish_tree failed; see above")
    print(f"  {result.stdout.strip()}  (wall {seconds:.2f} s with start-up)", flush=True)
    return seconds


def start_worker(env, tmp):
    log = open(tmp / "worker.log", "w")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", WORKER_INTERVAL, "--no-reload", "--no-startup-delay"],
        cwd=rp.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def new_story(number):
    from django.db import transaction

    from publishing.models import ArticlePage, SectionPage

    section = SectionPage.objects.live().filter(depth=3).order_by("path").first()
    model = ArticlePage.objects.live().descendant_of(section).filter(language="en").first()
    title = f"Bench story number {number} {time.time_ns()}"
    story = ArticlePage(
        title=title,
        slug=f"bench-story-{number}-{time.time_ns()}",
        standfirst="What changed overnight.",
        body=[("paragraph", f"<p>Paragraph of story {number}.</p>")],
        language="en",
    )
    with transaction.atomic():
        section.add_child(instance=story)
        story.topics.set(model.topics.all() if model else [])
        story.save_revision().publish()
    return story, section, title


def file_of(tree, url):
    return tree / "pages" / url.strip("/") / "index.html" if url != "/" else tree / "pages" / "index.html"


def wait_live(tree, story, section, title, started):
    needle = title.encode()
    files = [file_of(tree, story.url), file_of(tree, "/"), file_of(tree, section.url)]
    while time.perf_counter() - started < LIVE_TIMEOUT:
        try:
            if all(needle in path.read_bytes() for path in files):
                return time.perf_counter() - started
        except FileNotFoundError:
            pass
        time.sleep(0.005)  # polling the disk as nginx would find it; this is the bench, not a test
    return float("nan")


def written_counts(tree):
    import sqlite3

    with sqlite3.connect(tree / "index.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM files").fetchone()[0]


def through_the_worker(env, tmp, stories):
    rp.heading(f"2. Publish → live through the task worker (db_worker --interval {WORKER_INTERVAL})")
    tree = Path(env["PUBLISHED_TREE_DIR"])
    worker, log = start_worker(env, tmp)
    times = []
    try:
        for number in range(stories + 1):
            story, section, title = new_story(number)
            started = time.perf_counter()  # the transaction has committed: the editor's publish is done
            seconds = wait_live(tree, story, section, title, started)
            if number == 0:  # a worker runs for months: its start-up (Django, the first handler) is not a publish's
                print(f"  first publish after the worker started, not counted: {seconds:.2f} s", flush=True)
                continue
            times.append(seconds)
            print(f"  story {number}: live in {seconds:.2f} s", flush=True)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
    return times


def in_process(stories):
    rp.heading("3. The same publish without the queue (the work alone)")
    from core.changes import PAGE, Change
    from mirrors.tree.publish import publish

    reports = []
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    for number in range(stories):
        story, _section, _title = new_story(1000 + number)
        report = publish([Change(PAGE, str(story.pk))])
        reports.append(report)
        print(f"  story {number + 1}: {report.summary()}", flush=True)
    return reports


def main(argv=None):
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="samizdat-bench-tree-"))
    try:
        env, database_label = prepare(tmp, args.database_url)
        rebuild = full_rebuild(env)
        rp.setup_django(env)
        times = through_the_worker(env, tmp, args.stories)
        reports = in_process(args.stories)
        files = written_counts(Path(env["PUBLISHED_TREE_DIR"]))
        rp.heading("Summary")
        live = [t for t in times if t == t]
        print(f"  {database_label}, {os.cpu_count()} CPUs, {files} files in the tree; full rebuild {rebuild:.2f} s")
        if live:
            missing = len(times) - len(live)
            print(
                f"  publish → live: median {statistics.median(live):.2f} s, worst {max(live):.2f} s "
                f"(target ≤ {TARGET_SECONDS:.0f} s){f'; {missing} never went live' if missing else ''}"
            )
        work = [report.seconds for report in reports]
        rendered = statistics.median(report.rendered for report in reports)
        written = statistics.median(report.written for report in reports)
        print(
            f"  the work alone: median {statistics.median(work):.2f} s; {rendered:.0f} files rendered, "
            f"{written:.0f} written a publish (median)"
        )
    finally:
        rp.flush_redis(REDIS_DB)
        if not args.keep:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"  kept {tmp}")


if __name__ == "__main__":
    main()
