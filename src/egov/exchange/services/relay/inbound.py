"""Inbound relay: what the parent hub holds for this provincial hub, pulled and handed to the
hub here: status packets of this hub's organisations' packages, packages for its organisations,
and outside senders' recalls of those packages. Each item is acknowledged at the parent when
taken, or refused there (final, kept by the parent) when this hub's checks refuse it.
"""

from __future__ import annotations

import httpx
from django.conf import settings

from egov.exchange.services.errors import HubError
from egov.exchange.services.hub import from_parent, statuses
from egov.exchange.services.relay import client as parent_hub
from egov.exchange.services.relay.client import MAILBOX, STATUSES, parent_url


def pull(*, client: httpx.Client | None = None) -> dict[str, int]:
    """Take what the parent holds for this hub: status packets of its organisations' packages,
    then packages for its organisations. Returns counts (taken, refused)."""
    counts = {
        "statuses": 0,
        "statuses_refused": 0,
        "packages": 0,
        "packages_refused": 0,
        "recalls": 0,
        "recalls_refused": 0,
    }
    if not parent_hub.is_provincial():
        return counts
    http = client or httpx.Client(timeout=settings.EGOV_EXCHANGE_PARENT_TIMEOUT)
    try:
        _pull_statuses(http, counts)
        _pull_packages(http, counts)
        _pull_recalls(http, counts)
    finally:
        if client is None:
            http.close()
    return counts


def _pull_statuses(http: httpx.Client, counts: dict[str, int]) -> None:
    after = 0
    while True:
        page = parent_hub.call(
            http, "GET", parent_url(f"{STATUSES}?pending=true&after={after}")
        ).json()
        items = page["results"]
        if not items:
            return
        for item in items:
            after = max(after, item["id"])
            acknowledge = parent_url(f"{STATUSES}{item['id']}/acknowledge/")
            try:
                statuses.accept_parent_status(item["xml"].encode("utf-8"))
            except HubError as error:
                counts["statuses_refused"] += 1
                _refuse_at_parent(http, acknowledge, error)
                continue
            parent_hub.call(http, "POST", acknowledge)
            counts["statuses"] += 1


def _refuse_at_parent(http: httpx.Client, url: str, error: HubError) -> None:
    """Acknowledge a refused item at the parent with the refusal: final there, not fetched
    again. A failure of this hub itself (5xx, e.g. not configured) is left pending."""
    if error.status >= 500:
        return
    parent_hub.call(http, "POST", url, {"refused": error.code, "reason": str(error.message)[:2000]})


def _pull_packages(http: httpx.Client, counts: dict[str, int]) -> None:
    after = 0
    while True:
        url = parent_url(f"{MAILBOX}?state=pending&after={after}")
        items = parent_hub.call(http, "GET", url).json()["results"]
        if not items:
            return
        for item in items:
            after = max(after, item["id"])
            data = parent_hub.call(
                http, "GET", parent_url(f"{MAILBOX}{item['id']}/package/?original=true")
            )
            acknowledge = parent_url(f"{MAILBOX}{item['id']}/acknowledge/")
            try:
                from_parent.accept_from_parent(data.content)
            except HubError as error:
                counts["packages_refused"] += 1
                _refuse_at_parent(http, acknowledge, error)
                continue
            parent_hub.call(http, "POST", acknowledge)
            counts["packages"] += 1


def _pull_recalls(http: httpx.Client, counts: dict[str, int]) -> None:
    """Outside senders' recalls (13) of packages delivered to this hub's organisations."""
    after = 0
    while True:
        url = parent_url(f"{MAILBOX}?recall=pending&after={after}")
        items = parent_hub.call(http, "GET", url).json()["results"]
        if not items:
            return
        for item in items:
            after = max(after, item["id"])
            if item.get("transport_state") == "pending":
                continue  # the package itself is not taken yet: the recall waits for it
            data = parent_hub.call(http, "GET", parent_url(f"{MAILBOX}{item['id']}/recall/"))
            acknowledge = parent_url(f"{MAILBOX}{item['id']}/recall/acknowledge/")
            try:
                statuses.accept_parent_status(data.content)
            except HubError as error:
                counts["recalls_refused"] += 1
                _refuse_at_parent(http, acknowledge, error)
                continue
            parent_hub.call(http, "POST", acknowledge)
            counts["recalls"] += 1
