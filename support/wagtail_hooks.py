"""The support app in the Wagtail admin: a “Support” menu and the ask statistics page.

Other support pages (contributions, reminders) join the menu through the ``register_support_menu_item`` hook.
``AskCounter`` is internal and is registered nowhere: the statistics page is its only view.
"""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from support.admin_views import AskStatsView, can_view_stats

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
