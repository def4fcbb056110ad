"""The published tree hears of every change reading pages show (``core.signals.reading_pages_changed``, sent after
commit) and leaves the rewriting to a task, so the editor's request never waits for it."""

import logging

from django.conf import settings

logger = logging.getLogger(__name__)


def rewrite_what_changed(sender, changes, **kwargs):
    if not settings.PUBLISHED_TREE_DIR or not changes:
        return
    from mirrors.tasks import publish_changes

    try:
        publish_changes.enqueue([change.as_dict() for change in changes])
    except Exception:  # the change is committed: an editor must not see an error for the tree's sake
        logger.exception("The published tree could not be told of %s; run manage.py publish_tree", changes)
