from django.dispatch import Signal

# Sent by ``manage.py load_demo`` once the demo content is in place, so other apps can add their demo parts.
demo_loaded = Signal()

# Sent once a transaction that changed what reading pages show has committed, with ``changes``: the list of
# ``core.changes.Change`` it announced (see core/changes.py). Stores of rendered pages listen to it.
reading_pages_changed = Signal()
