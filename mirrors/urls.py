"""The mirror list's addresses (see mirrors/views.py), included at the root of the site."""

from django.conf import settings
from django.urls import path, re_path

from mirrors import views

app_name = "mirrors"
OTHER_LANGUAGES = "|".join(code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE)

urlpatterns = [
    path("mirrors.json", views.list_json, name="json"),
    path("mirrors.json.minisig", views.list_signature, name="signature"),
    path(".well-known/samizdat-mirrors.json", views.list_json, name="well_known_json"),
    path(".well-known/samizdat-mirrors.json.minisig", views.list_signature, name="well_known_signature"),
    path(".well-known/samizdat-mirrors.pub", views.public_key, name="public_key"),
    path("mirrors/", views.page, name="page"),
    path("mirrors/feed.xml", views.feed, name="feed"),
]
if OTHER_LANGUAGES:
    urlpatterns.append(re_path(rf"^mirrors/(?P<language>{OTHER_LANGUAGES})/$", views.page, name="page"))
