"""The mirrors app in the Wagtail admin: the *Mirrors* menu item and its pages, and the dashboard panel
(:mod:`mirrors.admin_views`)."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from mirrors.admin_views import (
    MirrorAddView,
    MirrorEditView,
    MirrorMomentView,
    MirrorsPanel,
    MirrorsView,
    can_view_mirrors,
)


class MirrorsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_mirrors(request.user)


@hooks.register("register_admin_urls")
def register_mirrors_admin_urls():
    return [
        path("mirrors/", MirrorsView.as_view(), name="mirrors_admin"),
        path("mirrors/add/", MirrorAddView.as_view(), name="mirrors_admin_add"),
        path("mirrors/<int:pk>/", MirrorEditView.as_view(), name="mirrors_admin_edit"),
        path("mirrors/<int:pk>/<slug:what>/", MirrorMomentView.as_view(), name="mirrors_admin_moment"),
    ]


@hooks.register("register_admin_menu_item")
def register_mirrors_menu_item():
    return MirrorsMenuItem(_("Mirrors"), reverse_lazy("mirrors_admin"), name="mirrors", icon_name="site", order=360)


@hooks.register("construct_homepage_panels")
def add_mirrors_panel(request, panels):
    if can_view_mirrors(request.user):
        panels.append(MirrorsPanel())
