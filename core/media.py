from django.conf import settings
from django.views.static import serve


def serve_rendition(request, path):
    """Serve image renditions where no web server does (the demo). Only ``images/`` is reachable: original uploads,
    which can carry camera metadata, are never served."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
