"""The origin's nginx site: ``deploy/nginx/samizdat.conf`` with its placeholders filled.

``manage.py nginx_site`` prints it; the deploy tests run Debian nginx with exactly this output. Defaults come from the
settings (``STATIC_ROOT``, ``MEDIA_ROOT``, ``PUBLISHED_TREE_DIR``, the HSTS settings), so the site and the app agree.
"""

from dataclasses import dataclass, fields
from pathlib import Path

from django.conf import settings

from mirrors.nginx import fill

SITE_TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "samizdat.conf"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
HSTS_LINE = 'add_header Strict-Transport-Security "{{hsts}}" always;'
# What would end a directive or open a block if it reached the file: no value may carry it.
FORBIDDEN = set(";{}\"'\\#$\n\r\t")
PATHS = frozenset({"tree", "static_root", "media_root", "tls_cert", "tls_key", "acme_root"})


@dataclass
class Site:
    server_name: str
    tls_cert: str
    tls_key: str
    tree: str
    static_root: str
    media_root: str
    upstream: str = "127.0.0.1:8000"
    http_listen: str = "80"
    https_listen: str = "443"
    acme_root: str = "/var/www/acme"


def defaults() -> dict[str, str]:
    """The options' values from the settings (the tree is empty when the site keeps none)."""
    host = settings.CANONICAL_URL.split("://", 1)[-1].split("/")[0].split(":")[0]
    return {
        "server_name": host,
        "tls_cert": f"/etc/letsencrypt/live/{host}/fullchain.pem",
        "tls_key": f"/etc/letsencrypt/live/{host}/privkey.pem",
        "tree": str(getattr(settings, "PUBLISHED_TREE_DIR", "") or ""),
        "static_root": str(settings.STATIC_ROOT),
        "media_root": str(settings.MEDIA_ROOT),
    }


def hsts_value() -> str:
    """The Strict-Transport-Security value the app would send (empty when ``SECURE_HSTS_SECONDS`` is 0)."""
    seconds = int(getattr(settings, "SECURE_HSTS_SECONDS", 0) or 0)
    if seconds <= 0:
        return ""
    value = f"max-age={seconds}"
    if getattr(settings, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False):
        value += "; includeSubDomains"
    if getattr(settings, "SECURE_HSTS_PRELOAD", False):
        value += "; preload"
    return value


class BadValue(ValueError):
    pass


def check(site: Site) -> None:
    """Raise :class:`BadValue` naming the first value that is empty or would break the file's syntax."""
    for field in fields(site):
        value = getattr(site, field.name)
        option = "--" + field.name.replace("_", "-")
        if not value.strip():
            raise BadValue(
                f"{option} is empty" + (" (set PUBLISHED_TREE_DIR or pass it)" if field.name == "tree" else "")
            )
        bad = sorted(FORBIDDEN & set(value) | ({" "} & set(value) if field.name != "server_name" else set()))
        if bad:
            raise BadValue(f"{option} {value!r} contains {' '.join(repr(c) for c in bad)}, which nginx would misread")
        if field.name in PATHS and not value.startswith("/"):
            raise BadValue(f"{option} {value!r} must be an absolute path")


def render_site(site: Site, *, brotli: bool | None = None, hsts: str | None = None) -> str:
    """The site for ``site``; ``brotli`` defaults to whether Debian's module is installed, ``hsts`` to the settings'."""
    check(site)
    brotli = BROTLI_MODULE.exists() if brotli is None else brotli
    hsts = hsts_value() if hsts is None else hsts
    text = SITE_TEMPLATE.read_text()
    if not hsts:
        text = "".join(line for line in text.splitlines(keepends=True) if line.strip() != HSTS_LINE)
    values = {field.name: getattr(site, field.name).rstrip("/") or "/" for field in fields(site)}
    return fill(text, {**values, "hsts": hsts}, brotli=brotli)
