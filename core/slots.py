"""Named places in page templates that other apps may fill, so that the apps that own pages need not import them.

``publishing`` renders ``{% slot "article.after_paragraph" page=info paragraph=n %}``; ``support`` registers what goes
there when it loads. ``core`` imports neither.
"""

from collections import defaultdict

_renderers = defaultdict(list)


def register(name, renderer):
    """``renderer(context, **kwargs) -> str`` (safe HTML) is called wherever the slot ``name`` is rendered."""
    if renderer not in _renderers[name]:
        _renderers[name].append(renderer)


def render(name, context, **kwargs):
    return "".join(renderer(context, **kwargs) for renderer in _renderers[name])
