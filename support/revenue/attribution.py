"""Where a period's money came from, from what the ledger already holds (first-party only: no tracker, no cookie).

Each contribution records the ask that brought it (its *arm*), the article it was started from and the other site the
reader came from (a host only, ``Contribution.referrer_host``). For a period:

* **conversions**: contributions whose first payment arrived in the period (``started_at``), counted where they came
  from; **income**: the payments that succeeded in the period and still stand, put down to the contribution's origin
  (a renewal is credited to the ask that brought the plan, months ago);
* by **ask** (arm; its surface from the campaign's variants), by **article**, by **section** (the article's) and by
  **referrer class**: ``direct`` (no other site), ``search``, ``social``, ``newsletter`` (a webmail or mail link),
  ``mirror`` (one of our mirrors or an onion) and ``other``.

The asks' own table, with impressions and the 95 % intervals of their conversion rates, is ``support.stats``'s.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import Money
from publishing.interface import article_labels
from support.models import AskVariant, Contribution
from support.revenue.amounts import Rates, Total
from support.revenue.period import payments_between

SEARCH = (
    "google.",
    "bing.com",
    "duckduckgo.com",
    "yandex.",
    "ya.ru",
    "search.yahoo.",
    "ecosia.org",
    "startpage.com",
    "qwant.com",
    "search.brave.com",
    "baidu.com",
    "mojeek.com",
)
SOCIAL = (
    "facebook.com",
    "fb.com",
    "t.co",
    "twitter.com",
    "x.com",
    "vk.com",
    "ok.ru",
    "t.me",
    "telegram.org",
    "instagram.com",
    "linkedin.com",
    "lnkd.in",
    "reddit.com",
    "mastodon.",
    "bsky.app",
    "youtube.com",
    "whatsapp.com",
    "threads.net",
    "tiktok.com",
)
NEWSLETTER = (
    "mail.google.com",
    "outlook.live.com",
    "outlook.office.com",
    "mail.yahoo.com",
    "e.mail.ru",
    "mail.ru",
    "mail.yandex.ru",
    "mail.proton.me",
    "app.tuta.com",
    "substack.com",
    "buttondown.email",
)
CLASSES = {
    "direct": _("direct"),
    "search": _("search"),
    "social": _("social"),
    "newsletter": _("newsletter"),
    "mirror": _("mirror"),
    "other": _("other"),
}


def _matches(host: str, patterns) -> bool:
    for pattern in patterns:
        if pattern.endswith("."):  # a name in any top-level domain: google.com, google.ru …
            if host.startswith(pattern) or f".{pattern}" in f".{host}":
                return True
        elif host == pattern or host.endswith(f".{pattern}"):
            return True
    return False


def mirror_hosts() -> set:
    """Our mirrors' hosts: the live copies the site links to and ``REVENUE_MIRROR_HOSTS``, less the canonical one."""
    hosts = {urlsplit(url).hostname for url in settings.MIRROR_LIVE_URLS} | set(settings.REVENUE_MIRROR_HOSTS)
    hosts.discard(urlsplit(settings.CANONICAL_URL).hostname)
    return {host.lower() for host in hosts if host}


def referrer_class(host: str, mirrors=None) -> str:
    host = (host or "").lower().strip(".")
    if not host:
        return "direct"
    if host.endswith(".onion") or host in (mirrors if mirrors is not None else mirror_hosts()):
        return "mirror"
    if _matches(host, NEWSLETTER):  # before search: mail.google.com is mail, not search
        return "newsletter"
    if _matches(host, SEARCH):
        return "search"
    if _matches(host, SOCIAL):
        return "social"
    return "other"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    conversions: int
    payments: int
    income: Money
    surface: str = ""


@dataclass(frozen=True)
class Attribution:
    by_arm: list
    by_article: list
    by_section: list
    by_referrer: list
    missing: tuple


def attribution(span, *, currency: str, now=None, paid=None) -> Attribution:
    """Two grouped queries (conversions, and the period's payments unless ``paid`` holds them already) for every
    table, then the names of the articles they mention."""
    now = now or timezone.now()
    rates = Rates.into(currency)
    start, end = span.start, min(span.end, now)
    origin = ("arm", "article_id", "referrer_host")
    converted = (
        Contribution.objects.filter(started_at__gte=start, started_at__lt=end).values(*origin).annotate(n=Count("pk"))
    )
    paid = paid if paid is not None else payments_between(start, end)
    mirrors = mirror_hosts()
    tables = {name: {} for name in ("arm", "article", "section", "referrer")}
    rows = [((row["arm"], row["article_id"], row["referrer_host"]), row["n"], 0, None, None) for row in converted]
    rows += [
        (
            (row["contribution__arm"], row["contribution__article_id"], row["contribution__referrer_host"]),
            0,
            row["n"],
            row["currency"],
            row["total"],
        )
        for row in paid
    ]
    labels = article_labels({key[1] for key, *_rest in rows})
    missing, classes = set(), {}
    for (arm, article_id, host), conversions, payments, code, amount in rows:
        label = labels.get(article_id)
        if host not in classes:  # a few hosts over many rows
            classes[host] = referrer_class(host, mirrors)
        keys = {
            "arm": arm or "",
            "article": str(article_id) if article_id else "",
            "section": label[1] if label else "",
            "referrer": classes[host],
        }
        for name, key in keys.items():
            entry = tables[name].setdefault(key, [0, 0, Total(rates)])
            entry[0] += conversions
            entry[1] += payments
            if code is not None:
                entry[2].add(code, amount)
    surfaces = dict(AskVariant.objects.filter(key__in=list(tables["arm"])).values_list("key", "surface"))
    section_titles = {slug: title for _title, slug, title in labels.values()}

    def table(name, label_of, surface_of=lambda key: ""):
        out = []
        for key, (conversions, payments, total) in tables[name].items():
            missing.update(total.missing)
            out.append(Row(key, label_of(key), conversions, payments, total.money, surface_of(key)))
        out.sort(key=lambda row: (-row.income.amount, -row.conversions, row.key))
        return out

    none = str(_("none"))
    return Attribution(
        by_arm=table("arm", lambda key: key or none, lambda key: surfaces.get(key, "")),
        by_article=table("article", lambda key: labels[int(key)][0] if key and int(key) in labels else (key or none)),
        by_section=table("section", lambda key: section_titles.get(key, key) or none),
        by_referrer=table("referrer", lambda key: str(CLASSES[key])),
        missing=tuple(sorted(missing)),
    )
