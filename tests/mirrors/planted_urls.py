"""The site's URLs plus two a static host would serve wrongly, planted to see the export refuse them."""

from django.http import HttpResponse
from django.urls import path

from publishing.feeds import SiteRssFeed
from samizdat.urls import handler404, handler500  # noqa: F401  (the site's error pages)
from samizdat.urls import urlpatterns as site_urlpatterns


def sets_a_cookie(request):
    response = HttpResponse("<!doctype html><title>Planted</title><p>Planted.</p>")
    response.set_cookie("planted", "1")
    return response


urlpatterns = [
    # a feed at an address without an extension: a static host would serve feed/index.html as text/html
    path("planted-feed/", SiteRssFeed()),
    path("planted-cookie/", sets_a_cookie),
    *site_urlpatterns,
]
