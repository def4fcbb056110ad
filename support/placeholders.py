"""Placeholders editors may use in ask copy, and how they are checked and filled."""

import re
import string

from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

PLACEHOLDERS = {
    "monthly_cost": "the campaign's monthly cost",
    "gap": "what is still missing this month (cost − monthly income, never below zero)",
    "ad_free_since": "the date ads were switched off",
    "country": "the country where the newsroom is banned",
    "min_monthly": "the smallest monthly amount shown",
    "supporters": "how many people support the newsroom",
    "percent": "the share of the monthly cost covered, in percent",
}
_FIELD = re.compile(r"\{([^{}]*)\}")


def unknown_placeholders(text):
    """The placeholder names in ``text`` that are not in :data:`PLACEHOLDERS` (and malformed braces)."""
    names = []
    try:
        parsed = list(string.Formatter().parse(text or ""))
    except ValueError:
        return ["unbalanced { or }"]
    for _literal, field, _spec, _conversion in parsed:
        if field is not None and field not in PLACEHOLDERS:
            names.append(field or "{}")
    return names


def validate_copy(text):
    unknown = unknown_placeholders(text)
    if unknown:
        known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        raise ValidationError(
            _("Unknown placeholder %(names)s. You can use: %(known)s.")
            % {
                "names": ", ".join("{" + n + "}" if not n.startswith(("{", "unbalanced")) else n for n in unknown),
                "known": known,
            },
            code="unknown_placeholder",
        )


def fill(text, figures):
    """Escape the copy, then put each figure in its place wrapped in a span the reader script can refresh."""
    escaped = str(conditional_escape(text or ""))

    def replace(match):
        name = match.group(1)
        value = conditional_escape(figures.get(name, ""))
        return f'<span data-figure="{name}">{value}</span>'

    return _FIELD.sub(replace, escaped)
