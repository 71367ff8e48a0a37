"""Citizens: login through OpenID Connect, step-up, logout, acting for a business.

Every change is one transaction with its audit row. Audit rows and logs carry ids and reason codes
only: never a name, ID number, phone, e-mail or token.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts.models import BusinessRepresentation, Citizen, CitizenSession, OidcReplayGuard
from egov.accounts.models.citizens import personal_id_validator, tax_code_validator
from egov.accounts.oidc.errors import OidcError
from egov.core.services import audit

log = logging.getLogger(__name__)

SESSION_LEVEL = "citizen_assurance_level"
SESSION_CITIZEN = "citizen_id"
SESSION_ACTING_FOR = "citizen_acting_for"
REPLAY_GUARD_DAYS = 2


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _username(issuer: str, subject: str) -> str:
    return "citizen-" + _digest(f"{issuer}\n{subject}")[:32]


def _valid(value, validator) -> str:
    value = str(value or "").strip()
    try:
        validator(value)
    except ValidationError:
        return ""
    return value


def profile_from_claims(claims: dict) -> dict:
    """Only what the platform keeps (data minimisation); malformed values are dropped."""
    birth = None
    with contextlib.suppress(ValueError):
        birth = dt.date.fromisoformat(str(claims.get("birthdate", "")))
    email = str(claims.get("email") or "")[:254]
    return {
        "personal_id_number": _valid(
            claims.get(settings.EGOV_OIDC_PID_CLAIM), personal_id_validator
        ),
        "full_name": str(claims.get("name") or "")[:200],
        "date_of_birth": birth,
        "phone": str(claims.get("phone_number") or "")[:32],
        "email": email if "@" in email else "",
        "address": _address(claims.get("address")),
    }


ADDRESS_PARTS = ("formatted", "street_address", "locality", "region")


def _address(claim) -> dict:
    """The parts of the OpenID ``address`` claim kept (strings only, each at most 200)."""
    if not isinstance(claim, dict):
        return {}
    return {k: str(claim[k]).strip()[:200] for k in ADDRESS_PARTS if isinstance(claim.get(k), str)}


def _sync_representations(citizen: Citizen, claims: dict) -> None:
    asserted = claims.get("business_representations")
    if not isinstance(asserted, list):
        return
    seen = set()
    for item in asserted[:50]:
        if not isinstance(item, dict):
            continue
        tax_code = _valid(item.get("tax_code"), tax_code_validator)
        if not tax_code:
            continue
        seen.add(tax_code)
        BusinessRepresentation.objects.update_or_create(
            citizen=citizen,
            tax_code=tax_code,
            defaults={
                "business_name": str(item.get("name") or "")[:255],
                "source": BusinessRepresentation.Source.PROVIDER,
                "revoked_at": None,
            },
        )
    # The provider no longer asserts these: they end.
    citizen.business_representations.filter(
        source=BusinessRepresentation.Source.PROVIDER, revoked_at__isnull=True
    ).exclude(tax_code__in=seen).update(revoked_at=timezone.now())


def _consume(kind: str, value: str) -> bool:
    """Record a single-use value; False when it was already used."""
    now = timezone.now()
    OidcReplayGuard.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            OidcReplayGuard.objects.create(
                kind=kind,
                digest=_digest(value),
                expires_at=now + dt.timedelta(days=REPLAY_GUARD_DAYS),
            )
    except IntegrityError:
        return False
    return True


def _auth_backend() -> str:
    backends = settings.AUTHENTICATION_BACKENDS
    model = "django.contrib.auth.backends.ModelBackend"
    return model if model in backends else backends[0]


def current_citizen(request) -> Citizen | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return Citizen.objects.filter(user=user).first()


def session_level(request) -> int:
    """The assurance level of this session's citizen login (0: no citizen logged in)."""
    if current_citizen(request) is None:
        return 0
    return int(request.session.get(SESSION_LEVEL, 0))


@transaction.atomic
def login_citizen(request, verified) -> Citizen:
    """Create or update the citizen from verified claims and log them in (or step them up).

    ``verified`` is an egov.accounts.oidc.flow.VerifiedLogin. Raises OidcError when its nonce was
    already used (a replayed ID token) or a step-up was made by another person.
    """
    issuer = settings.EGOV_OIDC_ISSUER
    if not _consume(OidcReplayGuard.Kind.NONCE, verified.nonce):
        raise OidcError("nonce_replayed")
    current = current_citizen(request)
    step_up = verified.requested_level > 1 and current is not None
    if step_up and (current.issuer, current.subject) != (issuer, verified.subject):
        raise OidcError("subject_mismatch")
    profile = profile_from_claims(verified.claims)
    citizen = (
        Citizen.objects.select_for_update().filter(issuer=issuer, subject=verified.subject).first()
    )
    created = citizen is None
    if created:
        User = get_user_model()
        user = User(username=_username(issuer, verified.subject))
        user.set_unusable_password()
        user.save()
        citizen = Citizen(user=user, issuer=issuer, subject=verified.subject)
    for name, value in profile.items():
        setattr(citizen, name, value)
    citizen.last_login_at = timezone.now()
    citizen.save()
    _sync_representations(citizen, verified.claims)

    old_key = request.session.session_key
    login(request, citizen.user, backend=_auth_backend())
    request.session[SESSION_LEVEL] = verified.level
    request.session[SESSION_CITIZEN] = citizen.pk
    if not step_up:
        request.session.pop(SESSION_ACTING_FOR, None)
    request.session.save()
    if old_key and old_key != request.session.session_key:
        CitizenSession.objects.filter(session_key=old_key).delete()
    # Rows of sessions that have expired on their own since.
    CitizenSession.objects.filter(
        citizen=citizen,
        created_at__lt=timezone.now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE),
    ).delete()
    session, _created = CitizenSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "citizen": citizen,
            "provider_sid": verified.sid,
            "assurance_level": verified.level,
        },
    )
    audit.record(
        actor=citizen.user,
        action="accounts.citizen_step_up" if step_up else "accounts.citizen_login",
        obj=citizen,
        summary={
            "level": verified.level,
            "requested_level": verified.requested_level,
            "new_citizen": created,
            "session": session.pk,
        },
    )
    log.info(
        "citizen %s logged in at level %s (session record %s)",
        citizen.pk,
        verified.level,
        session.pk,
    )
    return citizen


@transaction.atomic
def record_failure(request, error: OidcError, *, action="accounts.citizen_login_failed") -> None:
    """An audit row for a refused login, logout token or step-up: reason code, no personal data."""
    citizen = current_citizen(request) if request is not None else None
    audit.record(
        actor=citizen.user if citizen else "anonymous",
        action=action,
        object_type="accounts.citizen",
        object_id=citizen.pk if citizen else None,
        summary={"reason": error.code, "detail": error.detail},
    )
    log.warning("%s: %s (citizen %s)", action, error.code, citizen.pk if citizen else "-")


@transaction.atomic
def logout_citizen(request) -> Citizen | None:
    """End this session (RP-initiated logout starts here)."""
    citizen = current_citizen(request)
    if citizen is not None:
        CitizenSession.objects.filter(session_key=request.session.session_key).delete()
        audit.record(
            actor=citizen.user,
            action="accounts.citizen_logout",
            obj=citizen,
            summary={"channel": "rp"},
        )
    logout(request)
    return citizen


@transaction.atomic
def backchannel_logout(claims: dict) -> int:
    """End the sessions the provider's verified logout token names; return how many."""
    if not _consume(OidcReplayGuard.Kind.LOGOUT_JTI, str(claims["jti"])):
        raise OidcError("logout_replayed")
    sessions = CitizenSession.objects.filter(citizen__issuer=settings.EGOV_OIDC_ISSUER)
    if claims.get("sub"):
        sessions = sessions.filter(citizen__subject=claims["sub"])
    if claims.get("sid"):
        sessions = sessions.filter(provider_sid=claims["sid"])
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    citizens = set()
    for row in sessions.select_related("citizen"):
        store(session_key=row.session_key).delete()
        citizens.add(row.citizen)
        ended += 1
    sessions.delete()
    for citizen in citizens:
        audit.record(
            actor="provider",
            action="accounts.citizen_logout",
            obj=citizen,
            summary={"channel": "backchannel"},
        )
    if not citizens:
        audit.record(
            actor="provider",
            action="accounts.citizen_logout",
            object_type="accounts.citizen",
            summary={"channel": "backchannel", "sessions": 0},
        )
    return ended


@transaction.atomic
def act_for_business(request, tax_code: str) -> BusinessRepresentation | None:
    """Act for a business the citizen represents (empty tax code: act for oneself again)."""
    citizen = current_citizen(request)
    if citizen is None:
        raise ValidationError(_("Log in as a citizen first."))
    representation = None
    if tax_code:
        representation = citizen.business_representations.filter(
            tax_code=tax_code, revoked_at__isnull=True
        ).first()
        if representation is None:
            raise ValidationError(_("You do not represent a business with this tax code."))
        request.session[SESSION_ACTING_FOR] = representation.tax_code
    else:
        request.session.pop(SESSION_ACTING_FOR, None)
    audit.record(
        actor=citizen.user,
        action="accounts.citizen_acts_for_business",
        obj=citizen,
        summary={"tax_code": tax_code or None},
    )
    return representation


def acting_for(request) -> str | None:
    """The tax code of the business the logged-in citizen acts for, if any."""
    return request.session.get(SESSION_ACTING_FOR) if current_citizen(request) else None
