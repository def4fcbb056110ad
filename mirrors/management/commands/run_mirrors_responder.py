"""manage.py run_mirrors_responder --host 0.0.0.0 --port 25: the SMTP server of the mirrors mailbox (a self-hosted
MX, or a port the mail server forwards ``MIRROR_RESPONDER_ADDRESS`` to; docs/production.md). Runs until stopped."""

import signal
import threading

from django.core.management.base import BaseCommand

from mirrors.autoresponder.smtp import controller


class Command(BaseCommand):
    help = "Answer mail to the mirrors address over SMTP (until stopped)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8026, help="Port to listen on (default 8026).")

    def handle(self, *args, host, port, **options):
        server = controller(host, port)
        stopped = threading.Event()
        for name in (signal.SIGINT, signal.SIGTERM):
            signal.signal(name, lambda *_args: stopped.set())
        server.start()
        if options["verbosity"]:
            self.stdout.write(f"Answering mirror requests on {host}:{port}.")
        try:
            stopped.wait()
        finally:
            server.stop()
