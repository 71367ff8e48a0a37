"""Rows of the access matrix (tests/accounts/test_access_matrix.py) for the exchange endpoints."""

from __future__ import annotations

from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.exchange.services.hub import packages, statuses
from tests.accounts.officials_support import make_official

from .conftest import HUB, make_package, signed


def _sent(t):
    """Commune A sends a package to commune B through the hub."""
    if org_services.resolve(HUB) is None:
        org_services.create_organisation(OrganisationData(HUB, "Văn phòng Chính phủ", "central"))
    clerk_a = make_official("clerk_a", t.a, "clerk").user
    package = packages.accept_package(signed(make_package(t.a, [t.b]), t.a), actor=clerk_a).package
    return package, clerk_a


def package_case(t):
    package, clerk_a = _sent(t)
    return {
        "id": package.pk,
        "insider": clerk_a,
        # The recipient does not read the sender's outbox; nor does another province.
        "outsiders": [
            make_official("clerk_b", t.b, "clerk").user,
            make_official("clerk_q", t.q, "clerk", subtree=True).user,
        ],
        "scopes": ["documents.send"],
    }


def delivery_case(t):
    package, clerk_a = _sent(t)
    return {
        "id": package.deliveries.get().pk,
        "insider": make_official("clerk_b", t.b, "clerk").user,
        "outsiders": [clerk_a, make_official("clerk_q", t.q, "clerk", subtree=True).user],
        "scopes": ["documents.receive"],
    }


def status_case(t):
    """B answers A's package: A's side reads (pulls) the answer; B and another province do not."""
    from .test_hub import status

    package, clerk_a = _sent(t)
    clerk_b = make_official("clerk_b", t.b, "clerk").user
    message = statuses.accept_status(status(t.b, package.document_id, "03"), actor=clerk_b)
    return {
        "id": message.pk,
        "insider": clerk_a,
        "outsiders": [clerk_b, make_official("clerk_q", t.q, "clerk", subtree=True).user],
        "scopes": ["documents.send"],
    }


def recall_case(t):
    """A recalls its package: B's side reads (pulls) the recall; A and another province do not."""
    from egov.exchange.services import documents

    package, clerk_a = _sent(t)
    documents.recall(package, reason="sai sót", actor=clerk_a)
    return {
        "id": package.deliveries.get().pk,
        "insider": make_official("clerk_b", t.b, "clerk").user,
        "outsiders": [clerk_a, make_official("clerk_q", t.q, "clerk", subtree=True).user],
        "scopes": ["documents.receive"],
    }


def retry_case(t):
    """P's hub (provincial) failed to relay A's package to the parent: A's side retries it."""
    from egov.exchange.models import Delivery

    package, clerk_a = _sent(t)
    Delivery.objects.filter(package=package).update(
        via="parent", transport_state="failed", transport_error="HTTP 503"
    )
    return {
        "id": package.pk,
        "insider": clerk_a,
        "outsiders": [
            make_official("clerk_b", t.b, "clerk").user,
            make_official("clerk_q", t.q, "clerk", subtree=True).user,
        ],
        "scopes": ["documents.send"],
        "settings": {
            "EGOV_INSTANCE_ORG_CODE": t.p.code,
            "EGOV_EXCHANGE_ROLE": "provincial",
            "EGOV_EXCHANGE_PARENT_URL": "http://parent.test",
        },
    }


def answer_retry_case(t):
    """B's answer to A's package failed to go up to the parent: B's side retries it."""
    from django.utils import timezone

    from egov.core.models import OutboxMessage

    from .test_hub import status

    package, _clerk_a = _sent(t)
    clerk_b = make_official("clerk_b", t.b, "clerk").user
    message = statuses.accept_status(status(t.b, package.document_id, "03"), actor=clerk_b)
    delivery = package.deliveries.get()
    OutboxMessage.objects.create(
        key=f"relay_status:{message.pk}",
        kind="exchange.relay_status",
        payload={
            "delivery": delivery.pk,
            "package": package.pk,
            "url": "http://parent.test/api/v1/exchange/statuses/",
            "status": message.pk,
        },
        state=OutboxMessage.State.FAILED,
        attempts=6,
        last_error="HTTP 503",
        next_attempt_at=timezone.now(),
        created_at=timezone.now(),
    )
    return {
        "id": delivery.pk,
        "insider": clerk_b,
        "outsiders": [_clerk_a, make_official("clerk_q", t.q, "clerk", subtree=True).user],
        "scopes": ["documents.receive"],
        "settings": {
            "EGOV_INSTANCE_ORG_CODE": t.p.code,
            "EGOV_EXCHANGE_ROLE": "provincial",
            "EGOV_EXCHANGE_PARENT_URL": "http://parent.test",
        },
    }
