"""Importing a bank statement: reading what banks export, matching references to bank transfers, confirming exact
amounts once however often the file comes back, and telling staff about everything else — by line number."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core.actions import Actor
from core.errors import DomainError
from core.models import AuditEntry
from core.money import Money
from support.actions.bank_statements import import_bank_statement
from support.actions.contributions import cancel_contribution, confirm_payment, start_contribution
from support.models import Contribution, Payment
from support.statements import (
    MAX_LINES,
    CellError,
    StatementError,
    StatementLine,
    find_references,
    is_general_gift,
    parse_amount,
    parse_date,
    read_statement,
)

IMPORT_URL = "/admin/support/statements/import/"
STAFF = Actor("staff", "7")


def start(amount="25", frequency="once", method="bank_transfer", currency="EUR"):
    return start_contribution(
        actor=Actor.reader(), amount=Money(Decimal(amount), currency), frequency=frequency, method=method
    )


def status_of(contribution):
    stored = Contribution.objects.get(pk=contribution.pk)
    return stored.status, [payment.status for payment in stored.payments.order_by("pk")]


def line(number, amount, reference="", currency="EUR", date=dt.date(2026, 3, 2)):
    references = find_references(reference)
    return StatementLine(number, date, Decimal(amount), currency, references, is_general_gift(reference, references))


def outcome_lines(report):
    return {key: [item.line for item in items] for key, items in report.outcomes.items() if items}


# --- finding references


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Donation SZ-AB2C-DE3F thank you", ("SZ-AB2C-DE3F",)),
        ("sz-ab2c-de3f", ("SZ-AB2C-DE3F",)),
        ("SZ AB2C DE3F", ("SZ-AB2C-DE3F",)),
        ("ref: Sz  ab2c   de3f/", ("SZ-AB2C-DE3F",)),
        ("SZAB2CDE3F", ("SZ-AB2C-DE3F",)),
        ("SZ_AB2C_DE3F", ("SZ-AB2C-DE3F",)),
        ("SZ-AB2C-DE3F SZ-AB2C-DE3F", ("SZ-AB2C-DE3F",)),
        ("SZ-AB2C-DE3F and SZ-XY7Z-QQ9R", ("SZ-AB2C-DE3F", "SZ-XY7Z-QQ9R")),
        ("XSZ-AB2C-DE3F", ()),  # part of a longer word
        ("SZ-AB2C-DE3FG", ()),
        ("SZ-AB2-DE3F", ()),
        ("rent for march", ()),
        ("", ()),
    ],
)
def test_references_are_found_however_they_were_typed(text, found):
    assert find_references(text) == found


# --- reading cells


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("25", "25"),
        ("25.00", "25.00"),
        ("25,00", "25.00"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1'234.50", "1234.50"),
        ("1,234", "1234"),
        ("+25,00", "25.00"),
        ("-12,00", "-12.00"),
        ("(12.00)", "-12.00"),
        ("12,00-", "-12.00"),
        ("€25.00", "25.00"),
    ],
)
def test_amounts_in_the_forms_banks_write_them(text, amount):
    assert parse_amount(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["", "abc", "-", "1.2.3", "1,23,4", "1.234,5,6", "12e3", "NaN", "Infinity", "1,,2"])
def test_what_is_not_an_amount(text):
    with pytest.raises(CellError, match="is not an amount"):
        parse_amount(text)


@pytest.mark.parametrize(
    "text",
    ["2026-03-02", "02.03.2026", "02/03/2026", "2026/03/02", "02.03.26", "2026-03-02T10:15:00", "02.03.2026 10:15"],
)
def test_dates_in_the_forms_banks_write_them(text):
    assert parse_date(text) == dt.date(2026, 3, 2)


@pytest.mark.parametrize("text", ["", "yesterday", "2026-02-30", "32.01.2026", "03-02-2026x"])
def test_what_is_not_a_date(text):
    with pytest.raises(CellError, match="is not a date"):
        parse_date(text)


# --- reading files


def test_a_plain_export():
    data = (
        b"date,amount,currency,description\n"
        b"2026-03-02,25.00,EUR,Transfer SZ-AB2C-DE3F\n"
        b"2026-03-03,10.00,EUR,Rent\n"
        b'2026-03-04,-40.00,EUR,"Office, supplies"\n'
    )
    parsed = read_statement(data)
    assert parsed.malformed == []
    assert parsed.lines == [
        StatementLine(2, dt.date(2026, 3, 2), Decimal("25.00"), "EUR", ("SZ-AB2C-DE3F",)),
        StatementLine(3, dt.date(2026, 3, 3), Decimal("10.00"), "EUR", ()),
        StatementLine(4, dt.date(2026, 3, 4), Decimal("-40.00"), "EUR", ()),
    ]


def test_a_european_export_with_bom_semicolons_decimal_commas_and_other_header_names():
    data = (
        "\ufeffBuchungstag;Verwendungszweck;Betrag;Währung;Saldo\r\n"
        "02.03.2026;Spende sz ab2c de3f;1.025,50;eur;9.000,00\r\n"
        "\r\n"
        "03.03.2026;Miete;-800,00;EUR;8.200,00\r\n"
    ).encode()
    parsed = read_statement(data)
    assert parsed.malformed == []
    assert parsed.lines == [
        StatementLine(2, dt.date(2026, 3, 2), Decimal("1025.50"), "EUR", ("SZ-AB2C-DE3F",)),
        StatementLine(4, dt.date(2026, 3, 3), Decimal("-800.00"), "EUR", ()),
    ]


def test_the_general_reference_marks_an_anonymous_gift():
    data = (
        b"date,amount,currency,description\n"
        b"2026-03-02,25.00,EUR,support\n"
        b"2026-03-03,10.00,EUR,SUPPORT SZ-AB2C-DE3F\n"
        b"2026-03-04,10.00,EUR,SUPPORTS\n"
    )
    gifts = [line.general_gift for line in read_statement(data).lines]
    assert gifts == [True, False, False]  # a contribution's own reference wins; a longer word is no reference


def test_headers_in_any_case_order_and_spacing_and_tabs():
    data = b"  DESCRIPTION \tCurrency\tValue_Date\tAMOUNT\nSZ-AB2C-DE3F\tEUR\t2026-03-02\t25\n"
    assert read_statement(data).lines == [
        StatementLine(2, dt.date(2026, 3, 2), Decimal("25.00"), "EUR", ("SZ-AB2C-DE3F",))
    ]


def test_bad_lines_are_reported_with_their_numbers_and_the_rest_is_read():
    data = (
        b"date;amount;currency;description\n"
        b"2026-03-02;25,00;EUR;SZ-AB2C-DE3F\n"
        b"yesterday;25,00;EUR;SZ-AB2C-DE3F\n"
        b"2026-03-02;lots;EUR;x\n"
        b'2026-03-02;25,00;EUR;"a description\nover two lines SZ-XY7Z-QQ9R"\n'
        b"2026-03-02;25,00;EUR\n"
        b"2026-03-02;25,00;EUR;x;surprise\n"
        b"2026-03-02;25,00;;x\n"
        b"2026-03-02;25,00;XYZ;x\n"
        b"2026-03-02;25.001;EUR;x\n"
        b"2026-03-02;1,00;RUB;SZ-AB2C-DE3F;\n"
    )
    parsed = read_statement(data)
    assert [number for number, _why in parsed.malformed] == [3, 4, 7, 8, 9, 10, 11]
    reasons = dict(parsed.malformed)
    assert reasons[3] == "“yesterday” is not a date (use 2026-03-02 or 02.03.2026)."
    assert reasons[4] == "“lots” is not an amount."
    assert reasons[7] == "Expected 4 fields, found 3."
    assert "Expected 4 fields, found 5" in reasons[8]
    assert reasons[9] == "The currency is missing."
    assert reasons[10] == "“XYZ” is not a currency the ledger keeps."
    assert reasons[11] == "25.001 has more decimal places than EUR allows."
    assert [(item.line, item.references) for item in parsed.lines] == [
        (2, ("SZ-AB2C-DE3F",)),
        (5, ("SZ-XY7Z-QQ9R",)),  # starts on line 5, ends on 6
        (12, ("SZ-AB2C-DE3F",)),  # a trailing empty field is tolerated
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (b"date;amount;description\n2026-03-02;1;x\n", "currency not found"),
        (b"when,how much,what\n", "date, amount, currency, description not found"),
        ("date,amount,currency,description\n2026-03-02,25,EUR,Zahlung für SZ\n".encode("cp1252"), "not UTF-8"),
        ("date,amount,currency,description\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook"),
        (b"date,amount,currency,description\n\x00\x01\x02", "binary data"),
        (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_message(data, message):
    with pytest.raises(StatementError, match=message):
        read_statement(data)


def test_a_file_with_too_many_lines_is_refused():
    rows = "".join(f"2026-03-02,1,EUR,line {n}\n" for n in range(MAX_LINES + 1))
    with pytest.raises(StatementError, match="more than 10,000 lines"):
        read_statement(("date,amount,currency,description\n" + rows).encode())
    rows = "".join(f"2026-03-02,1,EUR,line {n}\n" for n in range(MAX_LINES))
    assert len(read_statement(("date,amount,currency,description\n" + rows).encode()).lines) == MAX_LINES


# --- the import action


@pytest.mark.django_db
def test_each_kind_of_line_gets_its_outcome():
    exact = start("25")
    differs = start("25")
    other_currency = start("25")
    crypto = start("25", method="crypto")
    cancelled = start("25")
    cancel_contribution(actor=STAFF, contribution_id=cancelled.pk)
    lines = [
        line(2, "25.00", f"Donation {exact.reference.lower()}"),
        line(3, "20.00", differs.reference),
        line(4, "25.00", other_currency.reference, currency="USD"),
        line(5, "25.00", "SZ-ZZZZ-ZZZZ"),
        line(6, "25.00", "Rent"),
        line(7, "-25.00", exact.reference),
        line(8, "25.00", crypto.reference),
        line(9, "25.00", cancelled.reference),
        line(10, "50.00", f"{exact.reference} {differs.reference}"),
        line(12, "15.00", "Support"),
        line(13, "5.00", "supported by SUPPORTERS"),  # a longer word is no reference
    ]
    report = import_bank_statement(actor=STAFF, rows=lines, malformed=[(11, "“x” is not an amount.")])
    assert outcome_lines(report) == {
        "confirmed": [2],
        "amount_differs": [3, 4],
        "general_gift": [12],
        "unknown_reference": [5],
        "no_reference": [6, 13],
        "outgoing": [7],
        "needs_attention": [8, 9, 10],
        "malformed": [11],
    }
    notes = {item.line: item.note for items in report.outcomes.values() for item in items}
    assert notes[3] == "Expected 25.00 EUR." and notes[4] == "Expected 25.00 EUR."
    assert notes[8] == "Not a bank transfer (crypto)."
    assert notes[9] == "The contribution was cancelled."
    assert notes[10].startswith("Several references")
    assert status_of(exact) == ("completed", ["succeeded"])
    for untouched in (differs, other_currency, crypto):
        assert status_of(untouched) == ("pending", ["pending"])
    assert exact.payments.get().transaction_reference == f"bank statement 2026-03-02 25.00 EUR {exact.reference}"
    [summary] = AuditEntry.objects.filter(action="bank_statement.imported")
    assert (summary.actor_kind, summary.actor_id, summary.subject_type) == ("staff", "7", "")
    assert summary.data == {
        "lines": 12,
        "confirmed": 1,
        "renewed": 0,
        "already_recorded": 0,
        "amount_differs": 2,
        "needs_attention": 3,
        "general_gift": 1,
        "unknown_reference": 1,
        "no_reference": 2,
        "outgoing": 1,
        "malformed": 1,
    }
    assert exact.reference not in json.dumps(summary.data)
    assert AuditEntry.objects.filter(action="payment.confirmed").count() == 2  # the exact line and the anonymous gift


@pytest.mark.django_db
def test_importing_the_same_statement_again_records_nothing_twice():
    gift = start("25")
    monthly = start("10", frequency="monthly")
    lines = [line(2, "25.00", gift.reference), line(3, "10.00", monthly.reference)]
    first = import_bank_statement(actor=STAFF, rows=lines)
    assert outcome_lines(first) == {"confirmed": [2, 3]}
    payments = Payment.objects.count()
    for _ in range(2):
        again = import_bank_statement(actor=STAFF, rows=lines)
        assert outcome_lines(again) == {"already_recorded": [2, 3]}
    assert Payment.objects.count() == payments
    assert AuditEntry.objects.filter(action="payment.confirmed").count() == 2
    assert AuditEntry.objects.filter(action="bank_statement.imported").count() == 3


@pytest.mark.django_db
def test_a_standing_order_adds_a_payment_each_month_once():
    monthly = start("10", frequency="monthly")
    march = line(2, "10.00", monthly.reference, date=dt.date(2026, 3, 2))
    april = StatementLine(3, dt.date(2026, 4, 2), Decimal("10.00"), "EUR", (monthly.reference,))
    may_short = line(4, "9.00", monthly.reference, date=dt.date(2026, 5, 2))
    report = import_bank_statement(actor=STAFF, rows=[march, april, may_short])
    assert outcome_lines(report) == {"confirmed": [2], "renewed": [3], "amount_differs": [4]}
    assert status_of(monthly) == ("active", ["succeeded", "succeeded"])
    assert outcome_lines(import_bank_statement(actor=STAFF, rows=[april])) == {"already_recorded": [3]}
    assert Payment.objects.filter(contribution=monthly).count() == 2


@pytest.mark.django_db
def test_a_second_transfer_for_a_paid_gift_is_left_for_staff():
    gift = start("25")
    import_bank_statement(actor=STAFF, rows=[line(2, "25.00", gift.reference)])
    report = import_bank_statement(actor=STAFF, rows=[line(2, "25.00", gift.reference, date=dt.date(2026, 3, 9))])
    assert outcome_lines(report) == {"needs_attention": [2]}
    assert report.outcomes["needs_attention"][0].note == "Already paid: a second transfer for a one-time gift?"
    assert status_of(gift) == ("completed", ["succeeded"])


@pytest.mark.django_db
def test_a_late_transfer_confirms_a_payment_marked_failed():
    gift = start("25")
    from support.actions.contributions import fail_payment

    fail_payment(actor=STAFF, payment_id=gift.payments.get().pk)
    report = import_bank_statement(actor=STAFF, rows=[line(2, "25.00", gift.reference)])
    assert outcome_lines(report) == {"confirmed": [2]}
    assert status_of(gift) == ("completed", ["succeeded"])


@pytest.mark.django_db
def test_a_payment_confirmed_by_hand_is_not_confirmed_again_by_the_statement():
    gift = start("25")
    confirm_payment(actor=STAFF, payment_id=gift.payments.get().pk, transaction_reference="seen it")
    report = import_bank_statement(actor=STAFF, rows=[line(2, "25.00", gift.reference)])
    assert outcome_lines(report) == {"needs_attention": [2]}  # a once gift already paid: staff decide
    assert Payment.objects.filter(contribution=gift).count() == 1


@pytest.mark.django_db
def test_a_dry_run_shows_exactly_what_would_happen_and_writes_nothing(django_capture_on_commit_callbacks):
    gift = start("25")
    monthly = start("10", frequency="monthly")
    Payment.objects.filter(contribution=monthly).update(status="succeeded")
    Contribution.objects.filter(pk=monthly.pk).update(status="active")
    rows = [line(2, "25.00", gift.reference), line(3, "25.00", gift.reference), line(4, "10.00", monthly.reference)]
    before = (Payment.objects.count(), AuditEntry.objects.count())
    with django_capture_on_commit_callbacks() as callbacks:
        preview = import_bank_statement(actor=STAFF, rows=rows, dry_run=True)
    assert preview.dry_run
    assert outcome_lines(preview) == {"confirmed": [2], "already_recorded": [3], "renewed": [4]}
    assert (Payment.objects.count(), AuditEntry.objects.count()) == before
    assert status_of(gift) == ("pending", ["pending"])
    assert callbacks == []  # nothing is forgotten or sent for a preview
    real = import_bank_statement(actor=STAFF, rows=rows)
    assert outcome_lines(real) == outcome_lines(preview)


@pytest.mark.django_db
def test_a_surprise_on_one_line_does_not_undo_the_others(monkeypatch):
    first, second = start("25"), start("25")

    def refuse(**kwargs):
        raise DomainError("The provider id is taken.")

    from support.actions import bank_statements

    real = bank_statements.confirm_payment
    monkeypatch.setattr(
        bank_statements,
        "confirm_payment",
        lambda **kwargs: refuse(**kwargs) if kwargs["payment_id"] == second.payments.get().pk else real(**kwargs),
    )
    report = import_bank_statement(actor=STAFF, rows=[line(2, "25", first.reference), line(3, "25", second.reference)])
    assert outcome_lines(report) == {"confirmed": [2], "needs_attention": [3]}
    assert report.outcomes["needs_attention"][0].note == "The provider id is taken."
    assert status_of(first) == ("completed", ["succeeded"]) and status_of(second) == ("pending", ["pending"])


# --- the admin page


def upload(client, text, name="statement.csv", encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(IMPORT_URL, {"statement": SimpleUploadedFile(name, data, content_type="text/csv")})


def summary(response):
    page = BeautifulSoup(response.content, "html.parser")
    return {
        row["data-outcome"]: int(row.select_one("td").get_text(strip=True))
        for row in page.select("[data-report-summary] tr")
    }


def preview_token(response):
    return BeautifulSoup(response.content, "html.parser").select_one("form[data-import-form] input[name=preview]")[
        "value"
    ]


def test_upload_preview_then_import(revenue):
    gift = start("25")
    monthly = start("10", frequency="monthly")
    assert revenue.get(IMPORT_URL).status_code == 200
    text = (
        "Date;Description;Amount;Currency\n"
        f"02.03.2026;Max Mustermann {gift.reference};25,00;EUR\n"
        f"02.03.2026;Erika Musterfrau {monthly.reference.replace('-', ' ')};10,00;EUR\n"
        "03.03.2026;Rent;-800,00;EUR\n"
        "04.03.2026;??;abc;EUR\n"
        "05.03.2026;Anna Example SUPPORT;30,00;EUR\n"
    )
    response = upload(revenue, "\ufeff" + text)
    assert response.status_code == 200
    content = response.content.decode()
    assert "would record 3 payments. Nothing has been recorded yet." in content
    assert summary(response)["confirmed"] == 2 and summary(response)["malformed"] == 1
    assert "Mustermann" not in content and "Musterfrau" not in content  # names are read for references only
    token = preview_token(response)
    assert "Mustermann" not in token  # nor carried in the preview (signed, compressed, without descriptions)
    assert status_of(gift) == ("pending", ["pending"]) and not AuditEntry.objects.filter(
        action="bank_statement.imported"
    )

    imported = revenue.post(IMPORT_URL, {"preview": token})
    assert imported.status_code == 200
    assert summary(imported) == {
        "confirmed": 2,
        "renewed": 0,
        "already_recorded": 0,
        "amount_differs": 0,
        "needs_attention": 0,
        "general_gift": 1,
        "unknown_reference": 0,
        "no_reference": 0,
        "outgoing": 1,
        "malformed": 1,
    }
    assert "Statement imported: 3 payments recorded, 5 lines read." in imported.content.decode()
    assert status_of(gift) == ("completed", ["succeeded"]) and status_of(monthly) == ("active", ["succeeded"])
    page = BeautifulSoup(imported.content, "html.parser")
    assert page.select_one("[data-section=malformed] tr[data-line='5']")

    # The same preview posted again (a reload), and the same file uploaded again: nothing twice.
    assert summary(revenue.post(IMPORT_URL, {"preview": token}))["already_recorded"] == 3  # the anonymous gift too
    assert summary(upload(revenue, text))["already_recorded"] == 3
    assert Payment.objects.filter(status="succeeded", contribution__in=[gift, monthly]).count() == 2
    assert AuditEntry.objects.filter(action="bank_statement.imported").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("date,amount,currency,description\n2026-03-02,25,EUR,für SZ\n".encode("latin-1"), "not UTF-8"),
        (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
        (b"", "The submitted file is empty."),
        (b"a;b\n1;2\n", "date, amount, currency, description not found"),
    ],
)
def test_unreadable_uploads_get_a_clear_message_and_change_nothing(revenue, data, message):
    before = AuditEntry.objects.count()
    response = upload(revenue, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_no_file_is_a_form_error(revenue):
    response = revenue.post(IMPORT_URL, {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize("token", ["", "garbage", "a:b:c"])
def test_a_forged_or_stale_preview_imports_nothing(revenue, token):
    gift = start("25")
    response = revenue.post(IMPORT_URL, {"preview": token or " "})
    assert response.status_code == 400
    assert "The preview has expired or is not valid." in response.content.decode()
    assert status_of(gift) == ("pending", ["pending"])


def test_a_preview_is_only_good_for_the_person_who_made_it(revenue, db):
    gift = start("25")
    token = preview_token(upload(revenue, f"date,amount,currency,description\n2026-03-02,25,EUR,{gift.reference}\n"))
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    assert admin.post(IMPORT_URL, {"preview": token}).status_code == 400
    assert status_of(gift) == ("pending", ["pending"])


def test_an_expired_preview_imports_nothing(revenue, monkeypatch):
    gift = start("25")
    token = preview_token(upload(revenue, f"date,amount,currency,description\n2026-03-02,25,EUR,{gift.reference}\n"))
    monkeypatch.setattr("support.admin.statements.PREVIEW_MAX_AGE", -1)
    response = revenue.post(IMPORT_URL, {"preview": token})
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert status_of(gift) == ("pending", ["pending"])


@pytest.mark.parametrize("username", ["editor", "contributor"])
def test_only_the_revenue_role_imports(db, username):
    gift = start("25")
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    assert client.get(IMPORT_URL).status_code == 302
    response = upload(client, f"date,amount,currency,description\n2026-03-02,25,EUR,{gift.reference}\n")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert status_of(gift) == ("pending", ["pending"])


def test_anonymous_visitors_cannot_import(db):
    response = Client().post(IMPORT_URL, {})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_a_line_quoting_support_is_anonymous_income_counted_once():
    from support import ledger
    from support.models import Campaign

    campaign = Campaign.objects.get(language="en", is_active=True)
    before = ledger.recent_one_time_income(campaign)
    today = timezone.localdate()
    data = (
        "Date;Amount;Currency;Description\n"
        f"{today:%d.%m.%Y};15,00;EUR;SUPPORT from A. Mustermann\n"
        f"{today:%d.%m.%Y};7,50;EUR;for the newsroom, support\n"
    ).encode()
    parsed = read_statement(data)
    report = import_bank_statement(actor=STAFF, rows=parsed.lines)
    assert [item.line for item in report.outcomes["general_gift"]] == [2, 3] and report.recorded == 2
    gifts = Contribution.objects.filter(payments__provider_id__startswith="bank statement", frequency="once")
    assert gifts.count() == 2
    assert all(g.supporter_id is None and g.status == "completed" and g.method == "bank_transfer" for g in gifts)
    assert ledger.recent_one_time_income(campaign) == before + Money(Decimal("22.50"), "EUR")
    assert "Mustermann" not in json.dumps([list(AuditEntry.objects.values_list("data", flat=True))])

    again = import_bank_statement(actor=STAFF, rows=read_statement(data).lines)
    assert len(again.outcomes["already_recorded"]) == 2 and not again.outcomes["general_gift"]
    assert gifts.count() == 2 and ledger.recent_one_time_income(campaign) == before + Money(Decimal("22.50"), "EUR")


@pytest.mark.django_db
def test_identical_lines_in_one_statement_are_each_counted_once():
    """Two readers who send the same amount quoting SUPPORT on the same day are two gifts; the statement imported
    again (or exported again over a longer period, the day's lines in the same order) adds nothing."""
    from support import ledger
    from support.models import Campaign

    campaign = Campaign.objects.get(language="en", is_active=True)
    before = ledger.recent_one_time_income(campaign)
    today = timezone.localdate()
    gift = start("25")
    day = f"{today:%d.%m.%Y}"
    data = (
        "Date;Amount;Currency;Description\n"
        f"{day};10,00;EUR;SUPPORT\n"
        f"{day};10,00;EUR;support the newsroom\n"
        f"{day};25,00;EUR;{gift.reference}\n"
        f"{day};25,00;EUR;{gift.reference} again\n"
    ).encode()
    report = import_bank_statement(actor=STAFF, rows=read_statement(data).lines)
    assert outcome_lines(report) == {"general_gift": [2, 3], "confirmed": [4], "needs_attention": [5]}
    assert ledger.recent_one_time_income(campaign) == before + Money(Decimal("45.00"), "EUR")

    longer = (
        "Date;Amount;Currency;Description\n"
        f"{(today - dt.timedelta(days=1)):%d.%m.%Y};7,00;EUR;SUPPORT\n" + data.decode().split("\n", 1)[1]
    ).encode()
    again = import_bank_statement(actor=STAFF, rows=read_statement(longer).lines)
    assert outcome_lines(again) == {"general_gift": [2], "already_recorded": [3, 4, 5], "needs_attention": [6]}
    assert ledger.recent_one_time_income(campaign) == before + Money(Decimal("52.00"), "EUR")
    assert Payment.objects.filter(contribution=gift).count() == 1
