"""The one authentication backend: Django's own (users and their permissions), with the sign-in throttle in front of
the password check, so that every form that signs people in is throttled alike."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from core.actions import Actor
from core.sign_in import state
from core.sign_in.actions import pause_sign_in

# Where the backend leaves the pause that refused (or was just begun by) a request, for the form to say so.
PAUSE_ATTRIBUTE = "sign_in_pause"


def _latest(pauses):
    return max(pauses, key=lambda pause: pause.until) if pauses else None


def _in_force(sources):
    return [pause for source in sources if (pause := state.pause_of(source)) is not None]


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        sources = state.sources(request, username)
        if pause := _latest(_in_force(sources)):
            # Before the password is checked: a refused attempt costs no hash, and the right password is refused too.
            if request is not None:
                setattr(request, PAUSE_ATTRIBUTE, pause)
            raise PermissionDenied  # authenticate() then tries no other backend and reports a failed sign-in
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            state.forget_failures(sources[0])  # the account's own count; an address's count is not its to forget
            return user
        for source in sources:
            if state.count_failure(source) >= source.limit:
                pause_sign_in(actor=Actor.system("sign_in_throttle"), source=source)
        if request is not None and (pause := _latest(_in_force(sources))):
            setattr(request, PAUSE_ATTRIBUTE, pause)
        return None
