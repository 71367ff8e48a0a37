"""Officials' pages: login (password, then code), logout, step-up, password reset by e-mail.

Plain forms, no JavaScript. The code step enrols an authenticator app on first login (QR code
and the otpauth:// address as text).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlsafe_base64_decode,
    urlsafe_base64_encode,
)
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from egov.accounts import totp
from egov.accounts.forms import CodeForm, NewPasswordForm, PasswordLoginForm, ResetRequestForm
from egov.accounts.services import login as login_services
from egov.accounts.services import officials as official_services

NEXT = "egov_login_next"


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse(settings.LOGIN_REDIRECT_URL)


@never_cache
def login_view(request):
    form = PasswordLoginForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        outcome = login_services.password_step(
            request, form.cleaned_data["username"], form.cleaned_data["password"]
        )
        if outcome.ok:
            request.session[NEXT] = _safe_next(request, request.POST.get("next"))
            return redirect("official-login-code")
        error, status = outcome.message, outcome.status
    return render(
        request,
        "accounts/login.html",
        {"form": form, "error": error, "next": request.GET.get("next", "")},
        status=status,
    )


@never_cache
def code_view(request):
    user = login_services.pending_user(request)
    if user is None:
        return redirect("official-login")
    device = login_services.device_of(user)
    enrolling = device is None or device.confirmed_at is None
    form = CodeForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        outcome = login_services.code_step(request, form.cleaned_data["code"])
        if outcome.ok:
            landing = reverse(settings.LOGIN_REDIRECT_URL)
            return redirect(request.session.pop(NEXT, None) or landing)
        error, status = outcome.message, outcome.status
        if login_services.pending_user(request) is None:  # locked: start again
            context = {"form": PasswordLoginForm(), "error": error}
            return render(request, "accounts/login.html", context, status=status)
    context = {"form": form, "error": error, "enrolling": enrolling}
    if enrolling:
        secret = login_services.enrolment_secret(user) or login_services.start_enrolment(user)
        uri = totp.provisioning_uri(secret, user.get_username(), _instance_issuer())
        context.update({"secret": secret, "uri": uri, "qr": totp.qr_svg(uri)})
    return render(request, "accounts/code.html", context, status=status)


def _instance_issuer() -> str:
    return settings.EGOV_INSTANCE_NAME or "egov"


@require_POST
def logout_view(request):
    login_services.logout(request)
    return redirect("portal:home")


@never_cache
@login_required
def step_up_view(request):
    form = CodeForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        outcome = login_services.step_up(request, form.cleaned_data["code"])
        if outcome.ok:
            return redirect(_safe_next(request, request.POST.get("next")))
        error, status = outcome.message, outcome.status
    context = {"form": form, "error": error, "next": request.GET.get("next", "")}
    return render(request, "accounts/step_up.html", context, status=status)


@never_cache
def reset_request_view(request):
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if limited := login_services.rate_limited(request, "reset"):
            return render(
                request,
                "accounts/reset_request.html",
                {"form": form, "error": limited.message},
                status=429,
            )
        _send_reset_mail(request, form.cleaned_data["email"])
        # The same answer whether or not the address is known.
        return render(request, "accounts/reset_sent.html")
    return render(request, "accounts/reset_request.html", {"form": form})


def _send_reset_mail(request, email: str) -> None:
    User = get_user_model()
    for user in User.objects.filter(email__iexact=email, is_active=True):
        if not user.has_usable_password():
            continue
        link = request.build_absolute_uri(
            reverse(
                "password-reset-confirm",
                args=[
                    urlsafe_base64_encode(force_bytes(user.pk)),
                    default_token_generator.make_token(user),
                ],
            )
        )
        context = {"user": user, "link": link, "minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
        send_mail(
            _("Reset your password"),
            render_to_string("accounts/reset_email.txt", context),
            None,
            [user.email],
        )


@never_cache
def reset_confirm_view(request, uidb64, token):
    User = get_user_model()
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/reset_invalid.html", status=400)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            official_services.set_password(
                user, form.cleaned_data["password1"], actor=user, action="accounts.password_reset"
            )
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            return render(request, "accounts/reset_done.html")
    return render(
        request, "accounts/reset_confirm.html", {"form": form}, status=400 if form.errors else 200
    )
