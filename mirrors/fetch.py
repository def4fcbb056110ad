"""Fetching a file from a mirror or a copy of the list: plain HTTP(S) with a time limit and a size limit, or a local
file. Every failure is a :class:`FetchFailed` whose message says what happened, for a report or an admin page."""

import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

USER_AGENT = "samizdat-mirrors-check"
CHUNK = 1 << 16


class FetchFailed(Exception):
    pass


def fetch(location: str, *, timeout: float, limit: int) -> bytes:
    """The bytes at ``location`` (an ``http(s)://`` URL or a path on this machine), at most ``limit`` of them."""
    scheme = urlsplit(location).scheme.lower()
    if scheme not in ("http", "https"):
        if scheme and len(scheme) > 1:  # a drive letter is not a scheme
            raise FetchFailed(f"{location}: only http:// and https:// addresses, or a file on this machine")
        path = Path(location)
        try:
            if path.stat().st_size > limit:
                raise FetchFailed(f"{location}: larger than {limit:,} bytes")
            return path.read_bytes()
        except OSError as error:
            raise FetchFailed(f"{location}: {error.strerror or error}") from None
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    request = urllib.request.Request(location, headers=headers)  # noqa: S310 (http or https: checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = bytearray()
            while chunk := response.read(CHUNK):
                body += chunk
                if len(body) > limit:
                    raise FetchFailed(f"{location}: larger than {limit:,} bytes")
            return bytes(body)
    except urllib.error.HTTPError as error:
        raise FetchFailed(f"{location}: HTTP {error.code}") from None
    except urllib.error.URLError as error:
        raise FetchFailed(f"{location}: {error.reason}") from None
    except TimeoutError:
        raise FetchFailed(f"{location}: no answer within {timeout:g} s") from None
    except (OSError, ValueError) as error:
        raise FetchFailed(f"{location}: {error}") from None


def under(base: str, name: str) -> str:
    """``name`` under a mirror's address, which may carry a path (``https://host/bucket`` → ``…/bucket/name``)."""
    return base.rstrip("/") + "/" + name.lstrip("/")
