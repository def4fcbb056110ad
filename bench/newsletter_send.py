"""Benchmark sending a newsletter issue and print the figures (never assert on them).

In a throw-away site (test settings, SQLite in a temporary directory, or ``--database-url``), 1,000 confirmed
subscribers get one issue through Django's SMTP backend to a local aiosmtpd server, batch by batch as the sending
task does (``newsletters.jobs.send_issue_batch``; the tasks run at once, in this process):

1. **Throughput.** A healthy primary server: emails/s from starting the issue until the last batch is logged.
2. **Failover.** The primary is a separate aiosmtpd process that writes each recipient it accepts to a file; once it
   has taken 400 messages it is killed (SIGKILL) in the middle of the send. The rest must go through the fallback
   server. Printed: how many the send log says were sent (and through which backend), the recipients that reached a
   server twice (duplicates) and those that reached none (missed).

It takes about half a minute and only ever talks to 127.0.0.1. Run with ``.venv/bin/python bench/newsletter_send.py``.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBERS = 1000
KILL_AFTER = 400

PRIMARY_SERVER = r"""
import asyncio, sys
from aiosmtpd.controller import Controller

class Writing:
    def __init__(self, path):
        self.out = open(path, "a", buffering=1)

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            self.out.write(rcpt + "\n")
        return "250 OK"

controller = Controller(Writing(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
asyncio.new_event_loop().run_forever()
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Counting:
    def __init__(self):
        self.recipients = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def start_primary(port, log):
    process = subprocess.Popen(
        [sys.executable, "-c", PRIMARY_SERVER, str(port), str(log)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def lines(path):
    return path.read_text().splitlines() if path.exists() else []


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsletter-bench-"))
    primary_port, fallback_port = free_port(), free_port()
    os.environ.update(
        SAMIZDAT_ENV="test",
        DATABASE_URL=args.database_url or f"sqlite:///{work / 'bench.sqlite3'}",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(primary_port),
        NEWSLETTER_FALLBACK_EMAIL_HOST="127.0.0.1",
        NEWSLETTER_FALLBACK_EMAIL_PORT=str(fallback_port),
        NEWSLETTER_FALLBACK_EMAIL_USE_TLS="false",
        EMAIL_TIMEOUT="5",
        DJANGO_SETTINGS_MODULE="samizdat.settings",
        MEDIA_ROOT=str(work / "media"),
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.core.management import call_command
    from django.utils import timezone

    from core.actions import Actor
    from newsletters import actions
    from newsletters.models import Delivery, Issue, Membership, Subscriber
    from newsletters.subscriptions import new_token

    call_command("migrate", verbosity=0)
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(email=f"r{n}@inbox.example", token=new_token(), created_at=now, confirmed_at=now)
        for n in range(SUBSCRIBERS)
    )
    Membership.objects.bulk_create(
        Membership(subscriber=s, list="weekly", confirmed=True) for s in Subscriber.objects.all()
    )
    everyone = set(Subscriber.objects.values_list("email", flat=True))
    fallback_handler = Counting()
    fallback = Controller(fallback_handler, hostname="127.0.0.1", port=fallback_port)
    fallback.start()
    actor = Actor.system("bench")

    def issue(subject):
        made = actions.save_issue(
            actor=actor, list="weekly", language="en", subject=subject, intro="Stories.", article_ids=[]
        )
        started = time.perf_counter()
        actions.schedule_issue(actor=actor, issue_id=made.pk)  # outside a transaction: the batches run at once
        return Issue.objects.get(pk=made.pk), time.perf_counter() - started

    # 1. Throughput
    log = work / "primary-1.txt"
    primary = start_primary(primary_port, log)
    sent, seconds = issue("Throughput")
    primary.send_signal(signal.SIGTERM)
    primary.wait()
    print(
        f"Throughput: {sent.sent} emails in {seconds:.2f} s = {sent.sent / seconds:.0f} emails/s "
        f"(batches of {os.environ.get('NEWSLETTER_BATCH_SIZE', '200')}, primary took {len(lines(log))})"
    )

    # 2. Failover
    log = work / "primary-2.txt"
    primary = start_primary(primary_port, log)

    def kill_when_due():
        while len(lines(log)) < KILL_AFTER:
            time.sleep(0.002)
        primary.kill()

    killer = threading.Thread(target=kill_when_due, daemon=True)
    killer.start()
    before = len(fallback_handler.recipients)
    failed_over, seconds = issue("Failover")
    killer.join(timeout=5)
    primary.wait()
    reached = Counter(lines(log) + fallback_handler.recipients[before:])
    duplicates = sum(count - 1 for count in reached.values() if count > 1)
    missed = len(everyone - set(reached))
    deliveries = Delivery.objects.filter(issue=failed_over)
    by_backend = Counter(deliveries.values_list("backend", flat=True))
    print(
        f"Failover (primary killed after {len(lines(log))} accepted): send log {deliveries.count()} sent "
        f"({by_backend['primary']} primary, {by_backend['fallback']} fallback) in {seconds:.2f} s; "
        f"duplicates {duplicates}, missed {missed}; issue status {failed_over.status}"
    )
    fallback.stop()


if __name__ == "__main__":
    main()
