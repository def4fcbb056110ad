"""What the sign-in throttle keeps in Django's cache: wrong passwords counted per source, and the pauses they lead to.
Nothing here records anything; ``core.sign_in.actions`` takes the named action when a pause begins."""

import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from core.client_address import client_address, limit_for
from core.limits import count_in_window

ACCOUNT = "account"
CLIENT_ADDRESS = "client_address"


def now() -> float:
    """The throttle's one clock (Unix time): every window and pause is measured by it."""
    return time.time()


def account_name(username) -> str:
    """The account a username stands for: the same however it is capitalised or composed."""
    return unicodedata.normalize("NFKC", str(username)).strip().casefold()


def _digest(kind, text) -> str:
    return salted_hmac(f"samizdat.sign_in.{kind}", text, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Source:
    """What a wrong password is counted against: one account, or one client address."""

    kind: str  # ACCOUNT or CLIENT_ADDRESS
    key: str  # the stem of its cache keys, holding a digest only
    name: str = ""  # the account's normalised name, for this request only (never stored); "" for an address
    limit_share: int = 1  # an address's limit is this many times SIGN_IN_ADDRESS_FAILURE_LIMIT (the onion's: more)

    @property
    def limit(self) -> int:
        if self.kind == ACCOUNT:
            return settings.SIGN_IN_FAILURE_LIMIT
        return settings.SIGN_IN_ADDRESS_FAILURE_LIMIT * self.limit_share


def sources(request, username) -> list[Source]:
    """The account ``username`` names and, when there is a request, the client's address."""
    name = account_name(username)
    found = [Source(ACCOUNT, f"sign-in:account:{_digest('account', name)}", name)]
    if request is not None:
        address = client_address(request)
        share = limit_for(address, 1)  # everyone who signs in through the onion shares one bucket
        found.append(Source(CLIENT_ADDRESS, f"sign-in:address:{_digest('address', address)}", limit_share=share))
    return found


def account_user(name):
    """The user whose username is ``name`` (case-insensitively), or None."""
    users = get_user_model()._default_manager
    return users.filter(**{f"{get_user_model().USERNAME_FIELD}__iexact": name}).order_by("pk").first()


def _password_mark(source) -> str:
    """A digest of the account's stored password hash ("" for an address or an account nobody has): a pause of the
    account lasts only while the password it was begun under is still the one in force."""
    user = account_user(source.name) if source.kind == ACCOUNT else None
    return _digest("password", user.password) if user is not None and user.password else ""


@dataclass(frozen=True)
class Pause:
    kind: str
    until: float  # Unix time

    @property
    def seconds_left(self) -> float:
        return max(0.0, self.until - now())


def pause_of(source) -> Pause | None:
    """The pause in force for ``source``, or None. Its end is checked here by :func:`now`, not only left to the
    cache's expiry, so every process agrees on it. An account's pause ends once its owner chose a new password."""
    entry = cache.get(f"{source.key}:paused")
    if not isinstance(entry, dict) or entry.get("until", 0) <= now():
        return None
    if entry.get("password") and entry["password"] != _password_mark(source):
        cache.delete(f"{source.key}:paused")
        return None
    return Pause(source.kind, entry["until"])


def count_failure(source) -> int:
    """Count one wrong password against ``source``; the number within the current window."""
    return count_in_window(f"{source.key}:failures", settings.SIGN_IN_WINDOW)


def forget_failures(source):
    cache.delete(f"{source.key}:failures")


def claim_pause(source) -> Pause | None:
    """Pause ``source`` for ``SIGN_IN_LOCK_SECONDS`` unless a pause is in force. ``cache.add`` is atomic (Redis
    ``SET NX``): of several processes reaching the limit at once, exactly one begins the pause. Its count starts
    afresh, so the pause is not begun again by the next wrong password after it ends."""
    seconds = settings.SIGN_IN_LOCK_SECONDS
    entry = {"until": now() + seconds, "password": _password_mark(source)}
    key = f"{source.key}:paused"
    if not cache.add(key, entry, seconds):
        if pause_of(source) is not None:
            return None
        cache.delete(key)  # ended, but the cache (whose clock runs apart from ours) still holds it
        if not cache.add(key, entry, seconds):
            return None
    forget_failures(source)
    return Pause(source.kind, entry["until"])
