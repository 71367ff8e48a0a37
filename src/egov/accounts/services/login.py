"""The officials' login: password, then the TOTP code; lockout, logout, step-up, records.

Every attempt, good or bad, is in the audit log (actions ``accounts.login*``, ``accounts.totp*``,
``accounts.lockout``, ``accounts.logout``, ``accounts.step_up``). Passwords, codes and TOTP
secrets are never written anywhere but the hashed password column and the encrypted secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from egov.accounts import ratelimit, totp
from egov.accounts.models import LoginLockout, TotpDevice
from egov.core.services import audit

PENDING = "egov_pending_login"
# How long the code step may follow the password step.
PENDING_SECONDS = 300
SESSION_FLAG = "egov_auth"
STEPPED_UP = "egov_stepped_up_at"


@dataclass
class Outcome:
    ok: bool
    message: str = ""
    user: object = None
    status: int = 400


def _minutes(seconds: float) -> int:
    return max(1, int((seconds + 59) // 60))


def _locked_message(until) -> str:
    minutes = _minutes((until - timezone.now()).total_seconds())
    return ngettext(
        "Too many failed attempts: this account is locked for %(minutes)d more minute.",
        "Too many failed attempts: this account is locked for %(minutes)d more minutes.",
        minutes,
    ) % {"minutes": minutes}


def rate_limited(request, what: str) -> Outcome | None:
    allowed, wait = ratelimit.hit(
        f"{what}:{ratelimit.client_ip(request)}", settings.EGOV_LOGIN_RATE
    )
    if allowed:
        return None
    return Outcome(
        False,
        _("Too many attempts from your address. Try again in %(seconds)d seconds.")
        % {"seconds": wait},
        status=429,
    )


def locked_until(user):
    lock = LoginLockout.objects.filter(user=user).only("locked_until").first()
    if lock and lock.locked_until and lock.locked_until > timezone.now():
        return lock.locked_until
    return None


@transaction.atomic
def _failure(user, action: str, reason: str):
    """Count one failure of ``user``; lock the account when there are too many. Recorded."""
    now = timezone.now()
    lock, _created = LoginLockout.objects.select_for_update().get_or_create(user=user)
    if lock.locked_until and lock.locked_until <= now:
        lock.failed_attempts = 0  # the cool-down is over: start counting again
        lock.locked_until = None
    lock.failed_attempts += 1
    lock.last_failure_at = now
    audit.record(actor="anonymous", action=action, obj=user, summary={"reason": reason})
    if lock.failed_attempts >= settings.EGOV_LOCKOUT_ATTEMPTS and not lock.locked_until:
        lock.locked_until = now + dt.timedelta(seconds=settings.EGOV_LOCKOUT_SECONDS)
        audit.record(
            actor="system",
            action="accounts.lockout",
            obj=user,
            summary={"attempts": lock.failed_attempts, "seconds": settings.EGOV_LOCKOUT_SECONDS},
        )
    lock.save()
    return lock.locked_until


def _unknown_key(username: str) -> str:
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"egov:lockout-unknown:{digest}"


def _unknown_locked_until(username: str):
    state = cache.get(_unknown_key(username))
    if state and state["locked_until"] and state["locked_until"] > timezone.now():
        return state["locked_until"]
    return None


def _unknown_failure(username: str):
    """Count a failure for a name no account has, as ``_failure`` counts one for an account:
    otherwise the lockout message would appear for real names only and tell which exist. The
    count lives in the cache (no row for a name that is not a user); kept a day past the lock."""
    key, now = _unknown_key(username), timezone.now()
    state = cache.get(key) or {"failed_attempts": 0, "locked_until": None}
    if state["locked_until"] and state["locked_until"] <= now:
        state = {"failed_attempts": 0, "locked_until": None}
    state["failed_attempts"] += 1
    if state["failed_attempts"] >= settings.EGOV_LOCKOUT_ATTEMPTS and not state["locked_until"]:
        state["locked_until"] = now + dt.timedelta(seconds=settings.EGOV_LOCKOUT_SECONDS)
    cache.set(key, state, timeout=settings.EGOV_LOCKOUT_SECONDS + 86400)
    return state["locked_until"]


def password_step(request, username: str, password: str) -> Outcome:
    """Check the password. On success the login is *pending*: the code step must follow."""
    if limited := rate_limited(request, "login"):
        return limited
    User = get_user_model()
    user = User.objects.filter(username__iexact=(username or "").strip()).first()
    until = locked_until(user) if user is not None else _unknown_locked_until(username or "")
    if until:
        with transaction.atomic():
            audit.record(
                actor="anonymous",
                action="accounts.login_refused",
                obj=user,
                object_type=None if user else "accounts.user",
                summary={"reason": "locked" if user else "locked (unknown user)"},
            )
        return Outcome(False, _locked_message(until))
    authenticated = auth.authenticate(
        request, username=user.get_username() if user else username, password=password
    )
    if authenticated is None:
        if user is None:
            with transaction.atomic():
                audit.record(
                    actor="anonymous",
                    action="accounts.login_failed",
                    object_type="accounts.user",
                    summary={"reason": "unknown user"},
                )
            if until := _unknown_failure(username or ""):
                return Outcome(False, _locked_message(until))
        else:
            reason = "inactive" if not user.is_active else "wrong password"
            if until := _failure(user, "accounts.login_failed", reason):
                return Outcome(False, _locked_message(until))
        return Outcome(False, _("Wrong username or password."))
    request.session[PENDING] = {
        "user": authenticated.pk,
        "backend": authenticated.backend,
        "at": time.time(),
    }
    return Outcome(True, user=authenticated)


def pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def device_of(user) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user).first()


@transaction.atomic
def start_enrolment(user) -> str:
    """A fresh secret for a user who has no confirmed device yet; returns the plain secret."""
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise ValueError("already enrolled")
    secret = totp.new_secret()
    if device is None:
        device = TotpDevice(user=user)
    device.encrypted_secret = totp.encrypt(secret)
    device.last_step = 0
    device.save()
    return secret


def enrolment_secret(user) -> str | None:
    device = device_of(user)
    if device is None or device.confirmed_at is not None:
        return None
    return totp.decrypt(device.encrypted_secret)


# Why a code was refused: the audit's reason and what the person is told.
WRONG_CODE = "wrong code"
USED_CODE = "code already used"


def _verify(user, code: str) -> str | None:
    """Check a code against the user's device, never accepting one twice: None when accepted,
    else why not (WRONG_CODE, or USED_CODE for a code already accepted, e.g. typed again in the
    same 30 s after a step-up)."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            return WRONG_CODE
        secret = totp.decrypt(device.encrypted_secret)
        step = totp.match(secret, code, after_step=device.last_step)
        if not step:
            # Valid for a step already used: only the code's owner saw it, so saying so tells an
            # attacker who replays it nothing new, and the official why to wait for the next.
            return USED_CODE if totp.match(secret, code) else WRONG_CODE
        device.last_step = step
        if device.confirmed_at is None:
            device.confirmed_at = timezone.now()
            audit.record(actor=user, action="accounts.totp_enrolled", obj=user)
        device.save(update_fields=["last_step", "confirmed_at"])
        return None


def _refused_code_message(reason: str) -> str:
    if reason == USED_CODE:
        return _(
            "This code has already been used. Enter the next code your authenticator app shows."
        )
    return _("Wrong code. Enter the 6 digits your authenticator app shows now.")


def code_step(request, code: str) -> Outcome:
    """Second step (or enrolment confirmation): a good code completes the login."""
    if limited := rate_limited(request, "login"):
        return limited
    user = pending_user(request)
    if user is None:
        return Outcome(False, _("Your login has expired. Enter your password again."))
    if until := locked_until(user):
        return Outcome(False, _locked_message(until))
    if refused := _verify(user, code):
        if until := _failure(user, "accounts.totp_failed", refused):
            request.session.pop(PENDING, None)
            return Outcome(False, _locked_message(until))
        return Outcome(False, _refused_code_message(refused))
    request.session.pop(PENDING, None)
    with transaction.atomic():
        LoginLockout.objects.filter(user=user).update(failed_attempts=0, locked_until=None)
        auth.login(request, user)
        request.session[SESSION_FLAG] = "password+totp"
        request.session[STEPPED_UP] = time.time()
        audit.record(actor=user, action="accounts.login", obj=user, summary={"factors": 2})
    return Outcome(True, user=user)


def step_up(request, code: str) -> Outcome:
    """Ask the logged-in official for a fresh code before a sensitive act."""
    if limited := rate_limited(request, "login"):
        return limited
    user = request.user
    if until := locked_until(user):
        return Outcome(False, _locked_message(until))
    if refused := _verify(user, code):
        _failure(user, "accounts.totp_failed", f"{refused} at step-up")
        return Outcome(False, _refused_code_message(refused))
    request.session[STEPPED_UP] = time.time()
    with transaction.atomic():
        audit.record(actor=user, action="accounts.step_up", obj=user)
    return Outcome(True, user=user)


def stepped_up_within(request, seconds: int) -> bool:
    return time.time() - request.session.get(STEPPED_UP, 0) <= seconds


def logout(request, *, reason: str = "logout") -> None:
    user = request.user
    if user.is_authenticated:
        with transaction.atomic():
            audit.record(
                actor=user,
                action="accounts.logout" if reason == "logout" else "accounts.session_expired",
                obj=user,
                summary={"reason": reason},
            )
    auth.logout(request)
