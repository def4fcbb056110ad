"""The support pages that exist in every language at their own address: ``/support/<page>/`` in the default language,
``/support/<language>/<page>/`` in the others (the bank and crypto instructions, the transparency page)."""

from django.conf import settings
from django.http import Http404
from django.urls import reverse


def localized_url(name: str, language: str) -> str:
    """The page ``name`` (a URL name) in ``language``; the default language, or one the site lacks, has no prefix."""
    if language == settings.LANGUAGE_CODE or language not in dict(settings.LANGUAGES):
        return reverse(name)
    return reverse(name, kwargs={"language": language})


def page_language(language: str | None) -> str:
    """The language a request for such a page asks for (the ``language`` of its address, None for no prefix); 404
    for the default language given as a prefix (it lives at the unprefixed address only) or an unknown one."""
    if language is None:
        return settings.LANGUAGE_CODE
    if language == settings.LANGUAGE_CODE or language not in dict(settings.LANGUAGES):
        raise Http404
    return language
