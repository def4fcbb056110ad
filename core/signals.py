from django.dispatch import Signal

# Sent by ``manage.py load_demo`` once the demo content is in place, so other apps can add their demo parts.
demo_loaded = Signal()
