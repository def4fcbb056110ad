"""``/support/notice/<signed>/``: the link of a dunning mail or a renewal notice. It opens the manage page (or the
card page of the contribution it is about) with a fresh manage link; a bad or expired link says so, and a link whose
supporter is gone says nothing is kept. Like the manage pages: private, no-store, noindex, no referrer."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from support.dunning.links import BadLink, destination, read_link
from support.views.manage import _outcome_page

EXPIRED = _("This link has expired. Please ask for a link to manage your support on the page that opens below.")
INVALID = _("This link is not valid. Please open the whole link from the email, or copy it exactly.")


@require_safe
def notice_link(request, token):
    try:
        payload = read_link(token)
    except BadLink as error:
        message = EXPIRED if str(error) == "expired" else INVALID
        return _outcome_page(request, "bad_link", language=settings.LANGUAGE_CODE, status=400, message=message)
    path = destination(payload)
    if path is None:
        return _outcome_page(request, "nothing_kept", language=settings.LANGUAGE_CODE)
    response = HttpResponseRedirect(path)
    response.status_code = 303
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
