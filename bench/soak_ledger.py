"""The other ends of the money in bench/soak.py, and the check that they agree with the ledger.

* :class:`Bank` — the newsroom's bank account: the transfers supporters make, and the statements staff import
  through the admin's import page over HTTP (upload, preview, import), as a person would with a browser.
* :func:`check_ledger` — what succeeded at the provider (localstripe's API) and at the bank, against what succeeded
  in the ledger: missing, doubled, orphaned, and the money on both sides.
"""

import collections
import datetime as dt
import http.cookies
import re
import secrets
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

import reading_pages as rp
import soak_stripe

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PREVIEW = re.compile(r'name="preview" value="([^"]+)"')
IMPORTED = re.compile(r"Statement imported: (\d+) payments recorded, (\d+) lines read")


# --- HTTP as a browser speaks it (cookies only where the admin needs them)


class Browser:
    def __init__(self, port):
        self.conn, self.cookies = soak_stripe.KeptConnection(port, timeout=60), {}

    def request(self, method, path, body=None, content_type=None):
        """(status, response, text)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if content_type:
            headers["Content-Type"] = content_type
        status, response, data = self.conn.request(method, path, body, headers)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return status, response, data.decode(errors="replace")

    def post_form(self, path, fields):
        return self.request("POST", path, urlencode(fields), "application/x-www-form-urlencoded")

    def post_file(self, path, fields, name, filename, data):
        boundary = f"soak{secrets.token_hex(12)}"
        disposition = f"--{boundary}\r\nContent-Disposition: form-data"
        parts = [f'{disposition}; name="{key}"\r\n\r\n{value}\r\n' for key, value in fields.items()]
        head = f'{disposition}; name="{name}"; filename="{filename}"\r\n'
        body = "".join(parts).encode() + (head + "Content-Type: text/csv\r\n\r\n").encode() + data
        body += f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")

    def close(self):
        self.conn.close()


# --- the bank


class Bank:
    """The newsroom's account: the transfers supporters made, and the statements staff import (each one repeating
    the previous statement's lines)."""

    def __init__(self, port, user, password):
        self.transfers, self.lock, self.today = [], threading.Lock(), dt.date.today()
        self.imported_upto = self.previous_from = 0
        self.browser, self.user, self.password = Browser(port), user, password
        self.imports = []  # (lines in the file, payments recorded, seconds)

    def transfer(self, reference, amount, currency):
        with self.lock:
            self.transfers.append((reference, amount, currency))

    def line_keys(self):
        from support.statements import StatementLine

        return {
            StatementLine(0, self.today, amount, currency, (reference,)).key: (amount, currency)
            for reference, amount, currency in self.transfers
        }

    def log_in(self):
        status, _response, page = self.browser.request("GET", "/admin/login/")
        token = CSRF_TOKEN.search(page)
        fields = {"username": self.user, "password": self.password, "csrfmiddlewaretoken": token and token.group(1)}
        status, _response, _page = self.browser.post_form("/admin/login/", fields)
        if status != 302:
            raise SystemExit(f"could not log in to the admin (status {status})")

    def import_statement(self):
        """Upload a statement of every transfer since the previous statement began, preview it, import it."""
        with self.lock:
            rows, self.previous_from, self.imported_upto = (
                self.transfers[self.previous_from :],
                self.imported_upto,
                len(self.transfers),
            )
        if not rows:
            return
        lines = ["date,amount,currency,description", f"{self.today},-12.00,EUR,Account fee"]
        lines += [f"{self.today},{amount},{currency},Gift {reference} thanks" for reference, amount, currency in rows]
        lines.append(f"{self.today},20.00,EUR,SUPPORT")  # an anonymous gift: nothing to confirm
        started = time.monotonic()
        path = "/admin/support/statements/import/"
        _status, _response, page = self.browser.request("GET", path)
        token = CSRF_TOKEN.search(page).group(1)
        data = ("\n".join(lines) + "\n").encode()
        status, _response, page = self.browser.post_file(
            path, {"csrfmiddlewaretoken": token}, "statement", "statement.csv", data
        )
        preview = PREVIEW.search(page)
        if status != 200 or preview is None:
            raise SystemExit(f"the statement's preview failed (status {status})")
        status, _response, page = self.browser.post_form(
            path, {"csrfmiddlewaretoken": CSRF_TOKEN.search(page).group(1), "preview": preview.group(1)}
        )
        done = IMPORTED.search(page)
        if status != 200 or done is None:
            raise SystemExit(f"the statement's import failed (status {status})")
        self.imports.append((len(lines) - 1, int(done.group(1)), time.monotonic() - started))


# --- the check


@dataclass
class Check:
    provider_card: dict  # the key the ledger keeps (PaymentIntent id, else invoice id) -> Money
    provider_bank: dict  # statement line key -> (amount, currency)
    ledger: int = 0
    missing: list = field(default_factory=list)  # (key, why)
    doubled: list = field(default_factory=list)
    orphaned: list = field(default_factory=list)
    ledger_totals: dict = field(default_factory=dict)
    provider_totals: dict = field(default_factory=dict)
    at: float = 0.0

    @property
    def correct(self):
        return not (self.missing or self.doubled or self.orphaned)


def provider_payments(api):
    """What localstripe says succeeded: one-time PaymentIntents, and paid invoices (keyed by their PaymentIntent, as
    the ledger keys them); and each invoice's subscription."""
    from support.providers.stripe_card import from_minor_units

    card, subscriptions = {}, {}
    for intent in api.PaymentIntent.list(limit=100).auto_paging_iter():
        intent = intent.to_dict()
        if intent["status"] == "succeeded" and not intent.get("invoice"):
            card[intent["id"]] = from_minor_units(intent["amount"], intent["currency"])
    for invoice in api.Invoice.list(limit=100).auto_paging_iter():
        invoice = invoice.to_dict()
        if invoice["status"] == "paid" and invoice["amount_paid"] > 0:
            key = invoice.get("payment_intent") or invoice["id"]
            card[key] = from_minor_units(invoice["amount_paid"], invoice["currency"])
            subscriptions[key] = invoice.get("subscription")
    return card, subscriptions


def check_ledger(api, bank, baseline):
    from django.db import connections

    from support.models import Contribution, Payment

    card, subscriptions = provider_payments(api)
    check = Check(provider_card=card, provider_bank=bank.line_keys())
    succeeded = Payment.objects.filter(contribution_id__gt=baseline, status=Payment.Status.SUCCEEDED)
    rows = list(succeeded.values_list("contribution_id", "provider", "provider_id", "transaction_reference"))
    totals = collections.defaultdict(Decimal)
    for currency, amount in succeeded.values_list("currency", "amount"):
        totals[currency] += amount
    known_subscriptions = set(
        Contribution.objects.filter(pk__gt=baseline, provider_subscription_id__isnull=False).values_list(
            "provider_subscription_id", flat=True
        )
    )
    connections.close_all()
    per_contribution = collections.Counter(row[0] for row in rows)
    keys = collections.Counter(
        ("card", provider_id) if provider == "card" else ("bank", reference)
        for _contribution, provider, provider_id, reference in rows
    )
    for key in card:
        if ("card", key) not in keys:
            known = key not in subscriptions or subscriptions[key] in known_subscriptions
            check.missing.append((key, "card" if known else "card, its subscription unknown to the ledger"))
    check.missing += [(key, "bank transfer") for key in check.provider_bank if ("bank", key) not in keys]
    check.doubled = [f"contribution #{pk}" for pk, n in per_contribution.items() if n > 1]
    check.doubled += [f"{kind} {key}" for (kind, key), n in keys.items() if n > 1]
    check.orphaned = [
        f"{kind} {key}"
        for kind, key in keys
        if (kind == "card" and key not in card) or (kind == "bank" and key not in check.provider_bank)
    ]
    check.ledger = len(rows)
    check.ledger_totals = dict(totals)
    provider_totals = collections.defaultdict(Decimal)
    for money in card.values():
        provider_totals[money.currency] += money.amount
    for amount, currency in check.provider_bank.values():
        provider_totals[currency] += amount
    check.provider_totals = dict(provider_totals)
    check.at = time.monotonic()
    return check


def print_check(label, check):
    print(
        f"  {label}: {check.ledger:,} succeeded in the ledger; missing {len(check.missing)}, doubled "
        f"{len(check.doubled)}, orphaned {len(check.orphaned)}"
    )
    for key, why in check.missing[:5]:
        print(f"    missing: {key} ({why})")
    for what in (check.doubled + check.orphaned)[:5]:
        print(f"    doubled or orphaned: {what}")


def reconcile(site, stripe_base):
    """One ``manage.py reconcile_stripe`` (straight to localstripe: the outage is over); (seconds, changes by kind)."""
    env = dict(site.env, STRIPE_API_BASE=stripe_base)
    begun = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "reconcile_stripe"],
        cwd=rp.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.monotonic() - begun
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit("manage.py reconcile_stripe failed; see above")
    changes = collections.Counter(
        soak_stripe.answer_kind("", line).strip() for line in result.stdout.splitlines()[:-1] if line.strip()
    )
    return seconds, changes
