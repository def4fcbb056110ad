"""Run everything the demo needs in one terminal: a mail sink, the web server, the task worker and the scheduler.

Ctrl-C stops all of them. Each process runs the same settings (``SAMIZDAT_ENV=demo``).
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.management import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve the demo at http://127.0.0.1:8000 with its mail sink, task worker and scheduler (Ctrl-C stops all)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def mail_dir(self):
        # the Maildir the demo's mailbox pages (/demo/mail/) read
        return Path(settings.DEMO_MAILBOX_DIR or settings.BASE_DIR / "var" / "mail")

    def processes(self, addr):
        manage = [sys.executable, "manage.py"]
        return {
            # Mail from the demo (reminder confirmations, reminders) lands in a Maildir under var/mail.
            "mail": [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{settings.EMAIL_PORT}",
                "-c",
                "aiosmtpd.handlers.Mailbox",
                str(self.mail_dir()),
            ],
            # A fake Stripe for card payments, offline (its state lives in memory; --from-scratch forgets old runs).
            "localstripe": [
                str(Path(sys.executable).with_name("localstripe")),
                "--port",
                str(self.localstripe_port()),
                "--from-scratch",
            ],
            "web": manage + ["runserver", addr, "--insecure", "--noreload", "--skip-checks"],
            "worker": manage + ["db_worker", "--no-reload", "--interval", "1", "--verbosity", "0"],
            "scheduler": manage + ["run_scheduler", "--interval", "60"],
        }

    @staticmethod
    def localstripe_port():
        return urlsplit(settings.STRIPE_API_BASE).port or 8420

    def ports(self, addr):
        host, _, port = addr.rpartition(":")
        return [
            (host or "127.0.0.1", int(port)),
            (settings.EMAIL_HOST, int(settings.EMAIL_PORT)),
            ("127.0.0.1", self.localstripe_port()),
        ]

    def register_webhook(self, addr):
        """localstripe keeps webhooks in memory only: tell it, once it answers, where to send card events."""
        base = f"http://127.0.0.1:{self.localstripe_port()}"
        body = urlencode(
            {"url": f"http://{addr}/support/webhooks/stripe/", "secret": settings.STRIPE_WEBHOOK_SECRET}
        ).encode()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with urlopen(Request(f"{base}/_config/webhooks/samizdat", data=body, method="POST"), timeout=2):  # noqa: S310
                    return True
            except OSError:
                time.sleep(0.3)
        self.stderr.write("localstripe did not answer: card events will not reach the demo.")
        return False

    @staticmethod
    def port_in_use(host, port):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            return probe.connect_ex((host, port)) == 0

    def handle(self, *args, addr, **options):
        env = {**os.environ, "SAMIZDAT_ENV": os.environ.get("SAMIZDAT_ENV", "demo"), "PYTHONUNBUFFERED": "1"}
        for part in ("tmp", "new", "cur"):  # a Maildir: aiosmtpd's Mailbox fails on a bare directory
            (self.mail_dir() / part).mkdir(parents=True, exist_ok=True)
        busy = [f"{host}:{port}" for host, port in self.ports(addr) if self.port_in_use(host, port)]
        if busy:
            raise CommandError(
                f"Already in use: {', '.join(busy)}. Is another demo running? Stop it (Ctrl-C in its terminal) and "
                "try again."
            )
        running = {}
        for name, command in self.processes(addr).items():
            running[name] = subprocess.Popen(command, env=env, start_new_session=True)
        self.stdout.write(
            self.style.SUCCESS(f"Samizdat demo: http://{addr}/   (admin: http://{addr}/admin/)  Ctrl-C stops it.")
        )
        self.stdout.write(
            f"Mail sent by the demo is kept in {self.mail_dir()}/new/: read it at http://{addr}/demo/mail/"
        )
        if settings.STRIPE_WEBHOOK_SECRET:
            self.register_webhook(addr)
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in running.items():
                    if process.poll() is not None:
                        self.stderr.write(f"{name} stopped (exit {process.returncode}); stopping the demo.")
                        stopping = True
                time.sleep(0.5)
        finally:
            for process in running.values():
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            for process in running.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        self.stdout.write("Demo stopped.")
