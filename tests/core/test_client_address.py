"""The client's address behind zero, one or two proxies, and what a client sending its own header can and cannot do."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from core.client_address import client_address, parse_networks


def address(settings, trusted, peer, forwarded=None):
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    assert address(settings, [], "203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert address(settings, [], "203.0.113.9") == "203.0.113.9"


def test_a_header_from_an_untrusted_peer_changes_nothing(settings):
    assert address(settings, ["127.0.0.1"], "203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_one_proxy_on_the_same_machine(settings):
    assert address(settings, ["127.0.0.1", "::1"], "127.0.0.1", "198.51.100.1") == "198.51.100.1"
    assert address(settings, ["127.0.0.1", "::1"], "::1", "2001:db8::7") == "2001:db8::7"


def test_a_client_cannot_choose_its_address_by_sending_the_header(settings):
    # The reader sent "X-Forwarded-For: 10.9.9.9"; nginx appended the address it saw.
    assert address(settings, ["127.0.0.1"], "127.0.0.1", "10.9.9.9, 198.51.100.1") == "198.51.100.1"
    # Even an address inside the trusted range, put there by the client, is not believed past the real hop.
    assert address(settings, ["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "1.2.3.4, 198.51.100.1") == "198.51.100.1"


def test_two_proxies_are_walked_from_the_right(settings):
    trusted = ["127.0.0.1", "10.0.0.0/8"]
    # CDN edge (10.1.2.3) -> nginx (127.0.0.1) -> app; the CDN saw the reader.
    assert address(settings, trusted, "127.0.0.1", "198.51.100.1, 10.1.2.3") == "198.51.100.1"
    assert address(settings, trusted, "127.0.0.1", "6.6.6.6, 198.51.100.1, 10.1.2.3") == "198.51.100.1"


def test_cidr_and_ipv6_networks(settings):
    trusted = ["192.168.0.0/16", "2001:db8:ffff::/48"]
    assert address(settings, trusted, "192.168.44.5", "203.0.113.4") == "203.0.113.4"
    assert address(settings, trusted, "2001:db8:ffff::1", "2001:db8:1::9") == "2001:db8:1::9"
    assert address(settings, trusted, "192.169.0.1", "203.0.113.4") == "192.169.0.1"


def test_an_ipv4_mapped_peer_is_its_ipv4_address(settings):
    assert address(settings, ["127.0.0.1"], "::ffff:127.0.0.1", "198.51.100.1") == "198.51.100.1"


def test_a_malformed_header_ends_the_walk_at_the_last_trusted_hop(settings):
    assert address(settings, ["127.0.0.1"], "127.0.0.1", "not-an-address") == "127.0.0.1"
    assert address(settings, ["127.0.0.1"], "127.0.0.1", "") == "127.0.0.1"
    assert address(settings, ["127.0.0.1"], "127.0.0.1") == "127.0.0.1"
    assert address(settings, ["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "198.51.100.1, junk, 10.0.0.2") == "10.0.0.2"
    # Bracketed IPv6, as some proxies write it
    assert address(settings, ["127.0.0.1"], "127.0.0.1", "[2001:db8::5]") == "2001:db8::5"


def test_only_trusted_hops_means_the_leftmost_is_the_client(settings):
    assert address(settings, ["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "10.0.0.7, 10.0.0.8") == "10.0.0.7"


def test_a_bad_setting_is_named():
    with pytest.raises(ImproperlyConfigured, match=r"'10\.0\.0\.300'"):
        parse_networks(["127.0.0.1", "10.0.0.300"])
    assert [str(n) for n in parse_networks(["10.1.2.3/8", " ::1 "])] == ["10.0.0.0/8", "::1/128"]
