"""Export mode: what templates need to know when a page is rendered for a static mirror.

The exporter sets ``request.samizdat_export = True`` on the request object it builds; nothing a client sends can set
it, so no outsider can get an export-mode page into a shared cache. Templates switch on ``export_mode`` and put
whatever differs into the includes of ``mirrors/templates/export_mode/`` — nowhere else.
"""

from django.conf import settings

from core import onion, snapshot
from core.reading import policy_for_meta


def is_export_request(request) -> bool:
    return getattr(request, "samizdat_export", False) is True


def live_sites():
    """The live copies of the site a static page sends readers to for what needs a server, as
    ``[{"url": "https://…", "host": "…"}]`` in the configured order."""
    return [{"url": url, "host": url.split("://", 1)[-1].split("/", 1)[0]} for url in settings.MIRROR_LIVE_URLS]


def export_mode(request):
    if not is_export_request(request):
        return {"export_mode": False}
    return {
        "export_mode": True,
        # the same for every page (and every card rendered with a request) of one export
        "export_csp": snapshot.remember("policy-for-meta", policy_for_meta),
        "live_sites": live_sites(),
        "reminder_mailto": settings.MIRROR_REMINDER_MAILTO,
        # the same page on the onion service, which Tor Browser offers readers of an HTTPS mirror ("" without one)
        "onion_location": onion.location(request.path),
    }
