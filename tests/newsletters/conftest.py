"""Newsletter tests: two real SMTP servers (aiosmtpd), the primary and the fallback, and subscribers in bulk."""

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from core.onion import onion_host
from tests.support.conftest import Collector, free_port

ONION = onion_host(bytes(range(32)))


class Server:
    def __init__(self, handler):
        self.handler = handler
        self.port = free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self):
        return self.handler.messages


class Failing(Collector):
    """A mail server that dies after ``survive`` messages: from then on it drops every connection in the middle of
    the message (after the data, before its answer), as a crashed or killed provider would, and keeps nothing."""

    def __init__(self, survive):
        super().__init__()
        self.survive = survive
        self.drops = 0

    async def handle_DATA(self, server, session, envelope):
        if len(self.messages) >= self.survive:
            self.drops += 1
            server.transport.close()
            return "421 4.3.0 going away"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def servers(settings):
    """(primary, fallback), running, with the settings pointing at them."""
    made = []

    def start(primary_handler=None):
        primary, fallback = Server(primary_handler or Collector()), Server(Collector())
        for server in (primary, fallback):
            server.controller.start()
            made.append(server)
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", primary.port
        settings.NEWSLETTER_FALLBACK_EMAIL_HOST, settings.NEWSLETTER_FALLBACK_EMAIL_PORT = "127.0.0.1", fallback.port
        settings.EMAIL_TIMEOUT = 10
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        return primary, fallback

    yield start
    for server in made:
        server.controller.stop()


@pytest.fixture
def newsroom(db, settings):
    """Mirrors in every pool and an onion, so each test sees which of them a newsletter names."""
    from mirrors.models import Mirror

    settings.ONION_ADDRESS = ONION
    settings.CANONICAL_URL = "https://newsroom.example"
    now = timezone.now()
    Mirror.objects.update(retired_at=now)  # the demo's own mirrors leave every list
    urls = {
        Mirror.Pool.NEWSLETTER: ["https://letter-one.example", "https://letter-two.example"],
        Mirror.Pool.PUBLIC: ["https://public-only.example"],
        Mirror.Pool.PRIVATE: ["https://private-only.example"],
        Mirror.Pool.EMAIL: ["https://mailbox-only.example"],
    }
    for pool, addresses in urls.items():
        for url in addresses:
            Mirror.objects.create(url=url, kind=Mirror.Kind.STATIC, pool=pool, added_at=now, updated_at=now)
    return urls


def make_subscribers(count, *, list_name="weekly", language="en", confirmed=True, prefix="reader"):
    from newsletters.models import Membership, Subscriber
    from newsletters.subscriptions import new_token

    now = timezone.now()
    subscribers = Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"{prefix}{n}@inbox.example",
                language=language,
                token=new_token(),
                created_at=now,
                confirmed_at=now if confirmed else None,
            )
            for n in range(count)
        ]
    )
    if subscribers and subscribers[0].pk is None:  # SQLite before 3.35 gives no ids back
        subscribers = list(Subscriber.objects.filter(email__startswith=prefix))
    Membership.objects.bulk_create([Membership(subscriber=s, list=list_name, confirmed=confirmed) for s in subscribers])
    return subscribers
