"""Background work of the mirrors app: keeping the published tree up to date after each change."""

from django_tasks import task


@task()
def publish_changes(changes: list) -> str:
    """Rewrite the files of the published tree that ``changes`` touch (``Change.as_dict()`` each). Returns the
    report's summary; a site without a tree has nothing to do."""
    from core.changes import Change
    from mirrors.tree.publish import configured_tree, publish

    if configured_tree() is None:
        return "no published tree"
    return publish([Change.from_dict(change) for change in changes]).summary()
