"""The validators check the pages the browser tests read: the same live server over the demo, the same export host."""

from tests.browser.conftest import _reading_server_thread, export_server, reading_server  # noqa: F401
