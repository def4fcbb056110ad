"""The HTTP client the Stripe SDK talks through: one kept-alive connection per thread and API host, on the standard
library's ``http.client``.

The SDK's default client goes through ``requests``, which on every call reads the proxy variables and ``~/.netrc``,
checks the CA bundle on disk and merges session settings: about 0.5 ms of CPU of a 0.7 ms call, on every webhook's
re-fetch and every checkout step. This client sends the SDK's own request (its headers, its idempotency keys, its
retries: a connection error is raised as ``APIConnectionError`` with ``should_retry``, so the SDK's policy decides)
and gives back what it answered, nothing more.

A connection that the server closed while it was idle (keep-alive timeouts) is noticed before it is used again, as
urllib3 does, and a fresh one is opened; a request is never sent twice by this client. HTTPS verifies the server
against the SDK's own CA bundle. It is not used where a proxy is configured (``stripe.proxy`` or the environment's
``HTTPS_PROXY``/``HTTP_PROXY``): there the SDK's default client, which speaks to proxies, stays.
"""

import http.client
import select
import ssl
import threading
import urllib.request
from urllib.parse import urlsplit

import stripe

#: Seconds to wait for Stripe to connect and answer, as the SDK's own client does.
TIMEOUT = 80


class KeepAliveClient(stripe.HTTPClient):
    name = "samizdat.http.client"

    def __init__(self, timeout: float = TIMEOUT):
        super().__init__(verify_ssl_certs=True)
        self.timeout = timeout
        self._local = threading.local()
        self._tls = None

    def _tls_context(self):
        if self._tls is None:
            self._tls = ssl.create_default_context(cafile=stripe.ca_bundle_path)
        return self._tls

    def _connection(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        connections = self._local.__dict__.setdefault("connections", {})
        connection = connections.get((scheme, netloc))
        if connection is not None and _dropped(connection):
            connection.close()
            connection = None
        if connection is None:
            if scheme == "https":
                connection = http.client.HTTPSConnection(netloc, timeout=self.timeout, context=self._tls_context())
            else:
                connection = http.client.HTTPConnection(netloc, timeout=self.timeout)
            connections[(scheme, netloc)] = connection
        return connection

    def request(self, method, url, headers, post_data=None):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise stripe.APIConnectionError(f"Cannot reach {parts.scheme or 'an address without a scheme'}: {url}")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        body = post_data.encode() if isinstance(post_data, str) else post_data
        connection = self._connection(parts.scheme, parts.netloc)
        try:
            connection.request(method.upper(), target, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            content = response.read()
        except (http.client.HTTPException, OSError) as error:
            connection.close()  # whatever it held is unknown now: the next request opens a new one
            raise stripe.APIConnectionError(
                f"Could not reach Stripe at {parts.netloc} (network error: {error!r})", should_retry=True
            ) from error
        if response.will_close:
            connection.close()
        return content, response.status, {name.lower(): value for name, value in response.getheaders()}

    def request_stream(self, method, url, headers, post_data=None):
        raise NotImplementedError("Samizdat reads no streamed answers from Stripe.")

    def close(self):
        for connection in self._local.__dict__.get("connections", {}).values():
            connection.close()


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle kept-alive connection was closed by the other side (its socket reads as ready: an end of file,
    since nothing is owed to an idle connection)."""
    if connection.sock is None:
        return False  # not connected yet (or closed by us): ``request`` connects
    poller = select.poll()
    poller.register(connection.sock, select.POLLIN)
    return bool(poller.poll(0))


def use_proxy() -> bool:
    """Whether the SDK must go through a proxy, which this client does not speak."""
    proxies = urllib.request.getproxies()
    return bool(stripe.proxy or proxies.get("https") or proxies.get("http"))


def install():
    """Make this client the SDK's default, unless another one was chosen already or a proxy is configured."""
    if stripe.default_http_client is None and not use_proxy():
        stripe.default_http_client = KeepAliveClient()
