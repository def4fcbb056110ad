"""Which files of the published tree a change touches.

A page's files are found from the inventory (``get_export_paths()`` through :mod:`mirrors.export.inventory`, which
names each path's owner), and from the tree's index, which remembers for every file what it linked to and which images
it showed when it was written. So:

* a page (published, unpublished, moved, renamed, deleted): its own paths, old and new; every file that linked to any
  of them (fronts, archives, "Read more", the home page, feeds and sitemap shards that listed it); the listings it now
  belongs to — the front and the last archive page of each section above it and of each of its topics (all of a
  listing's pages when their number changed), the home page, the topic index; its feeds (site, language, sections,
  topics); the sitemap; and the stories whose "Read more" now lists it (ranked afresh, as readers would see it);
* an image: every file that shows one of its renditions;
* a topic: its pages and feeds and every file linking to them; an author or a licence: every file (bylines and
  credits are on every kind of page);
* the asks (a campaign, its cost breakdown or its copy): every file that shows asks or live figures (the
  transparency page among them);
* the site (sites, redirects, view restrictions): every file;
* a new signing of the mirror list: its files (``mirrors.json``, its signature and key, the ``.well-known`` copies),
  the mirrors page in every language and its feed.

``None`` means "everything": render every file again (only those whose bytes changed are written).
"""

import re

from core.changes import ASKS, IMAGE, PAGE, SITE, SNIPPET

MIRROR_LIST_LABEL = "mirrors.mirrorlist"  # announced by mirrors.actions.sign_mirror_list


def paths_to_render(changes, stored, current):
    """The paths to render again for ``changes``, given ``stored`` (path → index row) and ``current`` (path → owner);
    ``None`` for all of them."""
    owners_now = _by_owner(current.items())
    owners_then = _by_owner((path, row.owner) for path, row in stored.items())
    wanted = set()
    for change in changes:
        if change.kind == SITE:
            return None
        if change.kind == ASKS:
            wanted |= {path for path, row in stored.items() if row.live}
        elif change.kind == IMAGE:
            image = int(change.key) if change.key.isdigit() else None
            wanted |= {path for path, row in stored.items() if image in row.images}
        elif change.kind == SNIPPET:
            label, _, key = change.key.partition(":")
            if label == MIRROR_LIST_LABEL:  # a new signing: the list's files, its page and feed, nothing else
                wanted |= owners_now.get("mirrors", set()) | owners_then.get("mirrors", set())
                continue
            if label != "publishing.topic":
                return None  # an author or a licence: bylines and credits are everywhere
            owner = f"topic:{key}"
            own = owners_now.get(owner, set()) | owners_then.get(owner, set())
            wanted |= own | owners_now.get(f"feed:{owner}", set()) | owners_now.get("topics", set())
            wanted |= _linking_to(own, stored)
        elif change.kind == PAGE:
            wanted |= _for_page(change.key, stored, owners_now, owners_then)
    return wanted


def _by_owner(pairs):
    owners = {}
    for path, owner in pairs:
        owners.setdefault(owner, set()).add(path)
    return owners


def _linking_to(paths, stored):
    return {path for path, row in stored.items() if row.refs & paths}


_ARCHIVE_NUMBER = re.compile(r"/archive/(\d+)/$")


def listing_paths(owner, owners_now, owners_then):
    """What a new or removed story changes in a listing: its front and last archive page; every page of it when the
    number of pages changed (each page links to the others)."""
    now, then = owners_now.get(owner, set()), owners_then.get(owner, set())
    if now != then:
        return now | then
    numbered = {}
    chosen = set()
    for path in now:
        match = _ARCHIVE_NUMBER.search(path)
        if match:
            numbered[int(match.group(1))] = path
        else:
            chosen.add(path)  # the front
    if numbered:
        chosen.add(numbered[max(numbered)])
    return chosen


def _for_page(key, stored, owners_now, owners_then):
    from wagtail.models import Page

    from publishing.models import ArticlePage
    from publishing.visibility import public

    owner = f"page:{key}"
    own = owners_now.get(owner, set()) | owners_then.get(owner, set())
    wanted = set(own) | _linking_to(own, stored)
    wanted |= owners_now.get("sitemap", set()) | owners_now.get("topics", set())
    # whatever listed it before (old sections, old topics, feeds) links to it: found above; what lists it now:
    page = public(Page.objects.filter(pk=key).live()).specific(defer=True).first() if key.isdigit() else None
    if page is None:
        return wanted
    listings = [f"page:{ancestor.pk}" for ancestor in page.get_ancestors()]
    wanted.update(*(listing_paths(listing, owners_now, owners_then) for listing in listings))
    wanted.update(*(owners_now.get(f"feed:{listing}", set()) for listing in listings))
    if isinstance(page, ArticlePage):
        topics = [f"topic:{pk}" for pk in page.topics.values_list("pk", flat=True)]
        wanted.update(*(listing_paths(topic, owners_now, owners_then) for topic in topics))
        wanted.update(*(owners_now.get(f"feed:{topic}", set()) for topic in topics))
        wanted |= owners_now.get("feed:site", set()) | owners_now.get(f"feed:language:{page.language}", set())
        for listing in stories_reading_more_of(page.pk):
            wanted |= owners_now.get(f"page:{listing}", set())
    return wanted


def stories_reading_more_of(article_pk):
    """The ids of the live stories whose "Read more" lists article ``article_pk``, ranked as their pages rank it."""
    from core import snapshot
    from publishing.models import ArticlePage
    from publishing.related import read_more
    from publishing.visibility import public

    found = []
    with snapshot.batch():
        stories = public(ArticlePage.objects.live()).prefetch_related("topics").exclude(pk=article_pk)
        for story in stories:
            if any(card.pk == article_pk for card in read_more(story, topics=list(story.topics.all()))):
                found.append(story.pk)
    return found
