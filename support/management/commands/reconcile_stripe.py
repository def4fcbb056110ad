"""manage.py reconcile_stripe: repair the ledger from Stripe's own objects, whatever webhooks were missed.

Confirms succeeded one-time payments, records paid invoices (first payments and renewals), and cancels contributions
whose subscription is gone; prints each change. Idempotent: a second run changes nothing and prints so.
"""

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Bring card contributions and payments in line with Stripe's PaymentIntents, Invoices and Subscriptions."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=35, help="How far back to look at payments (default 35).")

    def handle(self, *args, days, **options):
        from support.providers import stripe_card

        changes = stripe_card.reconcile(since=int(time.time()) - days * 86400)
        for change in changes:
            self.stdout.write(change)
        self.stdout.write(f"{len(changes)} change(s).")
