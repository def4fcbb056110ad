"""Load the demo newsroom: sections, topics, authors, illustrated articles and three accounts.

Running it again adds nothing twice: everything is found by its slug (or title, for images) before it is created.
"""

import datetime as dt
import hashlib
import json
from io import BytesIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management import BaseCommand, call_command
from django.db import transaction
from wagtail.contrib.redirects.models import Redirect

from core.signals import demo_loaded
from publishing.demo import content
from publishing.demo.artwork import make_image
from publishing.models import (
    ArticleByline,
    ArticlePage,
    ArticleRelatedLink,
    Author,
    HomePage,
    Licence,
    NewsImage,
    SectionPage,
    Topic,
)
from publishing.roles import CONTRIBUTORS, EDITORS, REVENUE, ensure_newsroom_roles

DEMO_PASSWORD = "samizdat-demo"  # noqa: S105  (the demo only; printed for the reader of the terminal)
DEMO_ACCOUNTS = [
    ("admin", "Admin", None, True),
    ("editor", "Demo editor", EDITORS, False),
    ("contributor", "Demo contributor", CONTRIBUTORS, False),
    ("revenue", "Demo revenue person", REVENUE, False),
]
# All demo dates count back from this fixed moment, so every run and every machine gets the same archive.
DEMO_NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Load the demo newsroom content (safe to run again: nothing is duplicated)."

    def handle(self, *args, **options):
        with transaction.atomic():
            created = self.load()
            demo_loaded.send(sender=self.__class__)
        call_command("update_index", verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Demo content ready ({created} new articles)."))
        self.stdout.write(f"Accounts (password for all: {DEMO_PASSWORD}): {', '.join(a[0] for a in DEMO_ACCOUNTS)}")

    # -- the whole load, in one transaction
    def load(self):
        ensure_newsroom_roles()
        licences = {
            item["name"]: Licence.objects.update_or_create(
                name=item["name"], defaults={"name_ru": item["name_ru"], "deed_url": item["deed_url"]}
            )[0]
            for item in content.LICENCES
        }
        authors = {
            item["slug"]: Author.objects.update_or_create(
                slug=item["slug"],
                defaults={"name": item["name"], "role": item["role"], "role_ru": item["role_ru"], "bio": item["bio"]},
            )[0]
            for item in content.AUTHORS
        }
        topics = {
            item["slug"]: Topic.objects.update_or_create(
                slug=item["slug"],
                defaults={"name": item["name"], "name_ru": item["name_ru"], "description": item["description"]},
            )[0]
            for item in content.TOPICS
        }
        home = HomePage.objects.first()
        if home is None:
            raise RuntimeError("No home page: run `manage.py migrate` first.")
        sections = {item["slug"]: self.section(home, item) for item in content.SECTIONS}

        created = 0
        articles = {}
        for index, item in enumerate(content.ARTICLES):
            existing = ArticlePage.objects.filter(slug=item["slug"]).first()
            if existing is not None:
                articles[item["slug"]] = existing
                continue
            articles[item["slug"]] = self.article(index, item, sections, authors, topics, licences)
            created += 1

        self.pin_read_more(articles)
        self.moved_story(articles)
        if not home.lead_article_id and articles:
            lead = min(content.ARTICLES, key=lambda item: item["days_ago"])
            home.lead_article = articles[lead["slug"]]
            home.save_revision().publish()
        self.accounts()
        return created

    def moved_story(self, articles):
        """A story the newsroom renamed after publishing: its first address keeps working (an editor's redirect, as
        Wagtail makes one on a slug change), on the site and on every static mirror."""
        target = articles.get(content.MOVED_STORY["slug"])
        if target is not None:
            Redirect.objects.get_or_create(
                old_path=Redirect.normalise_path(content.MOVED_STORY["old_path"]),
                site=None,
                defaults={"redirect_page": target, "is_permanent": True},
            )

    def section(self, home, item):
        section = SectionPage.objects.child_of(home).filter(slug=item["slug"]).first()
        if section is None:
            section = SectionPage(
                title=item["title"],
                title_ru=item["title_ru"],
                slug=item["slug"],
                introduction=item["introduction"],
                introduction_ru=item["introduction_ru"],
                show_in_menus=True,
            )
            home.add_child(instance=section)
            section.save_revision().publish()
        elif not section.title_ru:  # a demo loaded before sections had Russian names
            section.title_ru, section.introduction_ru = item["title_ru"], item["introduction_ru"]
            section.save_revision().publish()
        return section

    def image(self, spec, title, licences):
        found = NewsImage.objects.filter(title=title).first()
        if found is not None:
            return found
        data = make_image(spec["seed"], spec["kind"])
        name = hashlib.sha256(title.encode()).hexdigest()[:12] + ".jpg"
        image = NewsImage(
            title=title,
            file=ImageFile(BytesIO(data), name=name),
            alt_text=spec["alt"],
            caption=spec["caption"],
            credit=spec["credit"],
            credit_url=spec.get("credit_url", ""),
            licence=licences[spec["licence"]],
        )
        image.save()
        return image

    def article(self, index, item, sections, authors, topics, licences):
        lead_image = self.image(item["image"], f"{item['title']} — lead", licences)
        body = []
        for position, (kind, value) in enumerate(item["body"]):
            if kind == "image":
                picture = self.image(value, f"{item['title']} — picture {position}", licences)
                body.append({"type": "image", "value": {"image": picture.pk, "caption": ""}})
            else:
                body.append({"type": kind, "value": value})
        published = DEMO_NOW - dt.timedelta(days=item["days_ago"], hours=index % 7, minutes=(index * 13) % 60)
        page = ArticlePage(
            title=item["title"],
            slug=item["slug"],
            standfirst=item["standfirst"],
            language=item["language"],
            lead_image=lead_image,
            body=json.dumps(body),  # the stored (raw) form of a StreamField
            first_published_at=published,
        )
        page.topics = [topics[slug] for slug in item["topics"]]
        page.bylines = [ArticleByline(author=authors[slug], sort_order=n) for n, slug in enumerate(item["authors"])]
        sections[item["section"]].add_child(instance=page)
        page.save_revision().publish()
        ArticlePage.objects.filter(pk=page.pk).update(first_published_at=published, last_published_at=published)
        page.refresh_from_db()
        return page

    def pin_read_more(self, articles):
        """Editors pin related stories by hand; the demo pins the investigations to one another."""
        investigations = [item["slug"] for item in content.ARTICLES if item["section"] == "investigations"][:3]
        for slug in investigations[:2]:
            page = articles[slug]
            if page.pinned_links.exists():
                continue
            dates = (page.first_published_at, page.last_published_at)
            page.pinned_links = [
                ArticleRelatedLink(article=articles[other], sort_order=n)
                for n, other in enumerate(other for other in investigations if other != slug)
            ]
            page.save_revision().publish()
            ArticlePage.objects.filter(pk=page.pk).update(first_published_at=dates[0], last_published_at=dates[1])

    def accounts(self):
        User = get_user_model()
        for username, name, group_name, is_superuser in DEMO_ACCOUNTS:
            user, made = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": name,
                    "email": f"{username}@samizdat.example",
                    "is_staff": is_superuser,
                    "is_superuser": is_superuser,
                },
            )
            if made:
                user.set_password(DEMO_PASSWORD)
                user.save()
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
