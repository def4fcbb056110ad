"""Waiting for an event (a mail arrived, a row written, a page changed, a server up) in a test.

A test waits for the event itself and goes on the moment it happens; ``EVENT_SECONDS`` is only the ceiling after which
it gives up and fails, generous so that a busy machine (two cores, a full suite, other work) is never mistaken for a
bug. Nothing in the suite pauses for a guessed time instead.
"""

import time

EVENT_SECONDS = 60
EVENT_MS = EVENT_SECONDS * 1000  # the same, for Playwright's timeouts

POLL_SECONDS = 0.02


def wait_until(condition, what: str, *, seconds: float = EVENT_SECONDS):
    """Check ``condition`` until it is true and return its value; fail, naming ``what``, after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"{what}: not after {seconds} s"
        time.sleep(POLL_SECONDS)
    return value
