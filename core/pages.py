"""Rendering a page that is not a reading page (a form, a confirmation, a manage page) in the reader's language."""

from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers


def render_in(request, template, context, *, language, status=200):
    """``template`` rendered in ``language`` (its interface strings and ``Content-Language``)."""
    with translation.override(language):
        response = TemplateResponse(request, template, context, status=status)
        response.render()
    response["Content-Language"] = language
    return response


def private(response):
    """Kept by no cache: max-age=0, no-cache, no-store, must-revalidate, private."""
    add_never_cache_headers(response)
    return response
