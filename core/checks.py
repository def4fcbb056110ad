"""Django's deploy checks of the security settings, for ``core.middleware.SecurityMiddleware``.

Django runs them only when its own ``SecurityMiddleware`` is listed by name in ``MIDDLEWARE``; ours stands in its place
(to leave the onion host alone), so these give the same warnings, under Django's ids, when ours is listed. Django's
"SecurityMiddleware is missing" warning (``security.W001``) is silenced in the settings for that reason, and given
here instead when neither is listed.
"""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks.security import base

OURS = "core.middleware.SecurityMiddleware"
DJANGOS = "django.middleware.security.SecurityMiddleware"


@register(Tags.security, deploy=True)
def check_security_settings(app_configs, **kwargs):
    if DJANGOS in settings.MIDDLEWARE:
        return []  # Django checks its own
    if OURS not in settings.MIDDLEWARE:
        return [base.W001]
    found = []
    if not settings.SECURE_HSTS_SECONDS:
        found.append(base.W004)
    else:
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is not True:
            found.append(base.W005)
        if settings.SECURE_HSTS_PRELOAD is not True:
            found.append(base.W021)
    if settings.SECURE_CONTENT_TYPE_NOSNIFF is not True:
        found.append(base.W006)
    if settings.SECURE_SSL_REDIRECT is not True:
        found.append(base.W008)
    if settings.SECURE_REFERRER_POLICY is None:
        found.append(base.W022)
    return found
