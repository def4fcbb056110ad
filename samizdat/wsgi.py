import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samizdat.settings")
django_application = get_wsgi_application()

# Imported once Django is set up: page-cache hits are answered here, everything else by Django (core.fast_path).
from core.fast_path import PageCacheFastPath  # noqa: E402

application = PageCacheFastPath(django_application)
