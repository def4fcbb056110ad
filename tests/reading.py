"""Helpers shared by the reading-page tests: the inventory of reading paths and an HTML audit."""

from urllib.parse import urlsplit

from bs4 import BeautifulSoup

# Absolute URLs are allowed only where nothing is fetched.
NON_FETCHING_LINK_RELS = {"canonical", "alternate", "license"}


def reading_paths():
    from publishing.models import ArticlePage, SectionPage, Topic

    paths = ["/", "/topics/", "/feed.xml", "/atom.xml", "/sitemap.xml", "/robots.txt"]
    for section in SectionPage.objects.live():
        paths += [section.url, f"{section.url}archive/1/", f"{section.url}feed.xml", f"{section.url}atom.xml"]
    for topic in Topic.objects.filter(articles__live=True).distinct():
        base = topic.get_absolute_url()
        paths += [base, f"{base}archive/1/", f"{base}feed.xml", f"{base}atom.xml"]
    paths += [article.url for article in ArticlePage.objects.live()]
    return paths


def html_paths(paths):
    return [path for path in paths if path.endswith("/")]


def fetched_urls(html):
    """Every URL the browser would fetch by itself while loading this HTML (not links a reader may follow)."""
    soup = BeautifulSoup(html, "html.parser")
    urls = []
    for tag in soup.find_all(True):
        for attribute in ("src", "poster", "data"):
            if tag.get(attribute):
                urls.append(tag[attribute])
        if tag.get("srcset"):
            urls += [candidate.strip().split(" ")[0] for candidate in tag["srcset"].split(",") if candidate.strip()]
        if tag.name == "link" and tag.get("href"):
            rels = set(tag.get("rel") or [])
            if not rels <= NON_FETCHING_LINK_RELS:
                urls.append(tag["href"])
        if tag.name == "form" and tag.get("action"):
            urls.append(tag["action"])
    return urls


def is_foreign(url):
    """A URL that leaves the host the page came from (anything but a root-relative or document-relative URL)."""
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc or url.startswith("//"))


def absolute_self_links(html, canonical):
    """Links a reader follows that point back at our own canonical host instead of staying on the mirror."""
    soup = BeautifulSoup(html, "html.parser")
    return [a["href"] for a in soup.find_all("a", href=True) if a["href"].startswith(canonical)]
