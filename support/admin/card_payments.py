"""*Support → Card payments* in the Wagtail admin: whether card payments are running or paused by the card-testing
breaker (``support.cards.defence``), the figures it is watching, how many client addresses, contributions and email
addresses are blocked after their declines, its recent pauses, and “Resume card payments now”, which ends the pause
and lifts those blocks.

Who may do what (superusers always may): ``support.view_contribution`` sees the page; ``support.change_payment`` —
the Revenue role — may resume card payments early. Resuming is the audited action ``resume_card_payments``.
"""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.actions import Actor
from core.models import AuditEntry
from support.admin.contributions import AdminPage, can_confirm_payments
from support.cards import state
from support.cards.actions import resume_card_payments

HISTORY_LENGTH = 10


def blocks_text(by_kind) -> str:
    """“2 client addresses, 1 email address”: the kinds with at least one block, for staff."""
    names = {
        "client_address": lambda n: ngettext("%(count)d client address", "%(count)d client addresses", n),
        "contribution": lambda n: ngettext("%(count)d contribution", "%(count)d contributions", n),
        "email": lambda n: ngettext("%(count)d email address", "%(count)d email addresses", n),
    }
    return ", ".join(names[kind](count) % {"count": count} for kind, count in by_kind.items() if count)


def resumed_message(resumed) -> str:
    count = resumed.blocks_lifted
    lifted = (
        ngettext("Lifted %(count)d card block (%(kinds)s).", "Lifted %(count)d card blocks (%(kinds)s).", count)
        % {"count": count, "kinds": blocks_text(resumed.lifted)}
        if count
        else _("No client address, contribution or email address was blocked.")
    )
    if resumed.was_paused:
        return _("Card payments are running again.") + " " + lifted
    return _("Card payments were not paused.") + " " + lifted


def moment(timestamp):
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)


def history():
    """The latest pauses and resumptions, newest first, with staff named by username."""
    entries = list(
        AuditEntry.objects.filter(action__in=["card.paused", "card.resumed"]).order_by("-created_at", "-pk")[
            :HISTORY_LENGTH
        ]
    )
    staff_ids = {int(e.actor_id) for e in entries if e.actor_kind == "staff" and e.actor_id.isdigit()}
    names = dict(get_user_model().objects.filter(pk__in=staff_ids).values_list("pk", "username"))
    for entry in entries:
        name = names.get(int(entry.actor_id)) if entry.actor_id.isdigit() else None
        entry.actor_label = name or entry.actor_id or entry.actor_kind
    return entries


class CardPaymentsView(AdminPage):
    template_name = "support/admin/card_payments.html"
    page_title = gettext_lazy("Card payments")
    header_icon = "warning"

    def get(self, request, *args, **kwargs):
        pause = state.pause()
        counted = state.figures()
        blocks = state.blocks_in_force()
        context = self.get_context_data(
            pause=pause,
            since=moment(pause.since) if pause else None,
            until=moment(pause.until) if pause else None,
            figures=counted,
            failure_percent=round(100 * counted.failure_ratio),
            min_failures=settings.CARD_BREAKER_MIN_FAILURES,
            ratio_percent=round(100 * settings.CARD_BREAKER_FAILURE_RATIO),
            window_minutes=max(1, settings.CARD_BREAKER_WINDOW // 60),
            pause_minutes=max(1, settings.CARD_BREAKER_PAUSE_SECONDS // 60),
            failure_limit=state.CARD_FAILURE_LIMIT,
            failure_window_minutes=state.CARD_FAILURE_WINDOW // 60,
            block_hours=state.CARD_BLOCK_SECONDS // 3600,
            blocks=sum(blocks.values()),
            blocks_text=blocks_text(blocks),
            may_resume=can_confirm_payments(request.user),
            history=history(),
        )
        return self.render_to_response(context)


class ResumeCardPaymentsView(AdminPage):
    """POST only: resume card payments now, and go back to the card payments page."""

    http_method_names = ["post"]
    permission_check = staticmethod(can_confirm_payments)

    def post(self, request, *args, **kwargs):
        resumed = resume_card_payments(actor=Actor.staff(request.user))
        if resumed.changed:
            messages.success(request, resumed_message(resumed))
        else:
            messages.info(request, _("Card payments were not paused and nothing was blocked; nothing changed."))
        return redirect("support_card_payments")
