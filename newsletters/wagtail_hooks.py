"""The newsletters app in the Wagtail admin: the *Newsletters* menu item and its pages
(:mod:`newsletters.admin_views`)."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from newsletters.admin_views import IssueEditView, IssuesView, IssueView, can_view, preview


class NewslettersMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view(request.user)


@hooks.register("register_admin_urls")
def register_newsletters_admin_urls():
    return [
        path("newsletters/", IssuesView.as_view(), name="newsletters_admin"),
        path("newsletters/new/", IssueEditView.as_view(), name="newsletters_admin_new"),
        path("newsletters/<int:pk>/", IssueView.as_view(), name="newsletters_admin_issue"),
        path("newsletters/<int:pk>/edit/", IssueEditView.as_view(), name="newsletters_admin_edit"),
        path("newsletters/<int:pk>/preview/", preview, name="newsletters_admin_preview"),
    ]


@hooks.register("register_admin_menu_item")
def register_newsletters_menu_item():
    return NewslettersMenuItem(
        _("Newsletters"), reverse_lazy("newsletters_admin"), name="newsletters", icon_name="mail", order=370
    )
