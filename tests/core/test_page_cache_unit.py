from core.page_cache import accepted_encodings, choose_encoding

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
