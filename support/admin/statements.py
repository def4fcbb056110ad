"""The bank statement import in the Wagtail admin: upload a statement, see what it would record, confirm within an
hour (the preview is signed for the person who uploaded it, and carries no payer's name). Open to
``support.change_payment`` (the Revenue role; superusers always). The import itself is the action
``support.actions.bank_statements.import_bank_statement``."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actions import Actor
from support.actions.bank_statements import OUTCOMES, ImportReport, import_bank_statement
from support.admin.contributions import AdminPage, can_confirm_payments
from support.statements import MAX_BYTES, MAX_LINES, StatementError, StatementLine, read_statement

# A statement preview is confirmed within this time, by the person who uploaded it.
PREVIEW_MAX_AGE = 60 * 60
PREVIEW_SALT = "support.statement-preview"


class StatementUploadForm(forms.Form):
    statement = forms.FileField(
        label=gettext_lazy("Bank statement (CSV)"),
        help_text=gettext_lazy(
            "Columns: date, amount, currency, description (separated by ; or ,). UTF-8, at most 2 MB and 10,000 lines."
        ),
    )


def pack_preview(parsed_lines, malformed, user):
    """The parsed statement, signed for the person who previewed it: confirming needs no second upload and carries
    no description (no payer's name) — only dates, amounts, currencies and references."""
    payload = {
        "lines": [
            [
                line.line,
                line.date.isoformat(),
                str(line.amount),
                line.currency,
                line.references,
                line.general_gift,
                line.occurrence,
            ]
            for line in parsed_lines
        ],
        "malformed": malformed,
    }
    return signing.dumps(payload, salt=f"{PREVIEW_SALT}:{user.pk}", compress=True)


def unpack_preview(token, user):
    payload = signing.loads(token, salt=f"{PREVIEW_SALT}:{user.pk}", max_age=PREVIEW_MAX_AGE)
    lines = [
        StatementLine(number, dt.date.fromisoformat(date), Decimal(amount), currency, tuple(references), *gift)
        for number, date, amount, currency, references, *gift in payload["lines"]
    ]
    return lines, [tuple(item) for item in payload["malformed"]]


def report_sections(report: ImportReport):
    return [
        {"key": key, "label": label, "items": report.outcomes[key], "count": len(report.outcomes[key])}
        for key, label in OUTCOMES
    ]


class StatementsPage(AdminPage):
    """A page of the bank statements' side (the import, the review list): under Contributions, for those who may
    confirm payments."""

    permission_check = staticmethod(can_confirm_payments)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("support_contributions"), "label": _("Contributions")},
            {"url": "", "label": self.get_page_title()},
        ]


class StatementImportView(StatementsPage):
    template_name = "support/admin/statement_import.html"
    page_title = gettext_lazy("Import a bank statement")
    header_icon = "upload"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=StatementUploadForm()))

    def post(self, request, *args, **kwargs):
        if "preview" in request.POST:
            return self.import_previewed(request)
        form = StatementUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.refuse(form, None)
        upload = form.cleaned_data["statement"]
        if upload.size > MAX_BYTES:
            return self.refuse(form, _("The file is larger than %(limit)s MB. Export a shorter period.") % {"limit": 2})
        try:
            parsed = read_statement(upload.read(MAX_BYTES + 1))
        except StatementError as error:
            return self.refuse(form, error.message)
        report = import_bank_statement(
            actor=Actor.staff(request.user), rows=parsed.lines, malformed=parsed.malformed, dry_run=True
        )
        context = self.get_context_data(
            form=StatementUploadForm(),
            report=report,
            sections=report_sections(report),
            preview=pack_preview(parsed.lines, parsed.malformed, request.user),
            file_name=upload.name[:80],
        )
        return self.render_to_response(context)

    def import_previewed(self, request):
        try:
            lines, malformed = unpack_preview(request.POST.get("preview", ""), request.user)
        except (signing.BadSignature, ValueError, TypeError, KeyError, ArithmeticError):
            # Expired (SignatureExpired is a BadSignature), tampered with, or previewed by someone else.
            return self.refuse(
                StatementUploadForm(),
                _("The preview has expired or is not valid. Upload the statement again; nothing was imported."),
            )
        report = import_bank_statement(actor=Actor.staff(request.user), rows=lines, malformed=malformed)
        messages.success(
            request,
            _("Statement imported: %(recorded)s payments recorded, %(lines)s lines read.")
            % {"recorded": report.recorded, "lines": report.lines},
        )
        context = self.get_context_data(
            form=StatementUploadForm(), report=report, sections=report_sections(report), imported=True
        )
        return self.render_to_response(context)

    def refuse(self, form, message):
        context = self.get_context_data(form=form, problem=message, max_lines=f"{MAX_LINES:,}")
        return self.render_to_response(context, status=400)
