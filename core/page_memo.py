"""Each app process's own copy of the cached pages it answered lately, for the fast path (core.fast_path).

A page-cache hit costs a round trip to Redis, and on a small machine that round trip (two system calls each way and a
context switch into Redis) is most of what a hit costs. So a process keeps the entries it fetched, and Redis tells it
when to let go: every publish (a new generation) and every :func:`core.page_cache.forget_path` is also published on a
pub/sub channel that a thread in each process listens to. The process that publishes lets go of its own copies at
once, before the publish returns; other processes as soon as the message reaches them (the time Redis takes to
deliver it). A copy is also kept for at most ``PAGE_CACHE_LOCAL_SECONDS``, which bounds what a lost message could
cost (e.g. someone flushing Redis by hand), and never past the entry's own expiry.

Only with the Redis cache backend (the only one with pub/sub); while the listener is not connected (starting,
Redis restarting) nothing is kept and every hit makes its round trip. ``PAGE_CACHE_LOCAL_PAGES = 0`` turns it off.
"""

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

CHANNEL_NAME = "samizdat:pages:changes"
FORGET_ALL = b"*"  # a message naming one path carries the path itself
RECONNECT_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)


class PageMemo:
    """The copies of one process for one Redis cache, and the thread that keeps them true."""

    def __init__(self, location, channel):
        self.location = location
        self.channel = channel
        self.entries = OrderedDict()  # path -> (entry, kept at: time.monotonic())
        self.lock = threading.Lock()
        self.epoch = 0  # moves whenever copies are let go: a lookup started before must not keep what it found
        self.listening = threading.Event()
        self.changed = threading.Condition(self.lock)  # notified on every message handled (tests wait on it)
        self.messages = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._listen, name="samizdat-page-memo", daemon=True)
        self.thread.start()

    # --- the fast path's side

    def get(self, path):
        if not self.listening.is_set():
            return None
        with self.lock:
            kept = self.entries.get(path)
            if kept is None:
                return None
            entry, kept_at = kept
            now = time.monotonic()
            if now - kept_at > settings.PAGE_CACHE_LOCAL_SECONDS or entry.get("expires", 0) <= time.time():
                del self.entries[path]
                return None
            self.entries.move_to_end(path)
            return entry

    def keep(self, path, entry, epoch):
        """Keep ``entry`` for ``path`` unless copies were let go since ``epoch`` (read before the lookup)."""
        if not self.listening.is_set() or "expires" not in entry:
            return
        with self.lock:
            if epoch != self.epoch:
                return
            self.entries[path] = (entry, time.monotonic())
            self.entries.move_to_end(path)
            while len(self.entries) > settings.PAGE_CACHE_LOCAL_PAGES:
                self.entries.popitem(last=False)

    def forget(self, path=None):
        """Let go of the copy of ``path``, or of every copy (``None``)."""
        with self.lock:
            self.epoch += 1
            if path is None:
                self.entries.clear()
            else:
                self.entries.pop(path, None)

    # --- the listener

    def _listen(self):
        import redis

        failures = 0
        while not self.stopping.is_set():
            client = redis.Redis.from_url(self.location, socket_keepalive=True, health_check_interval=30)
            pubsub = client.pubsub()
            try:
                pubsub.subscribe(self.channel)
                while pubsub.get_message(timeout=5.0) is None:  # the subscription's confirmation
                    if self.stopping.is_set():
                        return
                self.forget()  # whatever was missed while not listening
                self.listening.set()
                failures = 0
                while not self.stopping.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is not None and message["type"] == "message":
                        self._handle(message["data"])
            except (redis.RedisError, OSError) as error:
                failures += 1
                if failures == 1:
                    logger.warning("Page copies off until Redis answers again (%s)", error)
            finally:
                self.listening.clear()
                self.forget()
                pubsub.close()
                client.close()
            self.stopping.wait(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])

    def _handle(self, data):
        self.forget(None if data == FORGET_ALL else data.decode("utf-8", "surrogateescape"))
        with self.changed:
            self.messages += 1
            self.changed.notify_all()

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=10)


_memos = {}
_memos_lock = threading.Lock()


def _redis_location():
    config = settings.CACHES.get("default", {})
    if not config.get("BACKEND", "").endswith("RedisCache"):
        return None
    location = config.get("LOCATION")
    if isinstance(location, (list, tuple)):
        location = location[0] if location else None
    elif isinstance(location, str):
        location = location.split(",")[0].strip()  # Django's RedisCache writes to the first server
    return location or None


def _channel(location):
    # Pub/sub channels are shared by every database of a Redis server: the channel names the cache it belongs to.
    return f"{cache.make_key(CHANNEL_NAME)}:{hashlib.sha256(location.encode()).hexdigest()[:16]}"


def memo():
    """This process's copies for the configured cache, or ``None`` where there are none (not Redis, or turned off)."""
    if settings.PAGE_CACHE_LOCAL_PAGES <= 0 or settings.PAGE_CACHE_LOCAL_SECONDS <= 0:
        return None
    location = _redis_location()
    if location is None:
        return None
    key = (os.getpid(), location)  # a forked process starts its own listener
    found = _memos.get(key)
    if found is None:
        with _memos_lock:
            found = _memos.get(key) or _memos.setdefault(key, PageMemo(location, _channel(location)))
    return found


def announce(path=None):
    """Tell every process to let go of its copy of ``path`` (``None``: of every copy); this process at once."""
    location = _redis_location()
    if location is None:
        return
    key = (os.getpid(), location)
    if (own := _memos.get(key)) is not None:
        own.forget(path)
    import redis

    message = FORGET_ALL if path is None else path.encode("utf-8", "surrogateescape")
    try:
        _publisher(location).publish(_channel(location), message)
    except (redis.RedisError, OSError):
        # Other processes' copies then last at most PAGE_CACHE_LOCAL_SECONDS; the generation in the cache has moved.
        logger.warning("Could not announce a page change on Redis", exc_info=True)


_publishers = {}


def _publisher(location):
    import redis

    key = (os.getpid(), location)
    if key not in _publishers:
        _publishers[key] = redis.Redis.from_url(location)
    return _publishers[key]
