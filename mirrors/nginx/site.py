"""The origin's nginx site: ``deploy/nginx/samizdat.conf`` with its placeholders filled.

``manage.py nginx_site`` prints it; the deploy tests run Debian nginx with exactly this output. Defaults come from the
settings (``STATIC_ROOT``, ``MEDIA_ROOT``, ``PUBLISHED_TREE_DIR``, the HSTS settings, ``ONION_ADDRESS``), so the site
and the app agree. Without an onion address the onion's server block and its Onion-Location lines are left out.
"""

from dataclasses import dataclass, fields
from pathlib import Path

from django.conf import settings

from core.onion import address_problem
from mirrors.nginx import fill

SITE_TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "samizdat.conf"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")
HSTS_LINE = 'add_header Strict-Transport-Security "{{hsts}}" always;'
ONION_LINE = "add_header Onion-Location $samizdat_onion_location always;"
ONION_BEGIN, ONION_END = "# --- onion service", "# --- end of the onion service"
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
    onion: str = ""  # the onion's address; empty: no onion service
    onion_listen: str = "127.0.0.1:8081"  # where tor hands it requests (deploy/tor/torrc.example): never off the host


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
        "onion": getattr(settings, "ONION_ADDRESS", "") or "",
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
        if field.name == "onion" and not value:
            continue  # no onion service
        if not value.strip():
            raise BadValue(
                f"{option} is empty" + (" (set PUBLISHED_TREE_DIR or pass it)" if field.name == "tree" else "")
            )
        bad = sorted(FORBIDDEN & set(value) | ({" "} & set(value) if field.name != "server_name" else set()))
        if bad:
            raise BadValue(f"{option} {value!r} contains {' '.join(repr(c) for c in bad)}, which nginx would misread")
        if field.name in PATHS and not value.startswith("/"):
            raise BadValue(f"{option} {value!r} must be an absolute path")
    if site.onion and (problem := address_problem(site.onion)):
        raise BadValue(f"--onion {site.onion!r} is not a v3 onion address: {problem}")
    if site.onion and not _local_listen(site.onion_listen):
        raise BadValue(f"--onion-listen {site.onion_listen!r} must be a loopback address or a unix: socket")


def _local_listen(listen: str) -> bool:
    """Whether nginx's ``listen`` value keeps the onion's server on this machine (tor hands it requests here)."""
    if listen.startswith("unix:/"):
        return True
    host = listen.rsplit(":", 1)[0] if ":" in listen else ""
    return host in {"127.0.0.1", "[::1]"} or host.startswith("127.")


def render_site(site: Site, *, brotli: bool | None = None, hsts: str | None = None) -> str:
    """The site for ``site``; ``brotli`` defaults to whether Debian's module is installed, ``hsts`` to the settings'."""
    check(site)
    brotli = BROTLI_MODULE.exists() if brotli is None else brotli
    hsts = hsts_value() if hsts is None else hsts
    text = SITE_TEMPLATE.read_text()
    if not hsts:
        text = "".join(line for line in text.splitlines(keepends=True) if line.strip() != HSTS_LINE)
    if not site.onion:
        text = _without_onion(text)
    values = {field.name: getattr(site, field.name).rstrip("/") or "/" for field in fields(site)}
    return fill(text, {**values, "hsts": hsts}, brotli=brotli)


def _without_onion(text: str) -> str:
    """``text`` without the onion's lines: its blocks (and the blank line after each) and its Onion-Location lines."""
    kept, inside, after = [], False, False
    for line in text.splitlines(keepends=True):
        if line.strip() == ONION_BEGIN:
            inside = True
        elif line.strip() == ONION_END:
            inside, after = False, True
            continue
        elif not inside and line.strip() != ONION_LINE and not (after and not line.strip()):
            kept.append(line)
        after = False
    return "".join(kept).rstrip("\n") + "\n"
