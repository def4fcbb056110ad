"""How many replies go out: per sender per day, and in all per hour.

The sender's counter is kept under ``HMAC(daily salt, address)``, where the daily salt is ``HMAC(secret, date)``
(the secret is ``MIRROR_RESPONDER_SALT_SECRET``, or derived from ``SECRET_KEY``). The key changes every UTC day and
expires with it, so no key can be linked to an address after the day ends, nor to one day's key the next.
"""

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.utils import timezone

from core.limits import count_in_window

PREFIX = "mirrors-responder"
HOUR = 3600


def _secret() -> bytes:
    secret = settings.MIRROR_RESPONDER_SALT_SECRET
    if secret:
        return secret.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"samizdat mirrors responder salt", hashlib.sha256).digest()


def daily_salt(day: dt.date) -> bytes:
    return hmac.new(_secret(), day.isoformat().encode(), hashlib.sha256).digest()


def sender_key(address: str, day: dt.date) -> str:
    digest = hmac.new(daily_salt(day), address.strip().lower().encode(), hashlib.sha256).hexdigest()
    return f"{PREFIX}:sender:{digest}"


def _seconds_left_today(now: dt.datetime) -> int:
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return max(1, int((tomorrow - now).total_seconds()) + 1)


def sender_allowed(address: str, now: dt.datetime | None = None) -> bool:
    """Counts one request of ``address`` today; False once it has made more than ``MIRROR_RESPONDER_PER_SENDER``."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    count = count_in_window(sender_key(address, now.date()), _seconds_left_today(now))
    return count <= settings.MIRROR_RESPONDER_PER_SENDER


def global_allowed(now: dt.datetime | None = None) -> bool:
    """Counts one reply this hour; False once there have been more than ``MIRROR_RESPONDER_PER_HOUR``."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    key = f"{PREFIX}:all:{now:%Y%m%d%H}"
    return count_in_window(key, HOUR + 60) <= settings.MIRROR_RESPONDER_PER_HOUR
