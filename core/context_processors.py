from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "CANONICAL_URL": settings.CANONICAL_URL,
        # Only pages meant for one person (thanks, "check your email") link to it; never a reading page.
        "DEMO_MAILBOX_URL": "/demo/mail/" if getattr(settings, "DEMO_MAILBOX_DIR", "") else "",
    }
