"""Reading exported files back: which of our own URLs they reference, and whether they name a host they must not.

Both checks of an export rest on this module. The *closure* check needs every internal ``href``, ``src``, ``srcset``,
``url()`` and ``@import`` (plus a redirect stub's ``meta refresh``); the *host* audit needs to know where an absolute
URL sits, because one may only appear where nothing is fetched: ``<link rel=canonical|alternate>``, OpenGraph
``<meta>``, JSON-LD, and links a reader follows on purpose (``<a href>``). Anywhere else the canonical host,
``http://`` or a development host means a page that sends readers back to the blocked site, or nowhere.
"""

import posixpath
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

# Development hosts are never right in an export, not even in a link.
DEVELOPMENT_HOSTS = ("testserver", "localhost", "127.0.0.1")

# Attributes that make the browser fetch or navigate to a URL of ours.
URL_ATTRIBUTES = {"href", "src", "poster", "data"}
SRCSET_ATTRIBUTES = {"srcset", "imagesrcset"}

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(['"])([^'"]+)\1""", re.IGNORECASE)
_REFRESH_URL = re.compile(r"url\s*=\s*(\S+)", re.IGNORECASE)


class HostRules:
    """What may and may not appear in an exported file's text, given the site's canonical address."""

    def __init__(self, canonical_url):
        parts = urlsplit(canonical_url)
        self.canonical_url = canonical_url.rstrip("/")
        self.canonical_host = parts.hostname or ""
        tokens = {"http://", *DEVELOPMENT_HOSTS}
        if self.canonical_host:
            tokens.add(self.canonical_host)
        self._forbidden = re.compile("|".join(re.escape(token) for token in sorted(tokens, key=len, reverse=True)))
        self._development = re.compile(
            r"^[a-z][a-z0-9+.-]*://(?:[^/@]*@)?(?:"
            + "|".join(re.escape(h) for h in DEVELOPMENT_HOSTS)
            + r")(?:[:/]|$)",
            re.IGNORECASE,
        )

    def forbidden_in(self, text):
        """The forbidden tokens found in ``text`` (sorted, without repeats)."""
        return sorted({match.group(0) for match in self._forbidden.finditer(text.lower())})

    def is_outbound_link_allowed(self, url):
        # A link a reader clicks may go anywhere on purpose (a licence deed, a live mirror, the canonical site), but
        # never to a development host, unless that is the configured canonical address (the local demo).
        if url.lower().startswith(self.canonical_url.lower()):
            return True
        return not self._development.match(url.strip())


def internal_path(url, base_path):
    """The root-relative path ``url`` points at on our own site (query and fragment dropped), or None.

    Absolute URLs, protocol-relative URLs, fragments and other schemes (mailto:, data:) are not ours to resolve.
    Relative URLs are resolved against ``base_path``, the URL path of the file they appear in.
    """
    url = url.strip()
    if not url or url.startswith(("#", "//")):
        return None
    scheme = urlsplit(url).scheme
    if scheme:
        return None
    resolved = urljoin(base_path, url)
    path = urlsplit(resolved).path
    if not path:
        return None
    normalised = posixpath.normpath(unquote(path))
    if path.endswith("/") and not normalised.endswith("/"):
        normalised += "/"
    return normalised if normalised.startswith("/") else None


def srcset_urls(value):
    urls = []
    for candidate in value.split(","):
        candidate = candidate.strip()
        if candidate:
            urls.append(candidate.split()[0])
    return urls


class _PageScanner(HTMLParser):
    def __init__(self, base_path, rules):
        super().__init__(convert_charrefs=True)
        self.base_path = base_path
        self.rules = rules
        self.references = set()
        self.problems = []
        self._in_json_ld = False
        self._in_script = False
        self._in_outbound_link = False

    def _reference(self, url):
        path = internal_path(url, self.base_path)
        if path is not None:
            self.references.add(path)

    def _audit(self, where, text):
        found = self.rules.forbidden_in(text)
        if found:
            self.problems.append(f"{', '.join(found)} in {where}")

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        rel = set(attributes.get("rel", "").lower().split())
        meta_name = (attributes.get("property") or attributes.get("name") or "").lower()
        for name, value in attributes.items():
            if name in URL_ATTRIBUTES:
                self._reference(value)
            elif name in SRCSET_ATTRIBUTES:
                for url in srcset_urls(value):
                    self._reference(url)
            elif tag == "meta" and name == "content" and attributes.get("http-equiv", "").lower() == "refresh":
                match = _REFRESH_URL.search(value)
                if match:
                    target = match.group(1).strip("'\"")
                    self._reference(target)
                    if urlsplit(target).scheme:  # a redirect stub sending readers to another site, like a link
                        if not self.rules.is_outbound_link_allowed(target):
                            self.problems.append(f"a development host in <meta refresh {target!r}>")
                        continue
            # where an absolute URL is allowed: it is never fetched
            if tag == "link" and name == "href" and rel & {"canonical", "alternate"}:
                continue
            if tag == "meta" and name == "content" and meta_name.startswith(("og:", "twitter:", "article:")):
                continue
            if tag == "a" and name == "href" and urlsplit(value.strip()).scheme:
                if not self.rules.is_outbound_link_allowed(value):
                    self.problems.append(f"a development host in <a href={value!r}>")
                self._in_outbound_link = True  # its text may name the site it goes to
                continue
            self._audit(f"<{tag} {name}>", value)
        if tag == "script":
            self._in_script = True
            self._in_json_ld = attributes.get("type", "").lower() == "application/ld+json"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = self._in_json_ld = False
        elif tag == "a":
            self._in_outbound_link = False

    def handle_data(self, data):
        if not self._in_json_ld and not self._in_outbound_link:
            self._audit("the script" if self._in_script else "the text", data)

    def handle_comment(self, data):
        self._audit("a comment", data)


def scan_html(text, base_path, rules):
    """(internal paths referenced, host problems) of one HTML document served at ``base_path``."""
    scanner = _PageScanner(base_path, rules)
    scanner.feed(text)
    scanner.close()
    return scanner.references, scanner.problems


def scan_css(text, base_path, rules):
    """(internal paths referenced, host problems) of one stylesheet served at ``base_path``."""
    references = set()
    for pattern in (_CSS_URL, _CSS_IMPORT):
        for match in pattern.finditer(text):
            path = internal_path(match.group(2), base_path)
            if path is not None:
                references.add(path)
    found = rules.forbidden_in(text)
    return references, ([f"{', '.join(found)} in the stylesheet"] if found else [])


def scan_script(text, rules):
    found = rules.forbidden_in(text)
    return [f"{', '.join(found)} in the script"] if found else []
