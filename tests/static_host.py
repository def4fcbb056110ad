"""The plainest static host for tests: ``python -m http.server`` over a folder, on a free port, no headers of ours."""

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.waiting import EVENT_SECONDS


@contextlib.contextmanager
def static_host(directory, *, prefix="/"):
    """Serve ``directory``; yields the base address (``prefix`` appended) once ``robots.txt`` answers under it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}{prefix}"
    try:
        deadline = time.monotonic() + EVENT_SECONDS
        while True:
            try:
                urllib.request.urlopen(base + "robots.txt", timeout=EVENT_SECONDS).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the static server did not start within {EVENT_SECONDS} s")
                time.sleep(0.05)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
