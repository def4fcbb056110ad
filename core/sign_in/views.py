"""The admin's sign-in page, saying plainly when a pause refused an attempt (and answering 429 then)."""

import datetime as dt
import math

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.forms.auth import LoginForm
from wagtail.admin.views.account import LoginView, password_reset_enabled

from core.sign_in import state
from core.sign_in.backend import PAUSE_ATTRIBUTE


def pause_message(pause: state.Pause) -> str:
    """Until when signing in is paused, that the right password will not do meanwhile, and what a forgotten password
    can do. The same words whether or not the account exists."""
    minutes = max(1, math.ceil(pause.seconds_left / 60))
    until = timezone.localtime(dt.datetime.fromtimestamp(pause.until, tz=dt.UTC))
    text = ngettext(
        "Too many wrong passwords: signing in is paused until %(time)s (in %(minutes)d minute), even with the right "
        "password. Please try again then.",
        "Too many wrong passwords: signing in is paused until %(time)s (in %(minutes)d minutes), even with the right "
        "password. Please try again then.",
        minutes,
    ) % {"time": formats.time_format(until, "H:i T"), "minutes": minutes}
    if not password_reset_enabled():
        return text
    if pause.kind == state.ACCOUNT:
        advice = _(
            "Forgotten your password? “Forgotten password?” below sends you a link to choose a new one, and a new "
            "password ends the pause."
        )
    else:
        advice = _("Forgotten your password? “Forgotten password?” below sends you a link to choose a new one.")
    return f"{text} {advice}"


class SignInForm(LoginForm):
    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            pause = getattr(self.request, PAUSE_ATTRIBUTE, None)
            if pause is None:
                raise
            raise ValidationError(pause_message(pause), code="sign_in_paused") from None


class SignInView(LoginView):
    """Wagtail's sign-in page with :class:`SignInForm`; a paused attempt is answered 429 with ``Retry-After``."""

    def get_form_class(self):
        return SignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        pause = getattr(self.request, PAUSE_ATTRIBUTE, None)
        if pause is not None:
            response.status_code = 429
            response["Retry-After"] = str(max(1, math.ceil(pause.seconds_left)))
        return response
