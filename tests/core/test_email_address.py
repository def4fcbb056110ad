"""The one rule for email addresses (core.email_address): what a reader may type, what is refused with which message,
and the one form addresses are kept and compared in."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from core.email_address import EmailAddressField, canonical_email, normalise_email

ACCEPTED = [
    ("reader@example.org", "reader@example.org"),
    ("  reader@example.org  ", "reader@example.org"),  # spaces around: dropped
    ("\treader@example.org\r\n", "reader@example.org"),  # a tab and a line break around, as a paste brings
    ("\u00a0reader@example.org\u00a0", "reader@example.org"),  # no-break spaces around
    ("reader@example.org\u202f", "reader@example.org"),  # a narrow no-break space after
    ("reader@EXAMPLE.ORG", "reader@example.org"),  # the domain lower-cased
    ("Reader.Name@Example.org", "Reader.Name@example.org"),  # the local part as typed
    ("first.last+news@mail.example.co.uk", "first.last+news@mail.example.co.uk"),
    ("o'brien@example.ie", "o'brien@example.ie"),
    ("a!#$%&'*+/=?^_`{|}~-z@example.org", "a!#$%&'*+/=?^_`{|}~-z@example.org"),
    ("reader@sub-domain.example-site.org", "reader@sub-domain.example-site.org"),
    ("reader@123.example", "reader@123.example"),  # digits are fine in any label but the last
    ("reader@пример.рф", "reader@пример.рф"),  # a Cyrillic domain
    ("reader@ПРИМЕР.РФ", "reader@пример.рф"),  # … in capitals
    ("reader@xn--e1afmkfd.xn--p1ai", "reader@пример.рф"),  # … typed in its IDNA form
    ("reader@XN--E1AFMKFD.XN--P1AI", "reader@пример.рф"),
    ("reader@почта.example.org", "reader@почта.example.org"),
    ("reader@bücher.de", "reader@bücher.de"),
    ("a" * 64 + "@example.org", "a" * 64 + "@example.org"),  # the longest local part
    ("r@" + "a" * 63 + ".org", "r@" + "a" * 63 + ".org"),  # the longest label
]

ZERO_WIDTH_SPACE, BYTE_ORDER_MARK, NO_BREAK_SPACE = "\u200b", "\ufeff", "\u00a0"
LEFT_TO_RIGHT_MARK, RIGHT_TO_LEFT_OVERRIDE, SOFT_HYPHEN = "\u200e", "\u202e", "\u00ad"

REFUSED = [
    # Invisible characters, at the end (where copying leaves them), at the start and inside: refused, never removed.
    ("reader@example.org" + ZERO_WIDTH_SPACE, "invisible"),
    ("reader@example.org" + BYTE_ORDER_MARK, "invisible"),
    (BYTE_ORDER_MARK + "reader@example.org", "invisible"),
    ("reader@example.org" + LEFT_TO_RIGHT_MARK, "invisible"),
    ("reader@example.org" + RIGHT_TO_LEFT_OVERRIDE, "invisible"),
    ("reader@exam" + SOFT_HYPHEN + "ple.org", "invisible"),
    ("rea" + ZERO_WIDTH_SPACE + "der@example.org", "invisible"),
    ("reader" + NO_BREAK_SPACE + "@example.org", "invisible"),  # a no-break space inside is not whitespace around
    ("reader@example.org\u2060", "invisible"),  # word joiner
    ("reader@example.org\u200d", "invisible"),  # zero-width joiner
    ("reader\u2028@example.org", "invisible"),  # a line separator inside (around, it is whitespace)
    ("reader@example.org\ufe0f", "invisible"),  # a variation selector
    ("reader@пример.рф\u034f", "invisible"),  # combining grapheme joiner, which IDNA would silently drop
    ("reader@example.org\U000e0041", "invisible"),  # a tag character
    # Control characters and plain spaces inside: malformed.
    ("reader@example.org\r\nBcc: other@example.org", "invalid"),
    ("reader\x00@example.org", "invalid"),
    ("read er@example.org", "invalid"),
    # Address literals and names that are not a mail domain.
    ("reader@[127.0.0.1]", "domain"),
    ("reader@[IPv6:::1]", "domain"),
    ("reader@[IPv6:2001:db8::1]", "domain"),
    ("reader@127.0.0.1", "domain"),
    ("reader@localhost", "domain"),
    ("a@localhost", "domain"),
    ("reader@example.org.", "domain"),  # a trailing dot
    ("reader@example..org", "domain"),  # an empty label
    ("reader@.example.org", "domain"),
    ("reader@-example.org", "domain"),
    ("reader@example-.org", "domain"),
    ("reader@exa_mple.org", "domain"),
    ("reader@exa mple.org", "domain"),
    ("reader@" + "a" * 64 + ".org", "domain"),  # a label over 63
    ("reader@" + ".".join(["a" * 60] * 5) + ".org", "domain"),  # a domain over 253
    ("reader@ｅｘａｍｐｌｅ.com", "domain"),  # full-width letters, which IDNA would map to others
    ("reader@straße.de", "domain"),  # IDNA 2003 (what the mail path uses) would send it to strasse.de
    ("reader@xn--zz.org", "domain"),  # not a real IDNA label
    # The local part.
    ("a..b@example.org", "invalid"),
    (".reader@example.org", "invalid"),
    ("reader.@example.org", "invalid"),
    ('"john doe"@example.org', "invalid"),  # quoted local parts are refused
    ('"a@b"@example.org', "invalid"),
    ("a" * 65 + "@example.org", "invalid"),
    ("читатель@пример.рф", "non_ascii_local"),  # needs SMTPUTF8, which our mail path does not speak
    ("josé@example.org", "non_ascii_local"),
    # Not an address at all, or too long.
    ("reader", "invalid"),
    ("reader@", "invalid"),
    ("@example.org", "invalid"),
    ("reader@@example.org", "invalid"),
    ("a@b@example.org", "invalid"),
    ("", "invalid"),
    ("   ", "invalid"),
    ("x" * 5000 + "@example.org", "invalid"),
    ("r" * 64 + "@" + ".".join(["a" * 60] * 3) + ".example.org", "invalid"),  # 64 + 1 + 197 > 254
]


@pytest.mark.parametrize(("typed", "kept"), ACCEPTED)
def test_accepted_addresses_and_their_one_form(typed, kept):
    assert normalise_email(typed) == kept
    assert normalise_email(kept) == kept  # the form is stable


@pytest.mark.parametrize(("typed", "code"), REFUSED)
def test_refused_addresses_say_why(typed, code):
    with pytest.raises(ValidationError) as refused:
        normalise_email(typed)
    assert refused.value.code == code


def test_one_address_compares_as_one_however_it_is_written():
    spellings = [
        "Reader@пример.рф",
        "reader@ПРИМЕР.РФ",
        " READER@xn--e1afmkfd.xn--p1ai\u00a0",
        "reader@XN--E1AFMKFD.xn--P1AI",
    ]
    assert {canonical_email(spelling) for spelling in spellings} == {"reader@пример.рф"}
    # An address stored before these rules is still compared as it was stored: stripped and lower-cased.
    assert canonical_email(" Old@Localhost ") == "old@localhost"


class Form(forms.Form):
    email = EmailAddressField(error_messages={"invalid": "Custom message."})
    optional = EmailAddressField(required=False)


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("en", "", "This field is required."),
        ("en", "nobody", "Custom message."),  # a form may put its own words on “invalid”
        ("en", "reader@example.org\u200b", "Enter a valid email address: this one contains an invisible character"),
        ("en", "reader@[127.0.0.1]", "Enter a valid email address: after the @ comes a domain name"),
        ("en", "читатель@example.org", "Please enter another email address: we cannot send mail"),
    ],
)
def test_the_field_gives_each_reason_its_message(language, typed, message):
    with translation.override(language):
        form = Form({"email": typed, "optional": ""})
        assert not form.is_valid()
        assert form.errors["email"][0].startswith(message), form.errors
        assert "optional" not in form.errors


def test_the_field_gives_the_one_form_and_empty_stays_empty():
    form = Form({"email": " Reader@XN--P1AI.xn--e1afmkfd.рф ", "optional": "  "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"email": "Reader@рф.пример.рф", "optional": ""}
