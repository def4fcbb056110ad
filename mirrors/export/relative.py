"""Document-relative links, for exports served from a sub-path or opened from disk (``--relative``, ``--file-urls``).

Pages link root-relative (``/news/x/``), which is right on every host that serves the site at its root. Under a
sub-path (IPFS ``/ipfs/<cid>/``, S3 path-style buckets, project pages) or from ``file://`` those links leave the copy,
so :func:`rewrite_tree` turns each one into a path relative to the file that holds it: from ``news/x/index.html``,
``/topics/`` becomes ``../../topics/``. With ``file_urls`` a link to a directory also names its ``index.html``, since
nothing serves directory indexes from disk.

Only URL attributes of HTML start tags are rewritten (found with the standard library's tokenizer, so text, scripts,
comments and every other byte stay as they were), plus ``url()`` and ``@import`` in CSS. Absolute URLs (canonical
links, licence deeds, live mirrors) and protocol-relative ones are left alone: they point elsewhere on purpose.
"""

import re
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

# Attributes whose value is one URL, on any element.
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "data", "cite", "background"})
# Attributes whose value is a list of "URL descriptor" candidates.
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})

# One attribute inside a start tag: name, then optionally = and a double-quoted, single-quoted or bare value.
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_REFRESH_URL = re.compile(r"(;\s*url\s*=\s*['\"]?)(/[^'\"\s]*)", re.I)
_CSS_URL = re.compile(r"""(url\(\s*['"]?)(/[^'")\s]*)""", re.I)
_CSS_IMPORT = re.compile(r"""(@import\s+['"])(/[^'"]*)""", re.I)
_SRCSET_CANDIDATE = re.compile(r"(^|,)(\s*)(/[^\s,]*)")


def _prefix(document: PurePosixPath) -> str:
    """What leads from ``document``'s directory back to the export's root: "" at the root, "../" one level down…"""
    return "../" * (len(document.parts) - 1)


def relative_url(url: str, document: PurePosixPath, *, root: Path | None = None, file_urls: bool = False) -> str:
    """``url`` as ``document`` (a path in the export, e.g. ``news/x/index.html``) should write it.

    Root-relative URLs become document-relative; everything else comes back unchanged. With ``file_urls``, a URL that
    names a directory (ends in "/", or is a directory in ``root``) gets ``index.html``.
    """
    if not url.startswith("/") or url.startswith("//"):
        return url
    cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
    path, rest = url[1:cut], url[cut:]
    if file_urls:
        if path == "" or path.endswith("/"):
            path += "index.html"
        elif root is not None and (root / path).is_dir():
            path += "/index.html"
    relative = _prefix(document) + path
    return (relative or "./") + rest


def _rewrite_srcset(value, rewrite):
    return _SRCSET_CANDIDATE.sub(lambda m: m.group(1) + m.group(2) + rewrite(m.group(3)), value)


class _StartTags(HTMLParser):
    """Collects, for each start tag, its offset in the text and the raw text the tokenizer read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (line, column, tag, attrs, raw)

    def _record(self, tag, attrs):
        line, column = self.getpos()
        self.tags.append((line, column, tag, dict(attrs), self.get_starttag_text()))

    handle_starttag = _record
    handle_startendtag = _record


def _line_starts(text):
    starts = [0]
    starts.extend(match.end() for match in re.finditer("\n", text))
    return starts


def _rewrite_tag(raw, tag, attrs, rewrite):
    """``raw`` (one start tag's text) with the values of its URL attributes rewritten; None if nothing changed."""
    head = re.match(r"<[^\s/>]+", raw)
    if head is None:
        return None
    refresh = tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh"
    pieces, position, changed = [], 0, False
    for match in _ATTRIBUTE.finditer(raw, head.end()):
        name = match.group(1).lower()
        group = next((g for g in (2, 3, 4) if match.group(g) is not None), None)
        if group is None:
            continue
        value = match.group(group)
        if name in URL_ATTRIBUTES:
            new = rewrite(value)
        elif name in SRCSET_ATTRIBUTES:
            new = _rewrite_srcset(value, rewrite)
        elif name == "content" and refresh:
            new = _REFRESH_URL.sub(lambda m: m.group(1) + rewrite(m.group(2)), value)
        else:
            continue
        if new != value:
            pieces.append(raw[position : match.start(group)])
            pieces.append(new)
            position = match.end(group)
            changed = True
    if not changed:
        return None
    pieces.append(raw[position:])
    return "".join(pieces)


def rewrite_html(text: str, rewrite) -> tuple[str, int]:
    """``text`` with every URL attribute of every start tag passed through ``rewrite``; the number of tags changed."""
    parser = _StartTags()
    parser.feed(text)
    parser.close()
    starts = _line_starts(text)
    pieces, position, count = [], 0, 0
    for line, column, tag, attrs, raw in parser.tags:
        offset = starts[line - 1] + column
        if raw is None or text[offset : offset + len(raw)] != raw:  # not where the tokenizer says: leave it be
            continue
        new = _rewrite_tag(raw, tag, attrs, rewrite)
        if new is None:
            continue
        pieces.append(text[position:offset])
        pieces.append(new)
        position = offset + len(raw)
        count += 1
    pieces.append(text[position:])
    return "".join(pieces), count


def rewrite_css(text: str, rewrite) -> tuple[str, int]:
    count = 0

    def replace(match):
        nonlocal count
        new = rewrite(match.group(2))
        count += new != match.group(2)
        return match.group(1) + new

    text = _CSS_URL.sub(replace, text)
    return _CSS_IMPORT.sub(replace, text), count


def rewrite_tree(root: Path, *, file_urls: bool) -> dict:
    """Rewrite every ``.html`` and ``.css`` file under ``root`` in place to document-relative links.

    Returns ``{"files": files changed, "references": tags or CSS references changed}``. Run it before compression and
    the manifest, which then describe the rewritten bytes.
    """
    root = Path(root)
    files = references = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".html", ".css") or not path.is_file() or path.is_symlink():
            continue
        document = PurePosixPath(path.relative_to(root).as_posix())

        def rewrite(url, document=document):
            return relative_url(url, document, root=root, file_urls=file_urls)

        original = path.read_bytes().decode("utf-8", "surrogateescape")
        rewriter = rewrite_html if path.suffix == ".html" else rewrite_css
        text, count = rewriter(original, rewrite)
        if count:
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
            files += 1
            references += count
    return {"files": files, "references": references}
