"""/mirrors/feed.xml: an Atom entry for every signing of the list, newest first, each with the public list it signed
(REACH.md R2 check 8), and nothing of the other pools."""

import feedparser
import pytest

from core.actions import Actor
from mirrors.actions import block_mirror
from tests.mirrors.mirror_list.conftest import add, onion

pytestmark = pytest.mark.django_db


def test_one_entry_per_sequence_newest_first_with_its_public_list(
    a_few_mirrors, origin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        block_mirror(actor=Actor.system("test"), mirror_id=a_few_mirrors["cdn"].pk)
        add(onion("a second onion"))
    response = origin_client.get("/mirrors/feed.xml")
    feed = feedparser.parse(response.content)

    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    assert not feed.bozo, feed.get("bozo_exception")
    # the first onion (1), the CDN copy (2), the block (3), the second onion (4); other pools signed nothing
    assert [entry.id.rsplit("-", 1)[1] for entry in feed.entries] == ["4", "3", "2", "1"]
    contents = [entry.content[0].value for entry in feed.entries]
    assert a_few_mirrors["cdn"].url not in contents[0] and a_few_mirrors["cdn"].url not in contents[1]
    assert a_few_mirrors["cdn"].url in contents[2]
    assert onion("a second onion") in contents[0] and a_few_mirrors["onion"].url in contents[3]
    updated = [entry.updated_parsed for entry in feed.entries]
    assert updated == sorted(updated, reverse=True)
    for name in ("newsletter", "email", "app", "private"):
        assert a_few_mirrors[name].url.split("://")[1] not in response.content.decode(), name
