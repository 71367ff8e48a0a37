"""Webhook secrets: set or rotate a mailbox's secret (shown once), read it to sign a push.

After a rotation the replaced secret keeps signing (a second ``v1=`` value) for
``EGOV_EXCHANGE_WEBHOOK_ROTATION_HOURS``, so that the receiver can switch in its own time.

The secret is stored encrypted (Fernet, key derived from ``EGOV_FIELD_KEY``, default the Django
secret key), not hashed: the hub needs it back to compute the MAC of every push
(:mod:`egov.exchange.webhook`). It is never logged nor written to the audit log.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from egov.core import secretbox
from egov.core.models import Organisation
from egov.core.services import audit
from egov.exchange.models import Mailbox

PREFIX = "whsec_"


class SecretError(RuntimeError):
    """The stored secret cannot be decrypted (EGOV_FIELD_KEY or the secret key changed)."""


PURPOSE = "egov.exchange.webhook"


class NewSecret(NamedTuple):
    secret: str  # "" when removed
    rotated: bool  # it replaced a secret
    previous_until: dt.datetime | None  # until when the replaced secret also signs, if it does


def set_secret(organisation: Organisation, *, actor, remove: bool = False) -> NewSecret:
    """A new secret for the organisation's mailbox, returned once; the one it replaces keeps
    signing pushes (as a second signature) for ``EGOV_EXCHANGE_WEBHOOK_ROTATION_HOURS``, a
    secret kept from an earlier rotation stops now. ``remove``: none at all, not even the
    previous one (pushes go unsigned). Audited, without the secrets."""
    secret = "" if remove else PREFIX + secrets.token_urlsafe(32)
    hours = settings.EGOV_EXCHANGE_WEBHOOK_ROTATION_HOURS
    with transaction.atomic():
        mailbox, created = Mailbox.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        had = bool(mailbox.webhook_secret)
        until = None
        if had and not remove and hours > 0:
            until = timezone.now() + dt.timedelta(hours=hours)
        mailbox.webhook_secret_previous = mailbox.webhook_secret if until else ""
        mailbox.webhook_secret_previous_until = until
        mailbox.webhook_secret = secretbox.encrypt(PURPOSE, secret) if secret else ""
        mailbox.save(
            update_fields=[
                "webhook_secret",
                "webhook_secret_previous",
                "webhook_secret_previous_until",
            ]
        )
        audit.record(
            actor=actor,
            action="exchange.webhook_secret_removed" if remove else "exchange.webhook_secret_set",
            obj=mailbox,
            organisation=organisation,
            summary={
                "rotated": had and not remove,
                "previous_until": until.isoformat() if until else None,
                "had_secret": had,
                "created": created,
            },
        )
    return NewSecret(secret, had and not remove, until)


class UrlError(ValueError):
    """Not a URL the hub may push to."""


def set_url(organisation: Organisation, url: str, *, actor) -> Mailbox:
    """Where the hub pushes the organisation's mail ("" : pull only). Audited; an address
    other than http(s) is refused, and plain http only on loopback (tests, a local relay)."""
    url = url.strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise UrlError(f"not an http(s) URL: {url}") from None
        parts = urlsplit(url)
        if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise UrlError(f"pushes leave the hub over https only: {url}")
    with transaction.atomic():
        mailbox, created = Mailbox.objects.select_for_update().get_or_create(
            organisation=organisation
        )
        previous = mailbox.webhook_url
        mailbox.webhook_url = url
        mailbox.save(update_fields=["webhook_url"])
        audit.record(
            actor=actor,
            action="exchange.webhook_url_set" if url else "exchange.webhook_url_removed",
            obj=mailbox,
            organisation=organisation,
            summary={"url": url, "previous": previous, "created": created},
        )
    return mailbox


def _decrypt(stored: str) -> str:
    try:
        return secretbox.decrypt(PURPOSE, stored)
    except secretbox.InvalidToken as exc:
        raise SecretError(
            "the webhook secret cannot be decrypted with the current key: set it again"
        ) from exc


def secrets_for(organisation_id: int) -> list[str]:
    """The secrets in clear that sign a push to the organisation now: its secret, then the one
    it replaced while the rotation's overlap lasts; [] when none is set. An overlap that is over
    is cleared (the old secret is not kept)."""
    row = (
        Mailbox.objects.filter(organisation_id=organisation_id)
        .values_list(
            "pk", "webhook_secret", "webhook_secret_previous", "webhook_secret_previous_until"
        )
        .first()
    )
    if not row or not row[1]:
        return []
    pk, current, previous, until = row
    found = [_decrypt(current)]
    if previous and until and until > timezone.now():
        found.append(_decrypt(previous))
    elif previous:
        Mailbox.objects.filter(pk=pk, webhook_secret_previous_until__lte=timezone.now()).update(
            webhook_secret_previous="", webhook_secret_previous_until=None
        )
    return found
