"""The shape every Support page of the Wagtail admin shares: the admin's own frame, a breadcrumb to itself, and the
permission check that lets a user in (``permission_check``, a function of the user), refused with the admin's own
"permission denied" otherwise."""

from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    """A Support page of the admin, open to the users ``permission_check`` lets in."""

    @staticmethod
    def permission_check(user) -> bool:
        return False  # every page says who it is for

    def dispatch(self, request, *args, **kwargs):
        # The admin's own wrapper has already sent anonymous users to the login page and checked access_admin.
        if not self.permission_check(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]
