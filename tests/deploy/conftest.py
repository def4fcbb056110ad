"""The deploy tests' fixtures: ``stack`` starts the deploy as shipped once per test module (tests/deploy/stack.py).

A module may define a ``stack_env`` fixture (module scope) to add variables to the app's environment.
"""

import pytest

from tests.deploy.stack import Stack


@pytest.fixture(scope="module")
def stack_env():
    return {}


@pytest.fixture(scope="module")
def stack(stack_env):
    with Stack(extra_env=stack_env) as running:
        yield running
