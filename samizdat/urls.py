from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from core.media import serve_rendition
from core.sign_in.views import SignInView
from publishing import feeds, views

LANGUAGE_CODES = "|".join(code for code, _name in settings.LANGUAGES)

urlpatterns = [
    # Wagtail's sign-in page with the sign-in throttle's message (and a 429) when a pause refuses an attempt.
    path("admin/login/", SignInView.as_view()),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", views.search, name="search"),
    path("support/", include("support.urls")),
    path("newsletter/", include("newsletters.urls")),  # subscribe (en; ru at /newsletter/ru/), confirm, unsubscribe
    path("", include("mirrors.urls")),  # /mirrors.json, /.well-known/samizdat-mirrors.*, /mirrors/
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("sitemap-pages.xml", views.sitemap_pages, name="sitemap_pages"),
    re_path(r"^sitemap-(?P<year>[0-9]{4})-(?P<month>[0-9]{2})\.xml$", views.sitemap_month, name="sitemap_month"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("feed.xml", feeds.SiteRssFeed(), name="feed_rss"),
    path("atom.xml", feeds.SiteAtomFeed(), name="feed_atom"),
    path("topics/", views.topic_index, name="topic_index"),
    path("topics/<slug:slug>/", views.topic_front, name="topic"),
    path("topics/<slug:slug>/archive/<int:number>/", views.topic_archive, name="topic_archive"),
    path("topics/<slug:slug>/feed.xml", feeds.TopicRssFeed(), name="topic_feed_rss"),
    path("topics/<slug:slug>/atom.xml", feeds.TopicAtomFeed(), name="topic_feed_atom"),
    # Language feeds before section feeds: a language code is never a section's slug (SectionPage refuses it).
    re_path(rf"^(?P<language>{LANGUAGE_CODES})/feed\.xml$", feeds.LanguageRssFeed(), name="language_feed_rss"),
    re_path(rf"^(?P<language>{LANGUAGE_CODES})/atom\.xml$", feeds.LanguageAtomFeed(), name="language_feed_atom"),
    # A section's stories in another language, the feeds of /<language>/<section>/.
    re_path(
        rf"^(?P<language>{LANGUAGE_CODES})/(?P<section>[-\w]+)/feed\.xml$",
        feeds.LanguageSectionRssFeed(),
        name="language_section_feed_rss",
    ),
    re_path(
        rf"^(?P<language>{LANGUAGE_CODES})/(?P<section>[-\w]+)/atom\.xml$",
        feeds.LanguageSectionAtomFeed(),
        name="language_section_feed_atom",
    ),
    path("<slug:section>/feed.xml", feeds.SectionRssFeed(), name="section_feed_rss"),
    path("<slug:section>/atom.xml", feeds.SectionAtomFeed(), name="section_feed_atom"),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(re_path(r"^media/(?P<path>images/.+)$", serve_rendition, name="media"))

if settings.DEMO_MAILBOX_DIR:
    # The demo's mail, readable in the browser (settings leave this empty in production).
    urlpatterns.append(path("demo/mail/", include("core.demo_mailbox")))

urlpatterns.append(path("", include(wagtail_urls)))

handler404 = "publishing.views.not_found"
handler500 = "publishing.views.server_error"
