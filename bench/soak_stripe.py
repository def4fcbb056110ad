"""The provider's side of bench/soak.py, made unreliable on purpose: a relay in front of localstripe that fails in
bursts, and a deliverer of localstripe's events that drops, duplicates, shuffles and retries them as a webhook
sender does.

* :class:`FaultyRelay` — the site's ``STRIPE_API_BASE``. It passes every request on to localstripe, except that
  in bursts (``length`` seconds out of every ``every``) a re-fetch — ``GET /v1/payment_intents/<id>``,
  ``/v1/invoices/<id>`` or ``/v1/subscriptions/<id>`` — is answered 500 (Stripe's ``api_error``) or held for
  ``stall`` seconds and then dropped without an answer, which the site sees as the network failing, as it would
  after a timeout. Whoever re-fetches meets the bursts: a webhook, or the card step after it subscribed.
* :class:`Deliverer` — localstripe posts its events to the deliverer's inbox (localstripe's ``/_config/webhooks``),
  which answers at once and decides each event's fate: dropped (never delivered), delivered twice, or once; every copy
  is delayed by a random part of ``window`` seconds, so events arrive shuffled, and several connections deliver at the
  same time. Each attempt is signed afresh with the site's webhook secret, as Stripe signs each one. A 5xx answer, a
  connection error or a timeout is tried again later with a doubling wait, up to ``attempts`` times; any other
  answer is final.

Everything runs in threads of the benchmark's process and talks only to 127.0.0.1.
"""

import collections
import contextlib
import hashlib
import heapq
import hmac
import http.client
import itertools
import json
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOST = "127.0.0.1"
REFETCH = re.compile(r"^/v1/(payment_intents|invoices|subscriptions)/[A-Za-z0-9_]+(\?.*)?$")
API_ERROR = json.dumps({"error": {"type": "api_error", "message": "An unexpected error occurred (injected)."}}).encode()


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the site's Stripe client and localstripe expect

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the standard library's 5 drops connections when a burst of them opens at once


def _serve(handler):
    server = _Server((HOST, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{HOST}:{server.server_address[1]}"


class KeptConnection:
    """A kept-alive HTTP connection to a local server. A request that finds the kept connection closed by the server
    meanwhile (gunicorn ends idle ones after two seconds) is sent once more on a fresh one, as browsers do; any other
    failure is the caller's."""

    GONE = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)

    def __init__(self, port, timeout):
        self.port, self.timeout, self.conn = port, timeout, None

    def request(self, method, path, body=None, headers=None):
        """(status, response, body bytes)."""
        while True:
            fresh = self.conn is None
            if fresh:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                self.close()
                if fresh or not isinstance(error, self.GONE):
                    raise
                continue
            if response.will_close:
                self.close()
            return response.status, response, data

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# --- localstripe, without its disk copy


# localstripe writes its whole store to /tmp/localstripe.pickle after every change, so each call costs more as the
# store grows (a thousand contributions: minutes of CPU, most of the soak's), and every localstripe on the machine
# writes the same file. Started with --from-scratch it never reads the file back, so this one does not write it.
LOCALSTRIPE = (
    "import sys; from localstripe.resources import Store; Store.dump_to_disk = lambda self: None; "
    "from localstripe.server import start; sys.argv[0] = 'localstripe'; sys.exit(start())"
)


@contextlib.contextmanager
def localstripe(port):
    """localstripe on ``port``, its store in memory only; yields its base URL and process."""
    process = subprocess.Popen(
        [sys.executable, "-c", LOCALSTRIPE, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base, deadline = f"http://{HOST}:{port}", time.monotonic() + 30
    try:
        while True:
            try:
                with urllib.request.urlopen(urllib.request.Request(f"{base}/_config/data", method="DELETE"), timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("localstripe did not start") from None
                time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


# --- the relay


class FaultyRelay:
    def __init__(self, target, *, every=10.0, length=1.5, stall=3.0, seed=0):
        self.target = urlsplit(target)
        self.every, self.length, self.stall = every, length, stall
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.counts = collections.Counter()
        self.started = time.monotonic()
        self.calm = False  # set once the faults are over (before reconciling)
        relay = self

        class Handler(_Quiet):
            upstream = None

            def do_GET(self):
                relay.handle(self)

            do_POST = do_DELETE = do_GET

        self.server, self.base = _serve(Handler)

    def in_burst(self):
        return not self.calm and (time.monotonic() - self.started) % self.every >= self.every - self.length

    def handle(self, request):
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        if request.command == "GET" and REFETCH.match(request.path) and self.in_burst():
            with self.lock:
                stall = self.random.random() < 0.5
                self.counts["stalled and dropped" if stall else "answered 500"] += 1
            if stall:
                time.sleep(self.stall)
                request.close_connection = True  # no answer at all: the site's client sees the connection end
                return
            return request.reply(500, API_ERROR)
        headers = {name: value for name, value in request.headers.items() if name.lower() not in ("host", "connection")}
        for attempt in (1, 2):  # once more on a fresh connection if localstripe closed the kept one
            if request.upstream is None:
                request.upstream = http.client.HTTPConnection(self.target.hostname, self.target.port, timeout=30)
            try:
                request.upstream.request(request.command, request.path, body=body or None, headers=headers)
                response = request.upstream.getresponse()
                answer = response.read()
                break
            except (OSError, http.client.HTTPException):
                request.upstream.close()
                request.upstream = None
                if attempt == 2:
                    with self.lock:
                        self.counts["localstripe unreachable"] += 1
                    return request.reply(502, API_ERROR)
        with self.lock:
            self.counts["passed on"] += 1
        request.reply(response.status, answer, response.getheader("Content-Type") or "application/json")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# --- the deliverer


@dataclass(order=True)
class Delivery:
    due: float
    number: int
    event: dict = field(compare=False)
    attempt: int = field(default=1, compare=False)


@dataclass
class DeliveryFigures:
    received: int = 0
    dropped: int = 0
    duplicated: int = 0
    attempts: int = 0
    retried: int = 0
    given_up: int = 0
    answers: collections.Counter = field(default_factory=collections.Counter)
    latencies: list = field(default_factory=list)
    last_sent: float | None = None  # time.monotonic() when the last attempt ended


def sign(payload, secret):
    timestamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def answer_kind(status, text):
    """One kind per answer: "confirmed payment #12 (pi_…)" and "confirmed payment #13 (pi_…)" are the same."""
    text = re.sub(r"#\d+", "#…", text)
    text = re.sub(r" of SZ-\S+", " of …", text)
    text = re.sub(r"[(]\S+[)]", "(…)", text)
    return f"{status} {text}"


class Deliverer:
    def __init__(
        self,
        port,
        path,
        secret,
        *,
        connections=8,
        drop=0.10,
        duplicate=0.20,
        window=3.0,
        attempts=6,
        backoff=0.5,
        timeout=10.0,
        seed=0,
    ):
        self.port, self.path, self.secret = port, path, secret
        self.drop, self.duplicate, self.window = drop, duplicate, window
        self.attempts, self.backoff, self.timeout = attempts, backoff, timeout
        self.random = random.Random(seed)
        self.figures = DeliveryFigures()
        self.queue, self.numbers = [], itertools.count()
        self.in_flight = 0
        self.ready = threading.Condition()
        self.stopping = False
        deliverer = self

        class Inbox(_Quiet):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.reply(200)
                with contextlib.suppress(ValueError):
                    deliverer.accept(json.loads(body))

        self.inbox, self.inbox_url = _serve(Inbox)
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(connections)]
        for thread in self.threads:
            thread.start()

    def subscribe(self, localstripe_base, event_types):
        """Have localstripe post these event types to the inbox, as a Stripe endpoint configured for them."""
        body = json.dumps({"url": self.inbox_url, "secret": "whsec_inbox", "events": sorted(event_types)}).encode()
        request = urllib.request.Request(
            f"{localstripe_base}/_config/webhooks/soak", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=5):
            pass

    def accept(self, event):
        now = time.monotonic()
        with self.ready:
            self.figures.received += 1
            fate = self.random.random()
            if fate < self.drop:
                self.figures.dropped += 1
                return
            copies = 2 if fate < self.drop + self.duplicate else 1
            self.figures.duplicated += copies - 1
            for _copy in range(copies):
                due = now + self.random.uniform(0, self.window)
                heapq.heappush(self.queue, Delivery(due, next(self.numbers), event))
            self.ready.notify_all()

    def _next(self):
        with self.ready:
            while True:
                if self.stopping:
                    return None
                if self.queue and self.queue[0].due <= time.monotonic():
                    self.in_flight += 1
                    return heapq.heappop(self.queue)
                wait = self.queue[0].due - time.monotonic() if self.queue else 0.5
                self.ready.wait(timeout=max(0.001, min(wait, 0.5)))

    def _work(self):
        conn = KeptConnection(self.port, self.timeout)
        while (delivery := self._next()) is not None:
            payload = json.dumps(delivery.event).encode()
            headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload, self.secret)}
            started = time.monotonic()
            try:
                status, _response, text = conn.request("POST", self.path, payload, headers)
                kind = answer_kind(status, text.decode(errors="replace"))
            except (OSError, http.client.HTTPException) as error:
                status, kind = 0, f"no answer ({type(error).__name__})"
            self._done(delivery, status, kind, time.monotonic() - started)
        conn.close()

    def _done(self, delivery, status, kind, seconds):
        with self.ready:
            figures = self.figures
            figures.attempts += 1
            figures.answers[kind] += 1
            figures.latencies.append(seconds * 1000)
            figures.last_sent = time.monotonic()
            if status == 0 or status >= 500:
                if delivery.attempt < self.attempts:
                    figures.retried += 1
                    wait = self.backoff * 2 ** (delivery.attempt - 1) * self.random.uniform(0.8, 1.2)
                    retry = Delivery(time.monotonic() + wait, next(self.numbers), delivery.event, delivery.attempt + 1)
                    heapq.heappush(self.queue, retry)
                else:
                    figures.given_up += 1
            self.in_flight -= 1
            self.ready.notify_all()

    def idle(self):
        with self.ready:
            return not self.queue and not self.in_flight

    def wait_until_idle(self, timeout):
        deadline = time.monotonic() + timeout
        with self.ready:
            while self.queue or self.in_flight:
                if time.monotonic() > deadline:
                    return False
                self.ready.wait(timeout=0.5)
        return True

    def close(self):
        with self.ready:
            self.stopping = True
            self.ready.notify_all()
        for thread in self.threads:
            thread.join(timeout=self.timeout + 5)
        self.inbox.shutdown()
        self.inbox.server_close()
