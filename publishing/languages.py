"""Names that editors give in each language: sections, topics, licences and author roles.

The site's content has one row per thing (a section, a topic, a licence, an author) with its name in the site's
language (``settings.LANGUAGE_CODE``) and a field per other language beside it (``name_ru``, ``title_ru``,
``role_ru``). Pages ask for the name in the language they render in; a name not given in that language falls back to
the site's language.
"""

from django.conf import settings
from django.utils import translation


def other_languages():
    """The languages names are given in beside the site's own (those with a field of their own)."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def in_language(thing, field, language=None):
    """``thing``'s ``field`` in ``language`` (the language being rendered by default), else in the site's language."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language != settings.LANGUAGE_CODE:
        given = getattr(thing, f"{field}_{language}", "")
        if given:
            return given
    return getattr(thing, field)
