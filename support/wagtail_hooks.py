"""The support app in the Wagtail admin: a “Support” menu and the ask statistics page.

Other support pages (contributions, reminders) join the menu through the ``register_support_menu_item`` hook.
``AskCounter`` is internal and is registered nowhere: the statistics page is its only view.
"""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet

from support.admin.ask_stats import AskStatsView, can_view_stats
from support.admin.card_payments import CardPaymentsView, ResumeCardPaymentsView
from support.admin.contributions import (
    ConfirmPaymentView,
    ContributionDetailView,
    ContributionListView,
    EmailSearchView,
    FailPaymentView,
    StaffActionView,
    can_confirm_payments,
    can_view_contributions,
)
from support.admin.statements import StatementImportView
from support.admin.unmatched import UnmatchedTransfersView
from support.rates.admin import ExchangeRateViewSet, RatesPanel
from support.revenue.dashboard import RevenueDashboardView, RevenueTableCSVView, can_view_revenue

support_menu = Menu(register_hook_name="register_support_menu_item", construct_hook_name="construct_support_menu")


class AskStatsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_stats(request.user)


@hooks.register("register_admin_urls")
def register_support_admin_urls():
    return [path("support/stats/", AskStatsView.as_view(), name="support_ask_stats")]


@hooks.register("register_admin_menu_item")
def register_support_menu():
    # Shown only when one of its items is (a submenu hides itself when empty).
    return SubmenuMenuItem(_("Support"), support_menu, name="support", icon_name="success", order=350)


@hooks.register("register_support_menu_item")
def register_ask_stats_menu_item():
    return AskStatsMenuItem(
        _("Ask statistics"), reverse_lazy("support_ask_stats"), name="ask-statistics", icon_name="table", order=100
    )


# --- Bank transfers and crypto: the contributions staff confirm by hand, and the bank statement import
# (support/admin/contributions.py and statements.py; the Revenue role and superusers).


class ContributionsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_contributions(request.user)


class StatementImportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_confirm_payments(request.user)


@hooks.register("register_admin_urls")
def register_contribution_admin_urls():
    return [
        path("support/contributions/", ContributionListView.as_view(), name="support_contributions"),
        path("support/contributions/<int:pk>/", ContributionDetailView.as_view(), name="support_contribution"),
        path(
            "support/contributions/<int:pk>/confirm/",
            ConfirmPaymentView.as_view(),
            name="support_contribution_confirm",
        ),
        path("support/contributions/<int:pk>/fail/", FailPaymentView.as_view(), name="support_contribution_fail"),
        path(
            "support/contributions/<int:pk>/act/<slug:action>/",
            StaffActionView.as_view(),
            name="support_contribution_act",
        ),
        path("support/contributions/find/", EmailSearchView.as_view(), name="support_contributions_find"),
        path("support/statements/import/", StatementImportView.as_view(), name="support_statement_import"),
        path("support/statements/unmatched/", UnmatchedTransfersView.as_view(), name="support_unmatched_transfers"),
        path(
            "support/statements/unmatched/<int:pk>/<slug:action>/",
            UnmatchedTransfersView.as_view(),
            name="support_unmatched_transfer_act",
        ),
    ]


@hooks.register("register_support_menu_item")
def register_contributions_menu_item():
    return ContributionsMenuItem(
        _("Contributions"),
        reverse_lazy("support_contributions"),
        name="offline-contributions",
        icon_name="success",
        order=200,
    )


@hooks.register("register_support_menu_item")
def register_statement_import_menu_item():
    return StatementImportMenuItem(
        _("Import a bank statement"),
        reverse_lazy("support_statement_import"),
        name="statement-import",
        icon_name="upload",
        order=210,
    )


@hooks.register("register_support_menu_item")
def register_unmatched_transfers_menu_item():
    return StatementImportMenuItem(
        _("Unmatched transfers"),
        reverse_lazy("support_unmatched_transfers"),
        name="unmatched-transfers",
        icon_name="warning",
        order=215,
    )


# --- Card payments: the card-testing breaker's state, and resuming card payments early
# (support/admin/card_payments.py).


class CardPaymentsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_contributions(request.user)


@hooks.register("register_admin_urls")
def register_card_admin_urls():
    return [
        path("support/card/", CardPaymentsView.as_view(), name="support_card_payments"),
        path("support/card/resume/", ResumeCardPaymentsView.as_view(), name="support_card_resume"),
    ]


@hooks.register("register_support_menu_item")
def register_card_payments_menu_item():
    return CardPaymentsMenuItem(
        _("Card payments"), reverse_lazy("support_card_payments"), name="card-payments", icon_name="warning", order=220
    )


# --- Revenue: the dashboard of the newsroom's money (support/revenue/dashboard.py; the Revenue role and superusers).


class RevenueMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_revenue(request.user)


@hooks.register("register_admin_urls")
def register_revenue_admin_urls():
    return [
        path("support/revenue/", RevenueDashboardView.as_view(), name="support_revenue"),
        path("support/revenue/<slug:name>.csv", RevenueTableCSVView.as_view(), name="support_revenue_csv"),
    ]


@hooks.register("register_support_menu_item")
def register_revenue_menu_item():
    return RevenueMenuItem(_("Revenue"), reverse_lazy("support_revenue"), name="revenue", icon_name="success", order=50)


# --- Exchange rates: dated rates as a snippet, and a warning on the home page when one is missing or old
# (support/rates/admin.py).

register_snippet(ExchangeRateViewSet)


@hooks.register("construct_homepage_panels")
def add_rates_panel(request, panels):
    if can_view_revenue(request.user):
        panels.append(RatesPanel())
