"""Refused authentication, counted per address: a rate limit and summaries in the audit chain.

A refused bearer token costs the caller nothing, so a flood of junk tokens would write one audit
row each. Instead refusals are counted per client address in fixed windows
(``EGOV_AUTH_FAILURE_RATE``, 10/min by default); past the limit the address is answered 429
until its window ends (a valid token still passes: the limit is on failures). The audit chain
gets a summary row, ``accounts.token_refused``, when a window's count reaches 1, 10, 100, ...,
at the first refusal past the limit, and at the first refusal of each kind (reason and client)
in the window. Each row names the address, the window (start,
seconds), the count so far and the reason of the refusal that wrote it, so the last row of an
address's window gives its count to within a factor of ten, and the first row says at once that
something was refused. A known token (revoked, expired) also names its client and token.

Refusals at the token endpoint (``accounts.client_auth_refused``: unknown client, wrong secret,
bad assertion, replayed assertion, scope not granted) are summarised the same way, counted apart;
that endpoint's own throttle (EGOV_TOKEN_RATE) answers 429 there.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from egov.accounts import ratelimit
from egov.core.services import audit


class TooManyRefusals(Exception):
    """The address is past its limit of refusals; ``retry_after``: seconds to its window's end."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _worth_a_row(count: int, limit: int) -> bool:
    if count == limit + 1:
        return True
    while count % 10 == 0:
        count //= 10
    return count == 1


def _summarise(action: str, address: str, reason: str, *, client_id=None, obj=None, extra=None):
    """Count one refusal from ``address``; write the summary row when it is due (see above)."""
    counted = ratelimit.count(f"{action}:{address}", settings.EGOV_AUTH_FAILURE_RATE)
    # The first refusal of each kind in the window has its row too: a revoked token of a known
    # client says something different from junk (bounded: a few reasons, the real clients).
    what = reason.replace(" ", "-")
    kind = f"egov:refused:{action}:{address}:{what}:{client_id or ''}:{counted.start}"
    first_of_kind = cache.add(kind, 1, timeout=counted.window + 1)
    if first_of_kind or _worth_a_row(counted.count, counted.limit):
        start = dt.datetime.fromtimestamp(counted.start, tz=dt.UTC)
        object_type, object_id = obj if obj else ("", None)
        with transaction.atomic():
            audit.record(
                actor=f"client:{client_id}" if client_id else "anonymous",
                action=action,
                object_type=object_type,
                object_id=object_id,
                summary={
                    "reason": reason,
                    **(extra or {}),
                    "address": address,
                    "window_start": start.isoformat(),
                    "window_seconds": counted.window,
                    "refused": counted.count,
                    "limited": not counted.allowed,
                },
            )
    return counted


def token_refused(address: str, reason: str, row=None) -> None:
    """Count one refused bearer token from ``address``; raise TooManyRefusals past the limit."""
    counted = _summarise(
        "accounts.token_refused",
        address,
        reason,
        client_id=row.client_id if row else None,
        obj=("accounts.accesstoken", row.pk) if row else None,
    )
    if not counted.allowed:
        raise TooManyRefusals(counted.retry_after)


def client_refused(address: str, reason: str, client=None, key=None) -> None:
    """Count one refused client authentication (or scope) at the token endpoint. Summarised as
    bearer tokens are; the endpoint's own throttle (EGOV_TOKEN_RATE) answers 429."""
    _summarise(
        "accounts.client_auth_refused",
        address,
        reason,
        client_id=client.pk if client else None,
        obj=("accounts.apiclient", client.pk) if client else None,
        extra={"kid": key.kid} if key else None,
    )
