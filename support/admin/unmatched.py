"""The review list of bank statement lines that matched nothing: staff attach each to a contribution, count it as an
anonymous gift, or dismiss it (support/actions/unmatched.py; the Revenue role, ``support.change_payment``).

Each resolution is a POST that redirects back to the list with its message; a refused one (a wrong reference, an
amount that differs, a line another person resolved first) is answered 400 with the reason and changes nothing.
"""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actions import Actor
from core.errors import DomainError
from support.actions.unmatched import attach_line, count_line_as_anonymous, dismiss_line
from support.admin.contributions import LARGEST_ID
from support.admin.statements import StatementsPage
from support.models import UnmatchedTransfer

RESOLVED_SHOWN = 50  # the latest resolved lines, under the open ones
ACTIONS = {
    "attach": lambda actor, pk, data: attach_line(actor=actor, transfer_id=pk, reference=data.get("reference", "")),
    "anonymous": lambda actor, pk, data: count_line_as_anonymous(actor=actor, transfer_id=pk),
    "dismiss": lambda actor, pk, data: dismiss_line(actor=actor, transfer_id=pk),
}
DONE = {
    "attach": gettext_lazy("The transfer of %(amount)s %(currency)s is attached to its contribution."),
    "anonymous": gettext_lazy("The transfer of %(amount)s %(currency)s is counted as an anonymous gift."),
    "dismiss": gettext_lazy("The transfer of %(amount)s %(currency)s is dismissed."),
}


class UnmatchedTransfersView(StatementsPage):
    template_name = "support/admin/unmatched_transfers.html"
    page_title = gettext_lazy("Unmatched transfers")
    header_icon = "warning"

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def render_page(self, *, problem=None, problem_line=None, status=200):
        lines = UnmatchedTransfer.objects.all()
        context = self.get_context_data(
            open_lines=list(lines.filter(status=UnmatchedTransfer.Status.OPEN)),
            resolved_lines=list(
                lines.exclude(status=UnmatchedTransfer.Status.OPEN).order_by("-resolved_at", "-pk")[:RESOLVED_SHOWN]
            ),
            problem=problem,
            problem_line=problem_line,
        )
        return self.render_to_response(context, status=status)

    def post(self, request, pk, action, *args, **kwargs):
        if action not in ACTIONS:
            return self.render_page(problem=_("There is no such action."), status=404)
        if pk > LARGEST_ID or not UnmatchedTransfer.objects.filter(pk=pk).exists():
            return self.render_page(problem=_("There is no such statement line."), status=404)
        try:
            transfer = ACTIONS[action](Actor.staff(request.user), pk, request.POST)
        except DomainError as error:
            return self.render_page(problem=error.message, problem_line=pk, status=400)
        messages.success(request, DONE[action] % {"amount": transfer.amount, "currency": transfer.currency})
        return redirect("support_unmatched_transfers")
