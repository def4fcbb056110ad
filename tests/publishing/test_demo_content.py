import pytest
from django.core.management import call_command

from publishing.models import ArticlePage, Author, NewsImage, SectionPage, Topic

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (ArticlePage, SectionPage, Topic, Author, NewsImage)]


def test_demo_is_rich_enough():
    articles = ArticlePage.objects.live()
    assert articles.count() >= 15
    assert SectionPage.objects.live().count() >= 3
    assert Topic.objects.filter(articles__live=True).distinct().count() >= 8
    assert articles.filter(language="ru").count() == 2
    assert all(a.lead_image_id for a in articles)
    assert NewsImage.objects.values("licence").distinct().count() >= 4
    assert NewsImage.objects.exclude(credit_url="").exists()


def test_loading_the_demo_again_duplicates_nothing(django_user_model):
    before = counts()
    users_before = django_user_model.objects.count()
    call_command("load_demo", verbosity=0)
    assert counts() == before
    assert django_user_model.objects.count() == users_before


def test_the_renamed_story_keeps_its_first_address(client):
    from publishing.demo.content import MOVED_STORY

    story = ArticlePage.objects.get(slug=MOVED_STORY["slug"])
    response = client.get(MOVED_STORY["old_path"])
    assert (response.status_code, response["Location"]) == (301, story.url)
