"""Reading exported files back: which of our own URLs they reference, and whether they name a host they must not.

Both checks of an export rest on this module. The *closure* check needs every internal ``href``, ``src``, ``srcset``,
``url()`` and ``@import`` (plus a redirect stub's ``meta refresh``); the *host* audit needs to know where an absolute
URL sits, because one may only appear where nothing is fetched: ``<link rel=canonical|alternate>``, OpenGraph
``<meta>``, JSON-LD, and links a reader follows on purpose (``<a href>``). Anywhere else the canonical host,
``http://`` or a development host means a page that sends readers back to the blocked site, or nowhere.
"""

import bisect
import html
import posixpath
import re
from urllib.parse import unquote, urljoin, urlsplit

from core.onion import onion_address

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
        self._tokens = sorted({token.lower() for token in tokens}, key=len, reverse=True)
        alternatives = "|".join(re.escape(token) for token in self._tokens)
        self._forbidden = re.compile(alternatives, re.IGNORECASE)
        self._development = re.compile(
            r"^[a-z][a-z0-9+.-]*://(?:[^/@]*@)?(?:"
            + "|".join(re.escape(h) for h in DEVELOPMENT_HOSTS)
            + r")(?:[:/]|$)",
            re.IGNORECASE,
        )

    def forbidden_matches(self, text):
        """[(start, end)] of every forbidden token in ``text``, case ignored, in order.

        A case-insensitive alternation costs about 2 ms on a 20 KB page, scanning it position by position; finding each
        token in the lower-cased text costs a few microseconds. The regular expression remains for the rare text whose
        lower-cased form has another length (so that positions would not carry over)."""
        lowered = text.lower()
        if len(lowered) != len(text):
            return [match.span() for match in self._forbidden.finditer(text)]
        found = []
        for token in self._tokens:
            start = lowered.find(token)
            while start != -1:
                found.append((start, start + len(token)))
                start = lowered.find(token, start + len(token))
        found.sort()
        # as the alternation would: no two matches overlap, the earliest (then the longest) wins
        kept, reached = [], -1
        for start, end in found:
            if start >= reached:
                kept.append((start, end))
                reached = end
        return kept

    def forbidden_in(self, text):
        """The forbidden tokens found in ``text`` (sorted, without repeats)."""
        return sorted({text[start:end].lower() for start, end in self.forbidden_matches(text)})

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
    if url.startswith("/"):
        path = url.split("#", 1)[0].split("?", 1)[0]  # the common case, without parsing
    else:
        if urlsplit(url).scheme:
            return None
        path = urlsplit(urljoin(base_path, url)).path
    if "%" in path:
        path = unquote(path)
    if "/." in path or "//" in path:
        normalised = posixpath.normpath(path)
        if path.endswith("/") and not normalised.endswith("/"):
            normalised += "/"
        path = normalised
    return path if path.startswith("/") else None


def srcset_urls(value):
    urls = []
    for candidate in value.split(","):
        candidate = candidate.strip()
        if candidate:
            urls.append(candidate.split()[0])
    return urls


# A tokenizer for what we write ourselves, which finds only what the checks look at: comments (skipped whole), start
# tags that can reference or allow something (those with an attribute below, and ``script`` and ``style``, whose
# contents are raw text, skipped to their end tag), and ``</a>``. Most tags of a page (paragraphs, list items, spans…)
# are passed over inside the regular expression engine, never seen by Python; regular expressions instead of
# html.parser because the scan runs on every exported page.
_TAG_BODY = r"""(?:[^>"']|"[^"]*"|'[^']*')"""
_INTERESTING_ATTRIBUTE = r"(?<![\w-])(?i:href|src|poster|data|srcset|imagesrcset|content)\s*="
_TOKEN = re.compile(
    r"<!--.*?-->"
    rf"|<((?i:script|style)(?=[\s/>])|[a-zA-Z][^\s/>]*+(?={_TAG_BODY}*?{_INTERESTING_ATTRIBUTE}))({_TAG_BODY}*)>"
    r"|</((?i:a))\s*>",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_RAW_TEXT_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in ("script", "style")}
_ALLOWED_META = ("og:", "twitter:", "article:")


def _attributes(text, offset):
    """[(name, value, start, end)] of a start tag's attributes; start and end locate the value in the document."""
    found = []
    for match in _ATTRIBUTE.finditer(text):
        for group in (2, 3, 4):
            if match.group(group) is not None:
                value = match.group(group)
                found.append((match.group(1).lower(), value, offset + match.start(group), offset + match.end(group)))
                break
        else:
            found.append((match.group(1).lower(), "", offset + match.end(1), offset + match.end(1)))
    return found


def scan_html(text, base_path, rules):
    """(internal paths referenced, host problems) of one HTML document served at ``base_path``.

    The host audit looks for forbidden words in the whole document, then forgives those inside the places where an
    absolute URL is allowed: canonical and alternate links, OpenGraph, JSON-LD, and links a reader follows (their text
    may name the site they go to).
    """
    references, problems, allowed = set(), [], []

    def reference(url):
        if "&" in url:
            url = html.unescape(url)
        path = internal_path(url, base_path)
        if path is not None:
            references.add(path)

    position, open_link = 0, None
    while True:
        match = _TOKEN.search(text, position)
        if match is None:
            break
        position = match.end()
        name = match.group(1)
        if name is None:
            if match.group(3) and open_link is not None:  # </a>
                allowed.append((open_link, match.start()))
                open_link = None
            continue
        tag = name.lower()
        attributes = _attributes(match.group(2), match.start(2))
        values = {attribute: value for attribute, value, _start, _end in attributes}
        rel = set(values.get("rel", "").lower().split())
        meta_name = (values.get("property") or values.get("name") or "").lower()
        for attribute, value, start, end in attributes:
            if attribute in URL_ATTRIBUTES:
                reference(value)
            elif attribute in SRCSET_ATTRIBUTES:
                for url in srcset_urls(html.unescape(value)):
                    reference(url)
            canonical_link = tag == "link" and attribute == "href" and rel & {"canonical", "alternate"}
            if canonical_link or (tag == "meta" and attribute == "content" and meta_name.startswith(_ALLOWED_META)):
                allowed.append((start, end))
            elif tag == "meta" and attribute == "content" and values.get("http-equiv", "").lower() == "onion-location":
                # where the same page is on the onion (plain http:, as onions are served): a browser only offers it
                if urlsplit(html.unescape(value)).hostname != onion_address():
                    problems.append(f"an onion-location that is not ours: {value!r}")
                allowed.append((start, end))
            elif tag == "meta" and attribute == "content" and values.get("http-equiv", "").lower() == "refresh":
                target = _REFRESH_URL.search(html.unescape(value))
                if target:
                    target = target.group(1).strip("'\"")
                    reference(target)
                    if urlsplit(target).scheme:  # a redirect stub sending readers to another site, like a link
                        if not rules.is_outbound_link_allowed(target):
                            problems.append(f"a development host in <meta refresh {target!r}>")
                        allowed.append((start, end))
            elif tag == "a" and attribute == "href" and ":" in value and urlsplit(html.unescape(value).strip()).scheme:
                if not rules.is_outbound_link_allowed(html.unescape(value)):
                    problems.append(f"a development host in <a href={value!r}>")
                allowed.append((start, end))
                open_link = match.end()  # its text may name the site it goes to
        if tag in _RAW_TEXT_END:
            end_tag = _RAW_TEXT_END[tag].search(text, position)
            content_end = end_tag.start() if end_tag else len(text)
            if tag == "script" and values.get("type", "").lower() == "application/ld+json":
                allowed.append((position, content_end))
            position = content_end

    problems.extend(_forbidden_outside(text, allowed, rules))
    return references, problems


def _forbidden_outside(text, allowed, rules):
    allowed.sort()
    starts = [start for start, _end in allowed]
    problems = []
    for start, end in rules.forbidden_matches(text):
        index = bisect.bisect_right(starts, start) - 1
        if index >= 0 and allowed[index][0] <= start and end <= allowed[index][1]:
            continue
        line = text.count("\n", 0, start) + 1
        context = text[max(0, start - 40) : end + 40].replace("\n", " ")
        problems.append(f"{text[start:end]} on line {line}: …{context}…")
    return problems


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
