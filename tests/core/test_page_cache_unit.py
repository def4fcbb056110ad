import warnings

from django.core.cache.backends.base import memcache_key_warnings

from core.page_cache import accepted_encodings, choose_encoding, entry_key

ENTRY = {"br": b"b", "gzip": b"g", "identity": b"i"}


def test_accept_encoding_parsing():
    assert accepted_encodings("gzip, deflate, br") == {"gzip", "deflate", "br"}
    assert accepted_encodings("br;q=0, gzip;q=0.5") == {"gzip"}
    assert accepted_encodings("gzip;q=nonsense") == set()
    assert accepted_encodings("") == set()


def test_choose_encoding_prefers_brotli_then_gzip():
    assert choose_encoding(ENTRY, "gzip, br") == "br"
    assert choose_encoding(ENTRY, "gzip") == "gzip"
    assert choose_encoding(ENTRY, "identity") == "identity"
    assert choose_encoding(ENTRY, None) == "identity"
    assert choose_encoding({**ENTRY, "br": None}, "*") == "gzip"


def test_cache_keys_are_short_and_printable_whatever_the_path():
    assert entry_key("/news/a-story/") == "samizdat:page:/news/a-story/"
    for path in ("/demo/mail/a b/", "/новости/", "/x\x07/", "/" + "a" * 300):
        key = entry_key(path)
        assert key.startswith("samizdat:page:sha256:") and len(key) < 100, path
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert list(memcache_key_warnings(key)) == [], path
    assert entry_key("/a b/") != entry_key("/a_b/")
