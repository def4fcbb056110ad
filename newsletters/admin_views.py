"""*Newsletters* in the Wagtail admin: the issues with their sending progress, composing one from published stories
(choose articles, write an intro), its preview, a test send to one address, and sending it now or at a set time.

Who may (superusers always may): ``newsletters.view_issue`` sees the issues and previews, ``newsletters.change_issue``
composes, tests and sends. Views are thin: parse, check access, call one action with ``Actor.staff(user)``, render.
A bad id is a 404, bad input a message on the form — never a 500.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.actions import Actor
from core.email_address import EmailAddressField
from core.errors import DomainError
from newsletters import actions
from newsletters.articles import live_articles
from newsletters.mail import compose
from newsletters.models import Issue, NewsletterList
from newsletters.sending import SendingFailed, primary_connection
from support.reminder_mail import MailNotSent, deliver

VIEW_PERMISSION = "newsletters.view_issue"
CHANGE_PERMISSION = "newsletters.change_issue"
LARGEST_ID = 2**63 - 1
CHOOSABLE_ARTICLES = 60


def can_view(user) -> bool:
    return user.is_active and user.has_perm(VIEW_PERMISSION)


def can_change(user) -> bool:
    return user.is_active and user.has_perm(CHANGE_PERMISSION)


def _issue(pk) -> Issue:
    issue = Issue.objects.filter(pk=pk).first() if 0 < pk <= LARGEST_ID else None
    if issue is None:
        raise Http404("No such issue")
    return issue


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    permission_check = staticmethod(can_view)
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_check(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class IssueForm(forms.Form):
    list = forms.ChoiceField(label=gettext_lazy("List"), choices=NewsletterList.choices)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=150,
        help_text=gettext_lazy("Keep it neutral: readers at risk may not want their inbox to say who wrote."),
    )
    intro = forms.CharField(label=gettext_lazy("Intro"), widget=forms.Textarea, required=False, max_length=5000)
    articles = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Stories"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("For an SOS digest with none chosen, the latest stories go out in full."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.article_languages = {}
        choices = []
        for language, _name in settings.LANGUAGES:
            for pk, title in live_articles(language).values_list("pk", "title")[:CHOOSABLE_ARTICLES]:
                self.article_languages[pk] = language
                choices.append((pk, f"[{language}] {title}"))
        self.fields["articles"].choices = choices

    def clean(self):
        cleaned = super().clean()
        language = cleaned.get("language")
        if language and any(self.article_languages.get(pk) != language for pk in cleaned.get("articles") or []):
            self.add_error("articles", gettext_lazy("Choose stories in the issue's language."))
        return cleaned


class IssuesView(AdminPage):
    template_name = "newsletters/admin/issues.html"
    page_title = gettext_lazy("Newsletters")

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(issues=Issue.objects.all()[:50], may_change=can_change(request.user))
        return self.render_to_response(context)


class IssueEditView(AdminPage):
    template_name = "newsletters/admin/issue_form.html"
    permission_check = staticmethod(can_change)
    page_title = gettext_lazy("Newsletter issue")

    def get(self, request, pk=None):
        issue = _issue(pk) if pk is not None else None
        initial = {"language": settings.LANGUAGE_CODE, "list": NewsletterList.WEEKLY}
        if issue is not None:
            initial = {
                "list": issue.list,
                "language": issue.language,
                "subject": issue.subject,
                "intro": issue.intro,
                "articles": issue.article_ids,
            }
        return self.render_to_response(self.get_context_data(form=IssueForm(initial=initial), issue=issue))

    def post(self, request, pk=None):
        issue = _issue(pk) if pk is not None else None
        form = IssueForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, issue=issue), status=400)
        data = form.cleaned_data
        try:
            saved = actions.save_issue(
                actor=Actor.staff(request.user),
                issue_id=issue.pk if issue else None,
                list=data["list"],
                language=data["language"],
                subject=data["subject"],
                intro=data["intro"],
                article_ids=data["articles"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form, issue=issue), status=400)
        messages.success(request, _("Issue saved."))
        return redirect("newsletters_admin_issue", pk=saved.pk)


class SendForm(forms.Form):
    send_at = forms.DateTimeField(label=gettext_lazy("Send at (empty: now)"), required=False)


class TestForm(forms.Form):
    email = EmailAddressField(label=gettext_lazy("Send a test to"))


class IssueView(AdminPage):
    """One issue: its progress, the preview, a test send and sending it."""

    template_name = "newsletters/admin/issue.html"
    page_title = gettext_lazy("Newsletter issue")

    def _page(self, issue, *, send_form=None, test_form=None, status=200):
        context = self.get_context_data(
            issue=issue,
            send_form=send_form or SendForm(),
            test_form=test_form or TestForm(),
            may_change=can_change(self.request.user),
            editable=issue.status in (Issue.Status.DRAFT, Issue.Status.SCHEDULED),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, pk):
        return self._page(_issue(pk))

    def post(self, request, pk):
        issue = _issue(pk)
        if not can_change(request.user):
            return permission_denied(request)
        if request.POST.get("do") == "test":
            form = TestForm(request.POST)
            if not form.is_valid():
                return self._page(issue, test_form=form, status=400)
            message = compose(issue).message_for(form.cleaned_data["email"], "test")
            message.subject = f"[test] {message.subject}"
            message.connection = primary_connection()
            try:
                deliver(message)
            except MailNotSent as error:
                messages.error(request, _("The test was not sent: %(reason)s") % {"reason": error})
            else:
                messages.success(request, _("Test sent."))
            return redirect("newsletters_admin_issue", pk=issue.pk)
        form = SendForm(request.POST)
        if not form.is_valid():
            return self._page(issue, send_form=form, status=400)
        try:
            actions.schedule_issue(
                actor=Actor.staff(request.user), issue_id=issue.pk, send_at=form.cleaned_data["send_at"]
            )
        except (DomainError, SendingFailed) as error:
            messages.error(request, str(getattr(error, "message", error)))
        else:
            messages.success(request, _("Sending started.") if not form.cleaned_data["send_at"] else _("Scheduled."))
        return redirect("newsletters_admin_issue", pk=issue.pk)


def preview(request, pk):
    """The HTML part as readers get it (the unsubscribe link a dummy), shown in a sandboxed frame."""
    if not can_view(request.user):
        return permission_denied(request)
    html = compose(_issue(pk)).html
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    return response
