"""The static reader-safety audit: every reference in HTML, CSS and JS that makes a browser fetch something by itself
must stay on the host the page came from.

A browser's network log misses some leaks (``<link rel=dns-prefetch>``, ``<link rel=preconnect>``, ``<a ping>``, a
form's action before it is sent), so the exporter and the tests read the files themselves. Only references a reader
follows by choice, or that nothing fetches, may name another host: ``<a href>`` (a licence deed), ``<link
rel=canonical|alternate>``, OpenGraph ``<meta>`` and JSON-LD.

Everything here is pure text processing (stdlib ``html.parser`` and regular expressions): give it bytes or text, get
back a list of :class:`Finding`; an empty list means the file is safe.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

# <link rel=…> values that make the browser fetch, resolve or connect to the link's target.
FETCHING_LINK_RELS = frozenset(
    {
        "stylesheet",
        "icon",
        "shortcut",
        "apple-touch-icon",
        "apple-touch-icon-precomposed",
        "mask-icon",
        "preload",
        "prefetch",
        "preconnect",
        "dns-prefetch",
        "modulepreload",
        "manifest",
        "prerender",
        "pingback",
    }
)
# Attributes that hold one URL the browser fetches, on whichever element carries them.
FETCHING_ATTRIBUTES = ("src", "poster", "background", "formaction")
# ... and those that do so only on some elements.
FETCHING_ATTRIBUTES_OF = {"object": ("data", "codebase"), "form": ("action",), "base": ("href",), "html": ("manifest",)}
# SVG elements whose href (or the older xlink:href) is fetched.
SVG_FETCHING = frozenset({"use", "image", "feimage", "script"})
# Schemes that name no host, so fetch nothing from anyone.
HOSTLESS_SCHEMES = frozenset({"", "data", "blob", "about", "javascript", "mailto", "tel"})
SCRIPT_DATA_TYPES = frozenset({"application/ld+json", "application/json", "importmap", "text/template"})

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_IMAGE_SET = re.compile(r"""image-set\(([^;{}]*)\)""", re.I)
_CSS_STRING = re.compile(r""""([^"]*)"|'([^']*)'""")
_JS_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_JS_LINE_COMMENT = re.compile(r"^\s*//.*$", re.M)
_JS_ABSOLUTE = re.compile(r"""\b(?:https?|wss?|ftp)://[^\s"'`)<>\\]+""", re.I)
_JS_PROTOCOL_RELATIVE = re.compile(r"""["'`]\s*(//[^\s"'`/]+[^\s"'`]*)""")
_REFRESH_URL = re.compile(r"""^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?["']?([^"']*)["']?\s*$""", re.I)
# Browsers drop these anywhere in a URL, and leading or trailing spaces and control characters, before parsing it.
_URL_DROPPED = re.compile(r"[\t\n\r]")
_URL_TRIMMED = "".join(chr(code) for code in range(0x21))
# Elements of RSS and Atom that carry HTML a feed reader renders (and fetches images for).
FEED_HTML_ELEMENTS = frozenset({"encoded", "description", "content", "summary"})


@dataclass(frozen=True)
class Finding:
    """One fetch-capable reference to another host: where it is, what kind of reference, and the URL."""

    where: str
    kind: str
    url: str

    def __str__(self):
        return f"{self.where}: {self.kind} → {self.url}"


def normalise_url(url):
    """The URL as a browser reads it: tabs and newlines removed, surrounding spaces gone, backslashes as slashes."""
    return _URL_DROPPED.sub("", url).strip(_URL_TRIMMED).replace("\\", "/")


def is_foreign(url, own_hosts=frozenset()):
    """True when fetching ``url`` may reach a host other than the page's own.

    Relative and root-relative URLs stay home; so do schemes without a host (``data:``). A protocol-relative
    ``//x.example`` or any absolute URL is foreign unless its host is one of ``own_hosts`` (empty by default: a page
    never names the host it is served from, so every absolute fetch is a leak or a mistake). An unknown scheme counts
    as foreign.
    """
    url = normalise_url(url)
    if not url:
        return False
    if url.startswith("//"):
        host = urlsplit("http:" + url).hostname
        return host not in own_hosts
    try:
        parts = urlsplit(url)
    except ValueError:
        return True  # a URL even Python cannot parse: don't let it through
    scheme = parts.scheme.lower()
    if scheme in HOSTLESS_SCHEMES and not parts.netloc:
        return False
    return parts.hostname not in own_hosts or scheme not in {"http", "https"}


def srcset_urls(value):
    """The URLs of a ``srcset``/``imagesrcset`` value (candidates are "url [descriptor]" separated by commas; a URL may
    itself contain commas, so it ends at whitespace, as browsers parse it)."""
    urls = []
    position, length = 0, len(value)
    while position < length:
        while position < length and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < length and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        elif url:
            while position < length and value[position] != ",":  # the descriptor
                position += 1
        if url:
            urls.append(url)
    return urls


def audit_css(text, where="css", own_hosts=frozenset()):
    """``url()``, ``@import`` and ``image-set()`` strings that leave the host."""
    text = _CSS_COMMENT.sub("", text)
    found = []
    for match in _CSS_URL.finditer(text):
        url = next(group for group in match.groups() if group is not None)
        if is_foreign(url, own_hosts):
            found.append(Finding(where, "css url()", url))
    for match in _CSS_IMPORT.finditer(text):
        url = next(group for group in match.groups() if group is not None)
        if is_foreign(url, own_hosts):
            found.append(Finding(where, "css @import", url))
    for match in _CSS_IMAGE_SET.finditer(text):
        for string in _CSS_STRING.finditer(match.group(1)):
            url = next(group for group in string.groups() if group is not None)
            if is_foreign(url, own_hosts):
                found.append(Finding(where, "css image-set()", url))
    return found


def audit_js(text, where="js", own_hosts=frozenset()):
    """Absolute ``http(s)://`` (or ``ws``, ``ftp``) literals and quoted protocol-relative ``//host`` ones.

    Our scripts fetch only root-relative paths; any absolute address in them is a way out. Comments are skipped (a
    licence header may name its project's home page)."""
    text = _JS_LINE_COMMENT.sub("", _JS_BLOCK_COMMENT.sub("", text))
    found = []
    for match in _JS_ABSOLUTE.finditer(text):
        if is_foreign(match.group(0), own_hosts):
            found.append(Finding(where, "js literal", match.group(0)))
    for match in _JS_PROTOCOL_RELATIVE.finditer(text):
        if is_foreign(match.group(1), own_hosts):
            found.append(Finding(where, "js literal", match.group(1)))
    return found


def refresh_url(content):
    """The target of ``<meta http-equiv=refresh content="5; url=…">`` (empty when it only reloads the page)."""
    match = _REFRESH_URL.match(content or "")
    return match.group(1).strip() if match else (content or "")


class _HTMLAudit(HTMLParser):
    def __init__(self, where, own_hosts, *, absolute_only=False):
        super().__init__(convert_charrefs=True)
        self.where = where
        self.own_hosts = own_hosts
        # In a feed's HTML every address must be absolute (a feed reader resolves a relative one against the feed,
        # the item's link or nothing): a relative one is a finding too, and so is a relative link a reader follows.
        self.absolute_only = absolute_only
        self.findings = []
        self._raw_text = None  # ("style" | "script", [chunks]) while inside one

    def _check(self, kind, url):
        if url is None:
            return
        if is_foreign(url, self.own_hosts):
            self.findings.append(Finding(self.where, kind, url))
        elif self.absolute_only and is_relative(url):
            self.findings.append(Finding(self.where, f"{kind}, relative in a feed", url))

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs)
        if tag in ("style", "script"):
            self._raw_text = None

    def _start(self, tag, attrs):
        values = {}
        for name, value in attrs:
            values.setdefault(name, value)
            if value is None:
                continue
            if name in FETCHING_ATTRIBUTES:
                self._check(f"{tag}[{name}]", value)
            elif name in ("srcset", "imagesrcset"):
                for url in srcset_urls(value):
                    self._check(f"{tag}[{name}]", url)
            elif name == "ping":
                for url in value.split():
                    self._check(f"{tag}[ping]", url)
            elif name == "style":
                self.findings += audit_css(value, f"{self.where} <{tag} style>", self.own_hosts)
            elif name == "srcdoc":
                self.findings += audit_html(value, f"{self.where} <{tag} srcdoc>", self.own_hosts)
            elif name in FETCHING_ATTRIBUTES_OF.get(tag, ()):
                self._check(f"{tag}[{name}]", value)
            elif name in ("href", "xlink:href") and tag in SVG_FETCHING:
                self._check(f"svg {tag}[{name}]", value)
        if self.absolute_only and tag == "a" and values.get("href") and is_relative(values["href"]):
            self.findings.append(
                Finding(self.where, "a[href], relative in a feed", values["href"])
            )  # followed, not fetched
        if tag == "link" and values.get("href"):
            rels = set((values.get("rel") or "").lower().split())
            fetching = sorted(rels & FETCHING_LINK_RELS)
            if fetching:
                self._check(f"link rel={' '.join(fetching)}", values["href"])
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self._check("meta refresh", refresh_url(values.get("content")))
        if tag == "style":
            self._raw_text = ("style", [])
        elif tag == "script" and not values.get("src"):
            kind = (values.get("type") or "").lower().split(";")[0].strip()
            self._raw_text = None if kind in SCRIPT_DATA_TYPES else ("script", [])

    def handle_data(self, data):
        if self._raw_text is not None:
            self._raw_text[1].append(data)

    def handle_endtag(self, tag):
        if self._raw_text is not None and tag == self._raw_text[0]:
            text = "".join(self._raw_text[1])
            if tag == "style":
                self.findings += audit_css(text, f"{self.where} <style>", self.own_hosts)
            else:
                self.findings += audit_js(text, f"{self.where} <script>", self.own_hosts)
            self._raw_text = None


def is_relative(url):
    """A URL without a scheme or host (``/media/x.jpg``, ``x.jpg``), which only a page's own address completes; a
    fragment alone (``#top``) and an empty one are not addresses of anything else."""
    url = normalise_url(url)
    if not url or url.startswith("#") or url.startswith("//"):
        return False
    try:
        return not urlsplit(url).scheme
    except ValueError:
        return False


def audit_html(text, where="html", own_hosts=frozenset(), *, absolute_only=False):
    """Every fetch-capable reference to another host in an HTML document (or fragment), including its inline CSS and
    scripts. JSON-LD and links a reader follows are left alone (but with ``absolute_only``, for a feed's HTML, every
    relative address is a finding too, links included)."""
    parser = _HTMLAudit(where, frozenset(own_hosts), absolute_only=absolute_only)
    parser.feed(text)
    parser.close()
    if parser._raw_text is not None:  # a <style> or <script> left open at the end still counts
        parser.handle_endtag(parser._raw_text[0])
    return parser.findings


def audit_feed(text, where="feed", own_hosts=frozenset()):
    """The HTML inside an RSS or Atom feed (``content:encoded``, ``description``, Atom ``content`` and ``summary``).

    Feed readers need absolute addresses, so a feed names the host it is published for: pass it in ``own_hosts``;
    every relative address (``src``, each ``srcset`` candidate, ``poster``, links) is a finding."""
    import xml.etree.ElementTree as ElementTree

    try:
        # Our own rendering, never a stranger's document, so the stdlib parser's entity expansion is no risk here.
        root = ElementTree.fromstring(text.encode() if isinstance(text, str) else text)  # noqa: S314
    except ElementTree.ParseError as error:
        return [Finding(where, "unreadable feed", str(error))]
    findings = []
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in FEED_HTML_ELEMENTS and element.text:
            findings += audit_html(element.text, f"{where} <{name}>", own_hosts, absolute_only=True)
    return findings


AUDITS = {
    ".html": audit_html,
    ".htm": audit_html,
    ".svg": audit_html,
    ".css": audit_css,
    ".js": audit_js,
    ".mjs": audit_js,
}


def audit_text(text, *, kind, where, own_hosts=frozenset()):
    """Audit ``text`` as ``kind`` ("html", "css", "js" or "feed")."""
    audit = audit_feed if kind == "feed" else AUDITS[f".{kind}"]
    return audit(text, where, own_hosts)


def audit_tree(root, *, own_hosts=frozenset(), feed_hosts=frozenset()):
    """Audit every HTML, CSS, JS and SVG file under ``root`` (an export), and the HTML inside its feeds (which may name
    ``feed_hosts``, the host the feeds are published for): the findings, each named by its path there."""
    root = Path(root).resolve()
    findings = []
    for path in sorted(root.rglob("*")):
        suffix = path.suffix.lower()
        if not path.is_file() or (suffix not in AUDITS and suffix != ".xml"):
            continue
        where = path.relative_to(root).as_posix()
        text = path.read_bytes().decode("utf-8", errors="replace")
        if suffix == ".xml":
            if re.search(r"<(?:rss|feed)[\s>]", text[:2000]):
                findings += audit_feed(text, where, frozenset(own_hosts) | frozenset(feed_hosts))
            continue
        findings += AUDITS[suffix](text, where, own_hosts)
    return findings


def markup_problems(html, where="html"):
    """Markup that fails readers at Tor Browser's Safest level, where SVG, MathML and web fonts are off.

    Every ``<img>`` has ``alt`` (empty on a decorative image, which then carries no ``role``: HTML says the empty alt
    alone makes it decorative); no ``<math>``; no
    inline ``<svg>`` unless a text label goes with it (its own ``aria-label`` or ``<title>``, or text beside it in the
    same element); no ``@font-face`` in inline CSS.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    problems = []
    for img in soup.find_all("img"):
        if not img.has_attr("alt"):
            problems.append(f"{where}: <img> without alt: {img.get('src')}")
        elif img["alt"] == "" and img.has_attr("role"):
            # HTML: an empty alt makes an image decorative by itself, and such an image may carry no role
            problems.append(f"{where}: <img> with empty alt and a role (the empty alt says it all): {img.get('src')}")
        elif img["alt"] and not img["alt"].strip():
            problems.append(f"{where}: <img> whose alt is only blank characters: {img.get('src')}")
    if soup.find("math"):
        problems.append(f"{where}: <math> (MathML is off at Safer and Safest)")
    for svg in soup.find_all("svg"):
        title = svg.find("title")
        labelled = svg.get("aria-label", "").strip() or svg.get("aria-labelledby")
        labelled = labelled or (title is not None and title.get_text(strip=True))
        beside = svg.parent.get_text(" ", strip=True) if svg.parent else ""
        if not labelled and not beside.replace(svg.get_text(" ", strip=True), "").strip():
            problems.append(f"{where}: inline <svg> with no text label beside it")
    for style in soup.find_all("style"):
        problems += font_face_problems(style.get_text(), f"{where} <style>")
    return problems


def font_face_problems(css, where="css"):
    """Web fonts, even our own, are off at Safest: site CSS keeps to the system font stack."""
    return [f"{where}: @font-face"] if re.search(r"@font-face\b", _CSS_COMMENT.sub("", css), re.I) else []
