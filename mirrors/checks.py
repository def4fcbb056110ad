"""System checks of the mirrors' settings: the onion service's address (``ONION_ADDRESS``, core/onion.py)."""

from django.conf import settings
from django.core.checks import Error

from core.onion import address_problem


def check_onion_address(app_configs, **kwargs):
    value = getattr(settings, "ONION_ADDRESS", "")
    if not value:
        return []
    problem = address_problem(value)
    if problem is None:
        return []
    return [
        Error(
            f"ONION_ADDRESS {value!r} is not a v3 onion address: {problem}.",
            hint="Copy the hostname file tor wrote in its HiddenServiceDir (56 characters, then .onion).",
            id="mirrors.E001",
        )
    ]
