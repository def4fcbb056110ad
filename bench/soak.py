"""Soak the payment side with unreliable deliveries and check that the ledger loses nothing (figures printed, never
asserted).

On a throw-away site (production settings, DEBUG off, demo content, card and bank transfer) served by gunicorn on
PostgreSQL, with a localstripe of its own behind the fault-injecting relay of ``bench/soak_stripe.py`` (the site's
``STRIPE_API_BASE``):

1. **Contributions** (1,000 by default): 40 % card once, 30 % card monthly, 15 % bank transfer once, 15 % bank
   transfer monthly, in several currencies and amounts, some covering the fees, from several supporters at once. Each
   starts over HTTP like a reader's: ``GET /support/`` for the form's one-time token, then the ``POST``. Then:
   * a quarter of the card ones go through the pay page's card step over HTTP (prepare, the SetupIntent confirmed
     at localstripe as Stripe.js does, charge): the site charges or subscribes and tells the ledger itself;
   * the others are charged at localstripe behind the ledger's back, as if the page had died just after Stripe said
     yes: a PaymentIntent with the payment's id in its metadata (once), or a Subscription on the amount's Plan with
     only the subscription's id recorded (monthly: the card step records it before the first invoice). Only
     webhooks and the reconciliation can tell the ledger;
   * bank transfers are paid by lines of bank statements, generated as the bank would export them and imported by
     staff through the admin's import page over HTTP (upload, preview, import); each statement repeats the
     previous one's lines too, which the import must recognise.
2. **Deliveries, meanwhile.** localstripe posts its events of the types the site handles to the deliverer, which
   drops 10 % of them, delivers 20 % twice, shuffles them, sends them from 8 connections and retries what was
   answered 5xx (or not at all) with a doubling wait, up to 6 attempts. The relay fails the site's re-fetches in
   bursts (answers 500, or holds and drops the connection).
3. **Then one ``manage.py reconcile_stripe``**, and the check: contributions started, payments succeeded at the
   provider (localstripe's PaymentIntents and paid invoices, from its API; the bank's statement lines), payments
   succeeded in the ledger, and *missing* (succeeded at the provider, not in the ledger), *doubled* (two succeeded
   payments for one provider payment, or for one contribution: only one period is ever paid here) and *orphaned*
   (succeeded in the ledger with no provider counterpart), before and after the reconciliation; how long after the
   last delivery the ledger was right, and how long the reconciliation took. Target: 0 missing and 0 doubled after
   one reconciliation.
4. **Readers** (50 by default) read the demo's articles the whole time, each pausing a little between pages: their
   requests, errors (there should be none) and p50/p99 latency.

The database is a PostgreSQL database created for the run and dropped afterwards (``--database-url`` names another;
one that exists is used as it is, so give a throw-away one). The cache is Redis database 9, flushed before and
after. It aims at five minutes or less on 2 cores (``--quick``: 100 contributions, about two); the CPU each part used
is printed too, which moves less than the time when other work shares the machine. Only ever talks to 127.0.0.1.
Run with ``.venv/bin/python bench/soak.py``. The relay and the deliverer are in ``bench/soak_stripe.py``, the bank
and the check in ``bench/soak_ledger.py``.
"""

import argparse
import base64
import collections
import http.client
import json
import logging
import os
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import payments
import reading_pages as rp
import soak_ledger
import soak_stripe
import support_endpoints as se

HOST = rp.HOST
REDIS_DB = 9  # its own: the other benchmarks use 11, 13, 14 and 15
KINDS = {  # (method, frequency): share of the contributions
    ("card", "once"): 0.40,
    ("card", "monthly"): 0.30,
    ("bank_transfer", "once"): 0.15,
    ("bank_transfer", "monthly"): 0.15,
}
AMOUNTS = ["5", "7.50", "10", "10", "15", "25", "50"]
CURRENCIES = {"EUR": 0.7, "USD": 0.2, "GBP": 0.1}
FORM_TOKEN = payments.TOKEN


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--contributions", type=rp.positive_int, default=1000, help="contributions started")
    parser.add_argument("--quick", action="store_true", help="100 contributions (unless --contributions says)")
    parser.add_argument("--supporters", type=rp.positive_int, default=4, help="supporters checking out at once")
    parser.add_argument("--card-step", type=float, default=0.25, help="share of card ones paid on the pay page")
    parser.add_argument("--readers", type=int, default=50, help="concurrent readers of articles (0: none)")
    parser.add_argument("--reader-pause", type=float, default=0.5, help="a reader's mean pause between pages, s")
    parser.add_argument("--drop", type=float, default=0.10, help="share of events never delivered")
    parser.add_argument("--duplicate", type=float, default=0.20, help="share of events delivered twice")
    parser.add_argument("--connections", type=rp.positive_int, default=8, help="webhook deliveries at once")
    parser.add_argument("--attempts", type=rp.positive_int, default=6, help="attempts per delivery at most")
    parser.add_argument("--burst-every", type=float, default=10.0, help="seconds from one fault burst to the next")
    parser.add_argument("--burst-length", type=float, default=1.5, help="seconds a fault burst lasts")
    parser.add_argument("--stall", type=float, default=3.0, help="seconds a stalled re-fetch is held, then dropped")
    parser.add_argument("--seed", type=int, default=1, help="seed of every random choice")
    parser.add_argument("--workers", type=rp.positive_int, default=2 * (os.cpu_count() or 1), help="gunicorn workers")
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="gthread", help="gunicorn worker class")
    parser.add_argument("--threads", type=rp.positive_int, default=4, help="threads per gthread worker (sync uses 1)")
    parser.add_argument(
        "--database-url",
        type=se.local_database_url,
        default=None,
        help="postgres://…@127.0.0.1/<name> (created and dropped when it does not exist yet);\n"
        "default: a new database on postgres://postgres@127.0.0.1:5432, dropped afterwards",
    )
    parser.add_argument("--redis-db", type=int, default=REDIS_DB, help="Redis database, flushed before and after")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (gunicorn log)")
    args = parser.parse_args(argv)
    if args.quick and "--contributions" not in " ".join(argv if argv is not None else sys.argv):
        args.contributions = 100
    args.database_url = args.database_url or f"postgres://postgres@{HOST}:5432/samizdat_soak_{secrets.token_hex(4)}"
    return args


# --- the supporters


@dataclass
class Started:
    kinds: collections.Counter = field(default_factory=collections.Counter)
    failures: collections.Counter = field(default_factory=collections.Counter)
    card_step: collections.Counter = field(default_factory=collections.Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, counter, key):
        with self.lock:
            counter[key] += 1


def plan(count, seed):
    rng = random.Random(seed)
    kinds = list(KINDS)
    return [
        {
            "kind": rng.choices(kinds, weights=[KINDS[kind] for kind in kinds])[0],
            "amount": rng.choice(AMOUNTS),
            "currency": rng.choices(list(CURRENCIES), weights=list(CURRENCIES.values()))[0],
            "cover_fees": rng.random() < 0.2,
            "card_step": rng.random(),
        }
        for _number in range(count)
    ]


def check_out(browser, task):
    """The checkout over HTTP; returns the contribution's public id (its pay page's address)."""
    method, frequency = task["kind"]
    status, _response, page = browser.request("GET", f"/support/?frequency={frequency}&currency={task['currency']}")
    token = FORM_TOKEN.search(page)
    if status != 200 or token is None:
        raise LookupError(f"form {status}")
    form = {"frequency": frequency, "lang": "en", "token": token.group(1), "currency": task["currency"]}
    form |= {"amount": "other", "other_amount": task["amount"], "email": "", "method": method}
    if task["cover_fees"]:
        form["cover_fees"] = "on"
    status, response, _page = browser.post_form("/support/", form)
    where = response.getheader("Location") or ""
    if status != 303 or not where.startswith("/support/pay/"):
        raise LookupError(f"checkout POST {status}")
    return where.split("/")[3]


class Charger:
    """Charges card contributions at localstripe, on the pay page or behind the ledger's back."""

    def __init__(self, share_on_page):
        self.share_on_page = share_on_page
        self.plans = threading.Lock()  # localstripe ignores idempotency keys: one Plan.create at a time here

    def card(self, api):
        card = {"number": payments.CARD_OK, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        return api.PaymentMethod.create(type="card", card=card).id

    def on_page(self, browser, api, public_id):
        """The card step as the pay page's script runs it; returns its answer's status."""
        status, _response, text = browser.post_form(f"/support/pay/{public_id}/card/prepare/", {})
        if status != 200:
            return f"prepare {status}"
        setup_intent = json.loads(text)["client_secret"].split("_secret_")[0]
        api.SetupIntent.confirm(setup_intent, payment_method=self.card(api))  # what Stripe.js does
        status, _response, text = browser.post_form(
            f"/support/pay/{public_id}/card/charge/", {"setup_intent": setup_intent}
        )
        return f"charge {status} {json.loads(text).get('status', '?')}"

    def behind_the_ledger(self, api, contribution):
        """Charge (once) or subscribe (monthly) at localstripe without telling the ledger, but for the subscription's
        id, which the card step records before it applies the first invoice."""
        from support.actions.contributions import record_provider_ids
        from support.providers import stripe_card
        from support.providers.registry import get_provider

        customer = get_provider("card").ensure_customer(contribution)
        card = self.card(api)
        if contribution.frequency == "once":
            payment = contribution.payments.get()
            api.PaymentIntent.create(
                amount=stripe_card.minor_units(contribution.money),
                currency=contribution.currency.lower(),
                customer=customer,
                payment_method=card,
                confirm=True,
                metadata={"samizdat_payment": str(payment.pk), "samizdat_reference": contribution.reference},
            )
            return
        api.PaymentMethod.attach(card, customer=customer)
        api.Customer.modify(customer, invoice_settings={"default_payment_method": card})
        with self.plans:
            plan_id = stripe_card.ensure_plan(api, contribution)
        subscription = api.Subscription.create(
            customer=customer, items=[{"plan": plan_id}], metadata={"samizdat_reference": contribution.reference}
        )
        record_provider_ids(actor=stripe_card.ACTOR, contribution_id=contribution.pk, subscription_id=subscription.id)


def start_contributions(port, tasks, supporters, card_step, bank, started):
    """Threads that start ``tasks`` (``supporters`` at a time) and pay for each; they end when the tasks do."""
    from django.db import connections

    from support.models import Contribution
    from support.providers.stripe_card import configure

    charger, cursor, lock = Charger(card_step), iter(enumerate(tasks)), threading.Lock()
    api = configure()

    def supporter():
        browser = soak_ledger.Browser(port)
        while True:
            with lock:
                number, task = next(cursor, (None, None))
            if task is None:
                break
            try:
                public_id = check_out(browser, task)
                contribution = Contribution.objects.get(public_id=public_id)
                if contribution.method == "bank_transfer":
                    bank.transfer(contribution.reference, contribution.amount, contribution.currency)
                elif task["card_step"] < charger.share_on_page:
                    started.count(started.card_step, charger.on_page(browser, api, public_id))
                else:
                    charger.behind_the_ledger(api, contribution)
            except Exception as error:  # counted and shown; the run goes on
                started.count(started.failures, f"{type(error).__name__}: {str(error)[:100]}")
                continue
            started.count(started.kinds, task["kind"])
            if (number + 1) % 100 == 0:
                print(f"  {number + 1:,} contributions started ...", flush=True)
        browser.close()
        connections.close_all()

    threads = [threading.Thread(target=supporter, daemon=True) for _ in range(supporters)]
    for thread in threads:
        thread.start()
    return threads


# --- the readers


class Readers:
    """``count`` readers, each reading a random article, pausing (exponentially, ``pause`` s on average), again."""

    def __init__(self, port, paths, count, pause, seed):
        self.port, self.paths, self.pause = port, paths, pause
        self.stopping, self.lock = threading.Event(), threading.Lock()
        self.latencies, self.errors = [], collections.Counter()
        self.threads = [threading.Thread(target=self._read, args=(seed + n,), daemon=True) for n in range(count)]
        self.began = time.monotonic()
        for thread in self.threads:
            thread.start()

    def _read(self, seed):
        rng, mine, errors = random.Random(seed), [], collections.Counter()
        conn, headers = soak_stripe.KeptConnection(self.port, timeout=30), {"Accept-Encoding": "gzip"}
        while not self.stopping.is_set():
            begun = time.perf_counter()
            try:
                status, _response, _page = conn.request("GET", rng.choice(self.paths), None, headers)
            except (OSError, http.client.HTTPException) as error:
                errors[type(error).__name__] += 1
            else:
                mine.append((time.perf_counter() - begun) * 1000)
                if status != 200:
                    errors[f"status {status}"] += 1
            if self.pause > 0:
                self.stopping.wait(rng.expovariate(1 / self.pause))
        conn.close()
        with self.lock:
            self.latencies.extend(mine)
            self.errors.update(errors)

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=40)
        return time.monotonic() - self.began


def article_paths():
    from publishing.models import ArticlePage

    pages = ArticlePage.objects.live().public().order_by("pk")
    return [rp.local_path(page.url) for page in pages if page.url]


def warm_up(port, paths):
    """Read every article once, so the readers' figures are of pages in the page cache, as readers find them on a
    site that has been up for a while (an uncached article costs a render; see bench/reading_pages.py)."""
    begun, browser = time.monotonic(), soak_ledger.Browser(port)
    statuses = collections.Counter(browser.request("GET", path)[0] for path in paths)
    browser.close()
    answers = ", ".join(f"{n} answered {status}" for status, n in statuses.items())
    print(f"  {len(paths)} articles read once to warm the page cache ({answers}) in {time.monotonic() - begun:.1f} s")


# --- the run


def staff_user():
    from django.contrib.auth import get_user_model
    from django.db import connections

    password = secrets.token_urlsafe(16)
    get_user_model().objects.create_superuser("soak-staff", "", password)
    connections.close_all()
    return "soak-staff", password


def events_at_localstripe(api, types):
    return sum(1 for kind in types for _event in api.Event.list(type=kind, limit=100).auto_paging_iter())


def soak(args, site, stripe_server, relay):
    from django.db import connections
    from django.db.models import Max

    from support.models import Contribution
    from support.providers.stripe_card import HANDLED_EVENTS, configure
    from support.revenue.tallies import differences

    api = configure()
    user, password = staff_user()
    baseline = Contribution.objects.aggregate(top=Max("pk"))["top"] or 0
    paths = article_paths()
    connections.close_all()
    figures = {}
    with rp.gunicorn(site, args) as server:
        deliverer = soak_stripe.Deliverer(
            server.port,
            payments.WEBHOOK_PATH,
            payments.WEBHOOK_SECRET,
            connections=args.connections,
            drop=args.drop,
            duplicate=args.duplicate,
            attempts=args.attempts,
            seed=args.seed,
        )
        try:
            deliverer.subscribe(stripe_server.base, HANDLED_EVENTS)
            warm_up(server.port, paths)
            bank = soak_ledger.Bank(server.port, user, password)
            bank.log_in()
            readers = Readers(server.port, paths, args.readers, args.reader_pause, args.seed)
            tasks = plan(args.contributions, args.seed)
            batch = max(20, sum(task["kind"][0] == "bank_transfer" for task in tasks) // 5)
            rp.heading(
                f"Soaking: {len(tasks):,} contributions from {args.supporters} supporters, {args.readers} readers, "
                f"faults every {args.burst_every:g} s"
            )
            se.warn_if_busy()
            processes = {
                "gunicorn": lambda: rp.tree_cpu_seconds(server.process.pid),
                "PostgreSQL (every client's)": payments.postgres_cpu_seconds,
                "localstripe": lambda: rp.tree_cpu_seconds(stripe_server.pid),
                "this script (supporters, relay, deliverer, readers)": lambda: sum(os.times()[:2]),
            }
            cpu_before = {name: measure() for name, measure in processes.items()}
            started = Started()
            begun = relay.started = time.monotonic()
            relay.calm = False
            supporters = start_contributions(server.port, tasks, args.supporters, args.card_step, bank, started)
            while any(thread.is_alive() for thread in supporters):
                time.sleep(0.5)
                if len(bank.transfers) - bank.imported_upto >= batch:
                    bank.import_statement()
            bank.import_statement()
            bank.import_statement()  # the last statement again: every line is already recorded
            figures["contributions seconds"] = time.monotonic() - begun
            figures["cpu"] = {name: measure() - cpu_before[name] for name, measure in processes.items()}
            print(f"  started in {figures['contributions seconds']:.0f} s; waiting for the last deliveries ...")
            expected, deadline = events_at_localstripe(api, HANDLED_EVENTS), time.monotonic() + 60
            while deliverer.figures.received < expected and time.monotonic() < deadline:
                time.sleep(0.5)
            deliverer.wait_until_idle(timeout=300)
            relay.calm = True
            last_sent = deliverer.figures.last_sent or time.monotonic()
            before = soak_ledger.check_ledger(api, bank, baseline)
            soak_ledger.print_check("after the deliveries", before)
            figures["reconcile seconds"], figures["reconciled"] = soak_ledger.reconcile(site, stripe_server.base)
            after = soak_ledger.check_ledger(api, bank, baseline)
            soak_ledger.print_check("after one reconcile_stripe", after)
            figures["tallies"] = differences()  # the revenue tallies every save moved, against the rows they sum
            converged = before if before.correct else after if after.correct else None
            figures["converged"] = None if converged is None else converged.at - last_sent
            figures["readers seconds"] = readers.stop()
        finally:
            deliverer.close()
    figures |= {"started": started, "bank": bank, "deliverer": deliverer, "readers": readers, "relay": relay}
    figures |= {"before": before, "after": after, "events": expected}
    return figures


def money_line(totals):
    return payments.money_line(totals)


def print_summary(args, site, figures):
    started, deliveries, readers = figures["started"], figures["deliverer"].figures, figures["readers"]
    before, after = figures["before"], figures["after"]
    threads = f" x{args.threads} threads" if args.worker_class == "gthread" else ""
    print(
        f"\n== Samizdat payment soak ({os.cpu_count()} cores, gunicorn {args.workers} workers {args.worker_class}"
        f"{threads}, {site.cache_label}, {site.database_label}, localstripe behind a faulty relay) =="
    )
    kinds = ", ".join(f"{method.replace('_', ' ')} {freq} {n:,}" for (method, freq), n in sorted(started.kinds.items()))
    failed = sum(started.failures.values())
    print(f"contributions started      {sum(started.kinds.values()):>6,}  ({kinds}); {failed} failed")
    for failure, count in started.failures.most_common(5):
        print(f"    {count:>5,}  {failure}")
    card_step = ", ".join(f"{n:,} {answer}" for answer, n in started.card_step.most_common())
    print(f"  card step on the pay page: {card_step or 'none'}")
    imports = figures["bank"].imports
    recorded = sum(item[1] for item in imports)
    print(
        f"  bank statements imported: {len(imports)} ({sum(item[0] for item in imports):,} lines, {recorded:,} "
        f"payments recorded, {max((item[2] for item in imports), default=0):.1f} s the longest)"
    )
    relay = ", ".join(f"{n:,} {kind}" for kind, n in sorted(figures["relay"].counts.items()))
    print(f"relay to localstripe       {relay}")
    print(
        f"deliveries                 {figures['events']:,} events at localstripe, {deliveries.received:,} received; "
        f"{deliveries.dropped:,} dropped, {deliveries.duplicated:,} sent twice; {deliveries.attempts:,} attempts, "
        f"{deliveries.retried:,} retried, {deliveries.given_up:,} given up"
    )
    for answer, count in deliveries.answers.most_common():
        print(f"    {count:>6,}  {answer}")
    latency = payments.summarise(deliveries.latencies)
    print(f"  webhook latency: {payments.line(latency)}")
    print(
        f"succeeded at the provider  {len(after.provider_card):>6,} card (localstripe), {len(after.provider_bank):,} "
        f"bank transfers (statements): {money_line(after.provider_totals)}"
    )
    print(f"succeeded in the ledger    {after.ledger:>6,}: {money_line(after.ledger_totals)}")
    print(
        f"missing / doubled / orphaned  {len(after.missing)} / {len(after.doubled)} / {len(after.orphaned)} after one "
        f"reconcile  (after the deliveries alone: {len(before.missing)} / {len(before.doubled)} / "
        f"{len(before.orphaned)})"
    )
    for why, count in collections.Counter(why for _key, why in after.missing).most_common():
        print(f"    {count:>5,}  missing: {why}")
    changes = ", ".join(f"{n:,} {kind}" for kind, n in figures["reconciled"].most_common()) or "none"
    converged = figures["converged"]
    print(
        "converged                  "
        + (f"{converged:.1f} s after the last delivery" if converged is not None else "NOT (see above)")
        + f"; reconcile_stripe took {figures['reconcile seconds']:.1f} s ({changes})"
    )
    tallies = figures["tallies"]
    print(
        "revenue tallies            "
        + ("agree with the ledger's rows" if not tallies else f"DIFFER from the rows in {len(tallies)} keys")
    )
    for line in tallies[:5]:
        print(f"    {line}")
    met = not after.missing and not after.doubled and not tallies
    verdict = "met" if met else "NOT MET"
    if sum(started.kinds.values()) < args.contributions:  # nothing lost of what never started proves nothing
        verdict += f", but only {sum(started.kinds.values()):,} of {args.contributions:,} contributions started"
    print(f"target (0 missing, 0 doubled after one reconcile, tallies exact): {verdict}")
    if readers.threads:
        seconds = figures["readers seconds"]
        errors = sum(readers.errors.values())
        detail = f" ({', '.join(f'{n} {kind}' for kind, n in readers.errors.items())})" if errors else ""
        figures_of = payments.summarise(readers.latencies)
        print(
            f"readers                    {len(readers.threads)} for {seconds:.0f} s: {len(readers.latencies):,} "
            f"pages ({len(readers.latencies) / seconds:,.0f}/s), {errors} errors{detail}; "
            f"p50 {figures_of.get('p50', 0):.1f} ms, p99 {figures_of.get('p99', 0):.1f} ms"
        )
    cpu = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in figures["cpu"].items())
    print(
        f"contributions took {figures['contributions seconds']:.0f} s; CPU meanwhile: {cpu}\n"
        "(figures printed, never asserted)"
    )


def main(argv=None):
    args = parse_args(argv)
    begun = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="samizdat-bench-soak-"))
    site = None
    try:
        with (
            se.throwaway_postgres(args.database_url),
            soak_stripe.localstripe(rp.free_port()) as (stripe_base, stripe_process),
        ):
            stripe_server = payments.LocalStripe(base=stripe_base, pid=stripe_process.pid)
            relay = soak_stripe.FaultyRelay(
                stripe_server.base, every=args.burst_every, length=args.burst_length, stall=args.stall, seed=args.seed
            )
            relay.calm = True  # no faults while the site is built
            # The site's environment starts from this process's (rp.site_environment): every supporter here comes
            # from 127.0.0.1, so the limits on card checkouts per client address and per minute are off, and the
            # demo's mirror list is signed with a throw-away key.
            os.environ.update(CARD_STARTS_PER_ADDRESS="0", CARD_STARTS_SITEWIDE="0")
            os.environ.setdefault("MIRROR_SIGNING_KEY", base64.b64encode(os.urandom(32)).decode())
            try:
                site = payments.prepare_site(tmp, args.database_url, args.redis_db, relay.base)
                rp.setup_django(site.env)
                logging.getLogger("stripe").setLevel(logging.WARNING)
                from django.conf import settings

                # This process plays Stripe.js, the bank and the auditor: it talks to localstripe itself.
                settings.STRIPE_API_BASE = stripe_server.base
                figures = soak(args, site, stripe_server, relay)
            finally:
                relay.close()
        print_summary(args, site, figures)
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        if site is not None and site.env["CACHE_URL"].startswith("redis://"):
            rp.flush_redis(args.redis_db)
    print(f"\n(whole run {time.monotonic() - begun:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
