"""nginx in front of a static export: one server block, kept in ``export.conf.template``.

docs/operations.md shows the same file and the nginx test serves an export with it, so what operators copy is what is
tested. The export's ``nginx-redirects.map`` holds the lines of the ``map`` block the template includes:
:func:`redirect_map` writes them.
"""

from pathlib import Path

TEMPLATE = Path(__file__).with_name("export.conf.template")
BROTLI_LINE = "    brotli_static on;\n"


def fill(template: str, values: dict[str, str], *, brotli: bool = True) -> str:
    """``template`` with each ``{{name}}`` replaced by its value, and without its ``brotli_static`` lines where the
    module is not installed. A placeholder left without a value is an error that names it."""
    text = template
    if not brotli:
        text = "".join(line for line in text.splitlines(keepends=True) if line.strip() != BROTLI_LINE.strip())
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", str(value))
    if (start := text.find("{{")) != -1:
        raise ValueError(f"No value for {text[start : text.find('}}', start) + 2]} in the nginx template.")
    return text


def render(*, root: str | Path, listen: str = "80", server_name: str = "_", brotli: bool = True) -> str:
    """The server block for an export at ``root`` (without ``brotli_static`` where the module is not installed)."""
    return fill(TEMPLATE.read_text(), {"root": root, "listen": listen, "server_name": server_name}, brotli=brotli)


def _quoted(value: str) -> str:
    """An nginx string: quoted, so spaces, semicolons and braces in an address cannot end the directive."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def redirect_map(redirects: dict[str, str]) -> str:
    """The lines of ``nginx-redirects.map``: each old path (with and without its final slash) → its new address.

    Paths are root-relative (``/old-slug/``); a target may also be another site's absolute URL.
    """
    lines = {}
    for old, new in redirects.items():
        bare = old.rstrip("/") or "/"
        for key in {bare, bare if bare == "/" else bare + "/"}:
            lines[key] = f"{_quoted(key)} {_quoted(new)};"
    return "".join(f"{lines[key]}\n" for key in sorted(lines))
