"""Benchmark the payment side and print the figures (never assert on them).

On a throw-away site (production settings, DEBUG off, demo content, bank transfer and card enabled) served by gunicorn,
with a localstripe of its own on a free port, the site's WSGI application wrapped by ``bench/timed_wsgi.py`` so that
every answer says in a ``Server-Timing`` header how long the server worked on it and how long it waited for Stripe:

1. **Webhook events/s.** One-time card contributions are started through the site's own action, and each is charged
   at localstripe (card 4242, a PaymentIntent with the payment's id in its metadata, as the card step does) *without*
   telling the ledger, so every payment waits for its ``payment_intent.succeeded``. Those events, taken from
   localstripe's event list, are signed with the webhook secret and posted to ``/support/webhooks/stripe/`` from
   several connections at once, with a share of them sent again (replays, some while the first delivery is still being
   handled). The handler verifies, records the event, re-fetches the PaymentIntent from localstripe (no transaction
   open) and then, in one transaction, claims the event and confirms the payment. Printed: events/s, the answers, the
   CPU each process spent per delivery, and the ledger afterwards — exactly one succeeded payment per contribution, one
   recorded event per event id, and the money: the sum of the succeeded payments equals what localstripe charged.
2. **Checkout server time.** ``POST /support/`` (the checkout form: once, €10, an address) many times, with bank
   transfer (no provider call) and with card (the provider's ``start`` creates a Stripe customer). Each POST needs the
   one-time token of a freshly rendered form, so every round is a GET then a POST. Printed: p50/p90/p99 of the
   server's own time (``app`` in ``Server-Timing``: provider calls excluded), the provider time, and the latency the
   client saw.

The database is SQLite in the temp directory, or PostgreSQL with ``--database-url postgres://…@127.0.0.1/<name>``
(created for the run and dropped afterwards when it does not exist yet). SQLite takes one writer at a time, so there
webhooks queue behind each other for the short transaction that applies them; PostgreSQL takes them side by side. The
Redis database (15 by default) is flushed before and after.

It takes about a minute and only ever talks to 127.0.0.1. Run with ``.venv/bin/python bench/payments.py``.
"""

import argparse
import collections
import contextlib
import hashlib
import hmac
import http.client
import json
import logging
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import reading_pages as rp
import support_endpoints as se

HOST = rp.HOST
TIMED_APP = "timed_wsgi:application"
WEBHOOK_SECRET = "whsec_bench_payments"
WEBHOOK_PATH = "/support/webhooks/stripe/"
TARGET_EVENTS_PER_SECOND = 200
TARGET_CHECKOUT_P99_MS = 50.0
WARM_EVENTS_PER_CONNECTION = 4  # enough for every gunicorn thread to open its connections before the measured run
CARD_OK = "4242424242424242"
TOKEN = re.compile(r'name="token" value="([^"]+)"')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--workers", type=rp.positive_int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="gthread", help="gunicorn worker class")
    parser.add_argument("--threads", type=rp.positive_int, default=4, help="threads per gthread worker (sync uses 1)")
    parser.add_argument("--events", type=rp.positive_int, default=600, help="payment_intent.succeeded events")
    parser.add_argument("--replays", type=float, default=0.25, help="share of the events sent a second time")
    parser.add_argument("--connections", type=rp.positive_int, default=16, help="concurrent webhook connections")
    parser.add_argument("--checkouts", type=rp.positive_int, default=300, help="checkout rounds per payment method")
    parser.add_argument("--skip-checkout", action="store_true", help="measure the webhooks only")
    parser.add_argument(
        "--checkout-connections", type=rp.positive_int, default=4, help="readers checking out at the same time"
    )
    parser.add_argument(
        "--database-url",
        type=se.local_database_url,
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="postgres://…@127.0.0.1/<name> (created and dropped when it does not exist yet);\n"
        "default: $BENCH_DATABASE_URL, else SQLite in the temp directory",
    )
    parser.add_argument(
        "--redis-db", type=int, default=rp.REDIS_DB, help="Redis database for the cache, flushed before and after"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (database, gunicorn log)")
    return parser.parse_args(argv)


def parse_server_timing(value):
    """``{"app": ms, "provider": ms, "total": ms}`` from the header bench/timed_wsgi.py writes (empty if absent)."""
    figures = {}
    for part in (value or "").split(","):
        name, _, rest = part.strip().partition(";dur=")
        if rest:
            figures[name] = float(rest)
    return figures


# --- localstripe, on a port of its own


@dataclass
class LocalStripe:
    base: str
    pid: int


@contextlib.contextmanager
def localstripe():
    executable = rp.BIN / "localstripe"
    if not executable.exists():
        raise SystemExit("localstripe is missing from the virtualenv: run `make venv`.")
    port = rp.free_port()
    process = subprocess.Popen(
        [str(executable), "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                request = urllib.request.Request(f"{base}/_config/data", method="DELETE")
                with urllib.request.urlopen(request, timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("localstripe did not start") from None
                time.sleep(0.2)
        yield LocalStripe(base=base, pid=process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


# --- the site


def prepare_site(tmp, database_url, redis_db, stripe_base):
    rp.heading("Preparing a throw-away site")
    env, cache_label, database_label = rp.site_environment(tmp, database_url, redis_db)
    env.update(
        {
            "PAYMENT_PROVIDERS": json.dumps(
                {
                    "bank_transfer": {
                        "account_holder": "Benchmark (not a real account)",
                        "iban": "XX00 0000 0000 0000 0000 00",
                        "bic": "BENCHXXXXXX",
                        "bank_name": "Benchmark bank (not a real bank)",
                        "currencies": ["EUR", "USD", "GBP"],
                    },
                    "card": {},
                }
            ),
            "STRIPE_API_BASE": stripe_base,
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_PUBLISHABLE_KEY": "pk_test_bench",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_JS_URL": f"{stripe_base}/js.stripe.com/v3/",
            "SECURE_SSL_REDIRECT": "0",  # the bench speaks plain HTTP to gunicorn on the loopback
            # Every checkout comes from 127.0.0.1 and from few addresses: the limits on starting card checkouts
            # (support/start_limits.py) would turn the bench's rounds away after the tenth.
            "CARD_STARTS_PER_ADDRESS": "0",
            "CARD_STARTS_PER_EMAIL": "0",
            "CARD_STARTS_SITEWIDE": "0",
        }
    )
    print(f"  directory {tmp}; {database_label}; CACHE_URL={env['CACHE_URL']}; localstripe {stripe_base}", flush=True)
    (tmp / "static").mkdir(exist_ok=True)  # whitenoise wants it; these pages need no collected files
    rp.manage(env, "migrate", "--noinput", "-v0")
    rp.manage(env, "load_demo", "-v0")
    return rp.Site(tmp=tmp, env=env, cache_label=cache_label, database_label=database_label)


def release_database():
    from django.db import connections

    connections.close_all()  # SQLite: hold no lock or snapshot while gunicorn writes


# --- 1. webhooks


def paid_at_localstripe(count):
    """``count`` one-time card contributions, each charged at localstripe but still pending in the ledger.

    Returns {PaymentIntent id: payment id}."""
    from core.actions import Actor
    from core.money import Money
    from support.actions.contributions import start_contribution
    from support.providers.stripe_card import configure, minor_units
    from support.surfaces import active_campaign

    api = configure()
    campaign = active_campaign("en")
    started = time.perf_counter()
    intents = {}
    for number in range(count):
        contribution = start_contribution(
            actor=Actor.reader(),
            amount=Money(Decimal("10"), campaign.currency),
            frequency="once",
            method="card",
            campaign=campaign,
        )
        payment = contribution.payments.get()
        card = api.PaymentMethod.create(
            type="card", card={"number": CARD_OK, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        )
        intent = api.PaymentIntent.create(
            amount=minor_units(contribution.money),
            currency=contribution.currency.lower(),
            payment_method=card.id,
            confirm=True,
            metadata={"samizdat_payment": str(payment.pk), "samizdat_reference": contribution.reference},
            idempotency_key=f"bench-{contribution.public_id}",
        )
        if intent["status"] != "succeeded":
            raise SystemExit(f"localstripe did not charge card {CARD_OK}: {intent['status']}")
        intents[intent.id] = payment.pk
        if (number + 1) % 200 == 0:
            print(f"  {number + 1} contributions charged at localstripe ...", flush=True)
    release_database()
    print(f"  {count} contributions started and charged at localstripe in {time.perf_counter() - started:.1f} s")
    return intents


def succeeded_events(intents):
    """localstripe's own ``payment_intent.succeeded`` events for these intents, as it would deliver them."""
    from support.providers.stripe_card import configure

    events = {}
    for event in configure().Event.list(limit=100).auto_paging_iter():
        event = event.to_dict()
        if event["type"] == "payment_intent.succeeded" and event["data"]["object"]["id"] in intents:
            events[event["data"]["object"]["id"]] = event
    missing = len(intents) - len(events)
    if missing:
        raise SystemExit(f"localstripe lists no payment_intent.succeeded event for {missing} of the intents")
    return list(events.values())


def signed_body(event):
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={digest}"


def post_all(port, deliveries, connections):
    """POST every (payload, signature) from ``connections`` keep-alive connections; return answers and timings."""
    answers = collections.Counter()
    timings, latencies, lock = [], [], threading.Lock()
    cursor = iter(deliveries)

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        mine_timings, mine_latencies, mine_answers = [], [], collections.Counter()
        while True:
            with lock:
                delivery = next(cursor, None)
            if delivery is None:
                break
            payload, signature = delivery
            started = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    WEBHOOK_PATH,
                    body=payload,
                    headers={"Content-Type": "application/json", "Stripe-Signature": signature},
                )
                response = conn.getresponse()
                text = response.read().decode(errors="replace")
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                mine_answers[f"connection error ({type(error).__name__})"] += 1
                continue
            mine_latencies.append((time.perf_counter() - started) * 1000)
            mine_timings.append(parse_server_timing(response.getheader("Server-Timing")))
            kind = re.sub(r"#\d+ \(\S+\)", "#… (…)", text)  # "confirmed payment #12 (pi_…)" → one kind
            mine_answers[f"{response.status} {kind}"] += 1
        conn.close()
        with lock:
            timings.extend(mine_timings)
            latencies.extend(mine_latencies)
            answers.update(mine_answers)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return time.perf_counter() - begun, answers, timings, latencies


def ledger_check(intents, event_ids):
    """(contributions, with exactly one succeeded payment, payments in all, recorded events for these ids)."""
    from django.db.models import Sum

    from support.models import Payment, ProviderEvent

    payments = Payment.objects.filter(pk__in=list(intents.values()))
    contribution_ids = list(payments.values_list("contribution_id", flat=True))
    per_contribution = collections.Counter(
        Payment.objects.filter(contribution_id__in=contribution_ids, status=Payment.Status.SUCCEEDED).values_list(
            "contribution_id", flat=True
        )
    )
    exactly_one = sum(1 for pk in contribution_ids if per_contribution.get(pk) == 1)
    all_payments = Payment.objects.filter(contribution_id__in=contribution_ids).count()
    recorded = ProviderEvent.objects.filter(provider="stripe", event_id__in=event_ids).count()
    handled = ProviderEvent.objects.filter(
        provider="stripe", event_id__in=event_ids, handled_at__isnull=False, error=""
    ).count()
    linked = payments.filter(provider_id__in=list(intents)).count()
    succeeded = dict(
        Payment.objects.filter(contribution_id__in=contribution_ids, status=Payment.Status.SUCCEEDED)
        .values("currency")
        .annotate(total=Sum("amount"))
        .values_list("currency", "total")
    )
    release_database()
    return len(contribution_ids), exactly_one, all_payments, recorded, handled, linked, succeeded


def charged_at_localstripe(events):
    """{currency: Decimal} that localstripe says it charged, from the events' PaymentIntents (minor units)."""
    from support.providers.stripe_card import from_minor_units

    totals = collections.defaultdict(Decimal)
    for event in events:
        intent = event["data"]["object"]
        money = from_minor_units(intent["amount"], intent["currency"])  # a succeeded intent charged its amount
        totals[money.currency] += money.amount
    return dict(totals)


def money_line(totals):
    return " + ".join(f"{amount:,.2f} {currency}" for currency, amount in sorted(totals.items())) or "nothing"


def postgres_cpu_seconds():
    """CPU seconds of every process of the machine's PostgreSQL servers (whoever else uses them)."""
    return rp.cpu_seconds(lambda _pid, name, _ppid: name.startswith("postgres"))


def summarise(values):
    if not values:
        return {}
    return {
        "p50": statistics.median(values),
        "p90": rp.percentile(values, 0.9),
        "p99": rp.percentile(values, 0.99),
        "max": max(values),
    }


def line(figures):
    return "  ".join(f"{name} {ms:.1f} ms" for name, ms in figures.items()) or "no figures"


def measure_webhooks(server, site, stripe_server, args):
    rp.heading(f"Webhooks: payment_intent.succeeded to POST {WEBHOOK_PATH}")
    warm_events = WARM_EVENTS_PER_CONNECTION * args.connections
    intents = paid_at_localstripe(args.events + warm_events)
    events = succeeded_events(intents)
    warm, measured = events[:warm_events], events[warm_events:]
    # Boots every worker; each thread opens its database and localstripe connections (not part of the figure).
    post_all(server.port, [signed_body(event) for event in warm], args.connections)

    bodies = [signed_body(event) for event in measured]
    replays = random.Random(7).sample(bodies, int(len(bodies) * max(0.0, min(args.replays, 1.0))))
    deliveries = bodies + replays
    random.Random(11).shuffle(deliveries)  # a replay may arrive before, during or after its first delivery
    se.warn_if_busy()
    print(
        f"  posting {len(deliveries):,} deliveries ({len(bodies):,} events + {len(replays):,} replays) from "
        f"{args.connections} connections ...",
        flush=True,
    )
    processes = {"gunicorn": lambda: rp.tree_cpu_seconds(server.process.pid)}
    processes["localstripe"] = lambda: rp.tree_cpu_seconds(stripe_server.pid)
    if site.database_label == "PostgreSQL":
        processes["PostgreSQL (every client's)"] = postgres_cpu_seconds
    processes["this client"] = lambda: sum(os.times()[:2])
    cpu_before = {name: measure() for name, measure in processes.items()}
    seconds, answers, timings, latencies = post_all(server.port, deliveries, args.connections)
    cpu = {name: (measure() - cpu_before[name]) * 1000 / max(len(deliveries), 1) for name, measure in processes.items()}
    rate = len(deliveries) / seconds if seconds else 0.0
    print(f"  {rate:,.0f} events/s ({len(deliveries):,} in {seconds:.1f} s)")
    print("  CPU per delivery: " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in cpu.items()))
    for answer, count in sorted(answers.items(), key=lambda item: -item[1]):
        print(f"    {count:>6,}  {answer}")
    app = summarise([t["app"] for t in timings if "app" in t])
    provider = summarise([t["provider"] for t in timings if "provider" in t])
    print(f"  server time without Stripe: {line(app)}")
    print(f"  re-fetching from localstripe: {line(provider)}")
    print(f"  latency seen by the sender:  {line(summarise(latencies))}")
    contributions, exactly_one, payments, recorded, handled, linked, succeeded = ledger_check(
        intents, [event["id"] for event in events]
    )
    charged = charged_at_localstripe(events)
    ok = contributions == exactly_one == payments == recorded == handled == linked == len(events)
    exact = ok and succeeded == charged
    verdict = "one succeeded payment per event, replays included; totals exact" if exact else "MISMATCH"
    print(
        f"  ledger: {contributions:,} contributions, {exactly_one:,} with exactly one succeeded payment, "
        f"{payments:,} payments in all, {linked:,} linked to their PaymentIntent; {recorded:,} events recorded, "
        f"{handled:,} handled without error"
    )
    print(
        f"  totals: {money_line(succeeded)} succeeded in the ledger, {money_line(charged)} charged at localstripe "
        f"-> {verdict}"
    )
    return {
        "rate": rate,
        "app": app,
        "provider": provider,
        "ledger": verdict,
        "deliveries": len(deliveries),
        "cpu": cpu,
        "totals": money_line(succeeded),
    }


# --- 2. checkout


def checkout_rounds(port, method, rounds, connections):
    """GET the form, POST it; per POST the Server-Timing figures and the latency the client saw."""
    results, failures, lock = [], collections.Counter(), threading.Lock()
    numbers = iter(range(rounds))

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine = []
        while True:
            with lock:
                number = next(numbers, None)
            if number is None:
                break
            try:
                conn.request("GET", "/support/?frequency=once&amount=10&currency=EUR")
                response = conn.getresponse()
                page = response.read().decode()
                token = TOKEN.search(page)
                if response.status != 200 or token is None:
                    with lock:
                        failures[f"form {response.status}"] += 1
                    continue
                form = {
                    "frequency": "once",
                    "lang": "en",
                    "token": token.group(1),
                    "currency": "EUR",
                    "amount": "10",
                    "other_amount": "",
                    "email": f"bench-{method}-{number}@example.org",
                    "method": method,
                }
                started = time.perf_counter()
                conn.request(
                    "POST",
                    "/support/",
                    body=urlencode(form),
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                response = conn.getresponse()
                response.read()
                latency = (time.perf_counter() - started) * 1000
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                with lock:
                    failures[f"connection error ({type(error).__name__})"] += 1
                continue
            if response.status != 303 or not (response.getheader("Location") or "").startswith("/support/pay/"):
                with lock:
                    failures[f"POST {response.status}"] += 1
                continue
            mine.append((parse_server_timing(response.getheader("Server-Timing")), latency))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return results, failures


def measure_checkout(server, args):
    rp.heading("Checkout: POST /support/ (once, EUR 10, an address), server time without the provider's")
    outcome = {}
    for method, label in (("bank_transfer", "bank transfer"), ("card", "card start")):
        checkout_rounds(server.port, method, 2 * args.checkout_connections, args.checkout_connections)  # warm-up
        se.warn_if_busy()
        results, failures = checkout_rounds(server.port, method, args.checkouts, args.checkout_connections)
        app = summarise([timing.get("app", float("nan")) for timing, _latency in results])
        provider = summarise([timing.get("provider", 0.0) for timing, _latency in results])
        seen = summarise([latency for _timing, latency in results])
        problems = ", ".join(f"{count} {kind}" for kind, count in failures.items())
        print(
            f"  {label}: {len(results):,} contributions started from {args.checkout_connections} connections"
            f"{'  (' + problems + ')' if problems else ''}"
        )
        print(f"    server time without the provider: {line(app)}")
        print(f"    provider (Stripe customer):       {line(provider)}")
        print(f"    latency seen by the browser:      {line(seen)}")
        outcome[label] = {"app": app, "provider": provider, "count": len(results), "failures": problems}
    return outcome


# --- summary


def print_summary(site, args, webhooks, checkout):
    threads = f" x{args.threads} threads" if args.worker_class == "gthread" else ""
    print(
        f"\n== Samizdat payments ({os.cpu_count()} cores, gunicorn {args.workers} workers {args.worker_class}"
        f"{threads}, {site.cache_label}, {site.database_label}, localstripe) =="
    )
    if webhooks:
        verdict = "meets" if webhooks["rate"] >= TARGET_EVENTS_PER_SECOND else "is BELOW"
        print(
            f"webhook events/s  {webhooks['rate']:>9,.0f}  (target {TARGET_EVENTS_PER_SECOND:,}: {verdict} it)  "
            f"server p50 {webhooks['app'].get('p50', 0):.1f} ms  p99 {webhooks['app'].get('p99', 0):.1f} ms "
            f"+ localstripe p50 {webhooks['provider'].get('p50', 0):.1f} ms  ({args.connections} connections)"
        )
        print(f"ledger check:     {webhooks['ledger']} ({webhooks['totals']})")
        print("CPU per delivery: " + ", ".join(f"{name} {ms:.2f} ms" for name, ms in webhooks["cpu"].items()))
    for label, figures in checkout.items():
        p99 = figures["app"].get("p99", float("nan"))
        verdict = "meets" if p99 <= TARGET_CHECKOUT_P99_MS else "is ABOVE"
        print(
            f"checkout {label:<13} server p50 {figures['app'].get('p50', 0):5.1f} ms  p99 {p99:5.1f} ms  "
            f"(target p99 <= {TARGET_CHECKOUT_P99_MS:.0f} ms: {verdict} it)  provider p50 "
            f"{figures['provider'].get('p50', 0):.1f} ms  ({figures['count']:,} rounds)"
        )
    print("(server times from Server-Timing, bench/timed_wsgi.py; the clients share the CPUs; printed, never asserted)")


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="samizdat-bench-payments-"))
    site = None
    try:
        with se.throwaway_postgres(args.database_url), localstripe() as stripe_server:
            site = prepare_site(tmp, args.database_url, args.redis_db, stripe_server.base)
            rp.setup_django(site.env)
            logging.getLogger("stripe").setLevel(logging.WARNING)  # the SDK logs every call at INFO
            with rp.gunicorn(site, args, app=TIMED_APP) as server:
                webhooks = measure_webhooks(server, site, stripe_server, args)
                checkout = {} if args.skip_checkout else measure_checkout(server, args)
            print_summary(site, args, webhooks, checkout)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        if site is not None and site.env["CACHE_URL"].startswith("redis://"):
            rp.flush_redis(args.redis_db)
    print(f"\n(whole run {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
