from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from learnloop.accounts import services
from learnloop.accounts.models import ApiToken
from learnloop.accounts.tasks import password_reset_email_send
from learnloop.core import policy
from learnloop.core.forms import DateTimeField, add_service_errors
from learnloop.core.http import AuthedRequest
from learnloop.core.models import AuditEvent
from learnloop.people.models import Person


class SignInForm(AuthenticationForm):
    """People sign in with their work email (the account's username): the field says so."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account. The password is case-sensitive.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget.attrs.update({"inputmode": "email", "autocomplete": "username"})


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        person = form.user  # the signed-in person whose password just changed
        services.password_changed(actor=person, person=person, reset=False, source=AuditEvent.Source.WEB)
        return response


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset email from the background worker, after the request's transaction commits. The
    queued task carries the person's id only: the link is built in the worker (accounts/tasks.py)."""

    def get_users(self, email: str) -> Any:
        # Django skips accounts without a usable password; here those are people added by an admin or an
        # import, or brought back after leaving, who set their first password exactly this way.
        return (
            person
            for person in Person.objects.filter(email__iexact=email, is_active=True)
            if person.email.casefold() == email.casefold()
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        request = kwargs.get("request")
        domain = kwargs.get("domain_override") or (request.get_host() if request is not None else "")
        protocol = "https" if kwargs.get("use_https") else "http"
        for person in self.get_users(self.cleaned_data["email"]):
            _queue_reset_email(person_id=person.pk, domain=domain, protocol=protocol)


def _queue_reset_email(*, person_id: int, domain: str, protocol: str) -> None:
    def enqueue() -> None:
        password_reset_email_send.enqueue(person_id=person_id, domain=domain, protocol=protocol)

    transaction.on_commit(enqueue)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(actor=form.user, person=form.user, reset=True, source=AuditEvent.Source.WEB)
        return response


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'HR sync script'")
    expires_at = DateTimeField(
        required=False,
        label="Expires (optional)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


@login_required
def tokens(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.token_create(actor=request.user, person=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = TokenForm()
    status = 400 if request.method == "POST" and form.errors else 200
    context = {"form": form, "issued": issued, "tokens": ApiToken.objects.filter(person=request.user)}
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = policy.get_or_404(request.user, "revoke", ApiToken.objects.all(), pk=token_id)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, f"Token “{token.name}” revoked; scripts using it will be refused from now on.")
    return redirect("accounts:tokens")
