"""Hub to hub: a provincial hub relays to its parent (national) hub and takes the answers back.

With ``EGOV_EXCHANGE_ROLE=provincial`` the instance organisation's subtree is this hub's own:

- **Outward.** A package with a recipient outside the subtree gets, for that recipient, a
  :class:`~egov.exchange.models.Delivery` with ``via="parent"`` and one outbox row (kind
  ``relay``) per package: the sender's signed bytes as received, POSTed by the task worker to
  ``<parent>/api/v1/exchange/packages/`` with this hub's bearer token and the header
  ``X-Egov-Relay`` (the parent leaves the recipients this hub receives for to it). Retries back
  off as webhook pushes do; a refusal (4xx other than 401/408/429) fails the relay at once, the
  delivery's transport state becomes ``failed`` and ``transport_error`` says why. The parent's
  signed receipt is kept in this hub's evidence chain.
- **Statuses back.** :func:`pull` asks the parent for the status packets of this hub's
  organisations' packages (``GET /api/v1/exchange/statuses/?pending=true``), verifies each
  (signature, signer = From, the recipient is one this hub relayed to) and applies it to the
  relayed delivery through :func:`egov.exchange.services.hub.accept_parent_status`, then
  acknowledges it at the parent. A refused status is logged and audited here and acknowledged
  at the parent with the refusal (kept there in ``refusal``): final, not fetched again.
- **Inward.** :func:`pull` also takes the packages the parent holds for this hub's
  organisations (``GET /api/v1/exchange/mailbox/?state=pending``, the sender's original bytes),
  accepts them here for the recipients inside the subtree (the sender's signature checked as for
  any package; de-duplicated by DocumentId) and acknowledges them at the parent, or refuses them
  there (the parent's delivery fails with the refusal as ``transport_error``). Status packets
  of local recipients about such a package are relayed up (outbox kind ``relay_status``), as is a
  local sender's recall of a relayed package.
- **Recalls inward.** :func:`pull` then takes the outside senders' recalls (13) of those packages
  (``GET /api/v1/exchange/mailbox/?recall=pending``, ``/{id}/recall/``), applies them to the
  local deliveries and acknowledges them (or refuses them) at the parent; the recipients' 15/16
  go up as any answer.
- **Retry.** :func:`retry`: new outbox rows for what failed going up for a package: its relay
  and the relays of its status packets (kind ``relay_status``: a recall, an answer) (the
  sender's clerk or client, documents.send).

A hub with role ``national`` (the default) relays nothing: every function here is then a no-op.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.accounts import policy
from egov.core.models import Organisation
from egov.core.services import audit
from egov.exchange.models import Delivery, OutboxMessage, Package, StatusMessage, TransportState
from egov.exchange.services.errors import HubError

logger = logging.getLogger(__name__)

RELAY_KINDS = {"relay", "relay_status"}
PACKAGES = "/api/v1/exchange/packages/"
STATUSES = "/api/v1/exchange/statuses/"
MAILBOX = "/api/v1/exchange/mailbox/"
OAUTH = "/api/v1/oauth/token"


class RelayError(RuntimeError):
    """The parent hub could not be reached or refused this hub's credentials."""


def is_provincial() -> bool:
    return settings.EGOV_EXCHANGE_ROLE == "provincial"


def relays(org: Organisation, hub: Organisation) -> bool:
    """Does a package for ``org`` leave this hub for the parent?"""
    return is_provincial() and not org.path.startswith(hub.path)


def parent_url(path: str) -> str:
    return settings.EGOV_EXCHANGE_PARENT_URL + path


# --------------------------------------------------------------------------- outbox rows


def _enqueue(delivery: Delivery, kind: str, key: str, path: str) -> OutboxMessage:
    now = timezone.now()
    message = OutboxMessage.objects.create(
        key=key,
        delivery=delivery,
        kind=kind,
        url=parent_url(path),
        next_attempt_at=now,
        created_at=now,
    )
    from egov.exchange import tasks

    transaction.on_commit(lambda: tasks.push.enqueue(message.pk))
    return message


def enqueue_package(delivery: Delivery) -> OutboxMessage:
    """One relay of the package to the parent (for all its recipients outside the subtree)."""
    return _enqueue(delivery, "relay", f"relay:{delivery.package_id}", PACKAGES)


@dataclass
class Retried:
    message: OutboxMessage  # the first new row (the package's relay when it was retried)
    recipients: list[str]  # the deliveries via the parent that are pending again
    statuses: list[OutboxMessage]  # new relays of status packets


def _failed_status_relays(
    package: Package, *, delivery: Delivery | None = None, lock: bool = False
) -> list[tuple[OutboxMessage, str]]:
    """The latest relay of each of ``package``'s status packets to the parent (outbox kind
    ``relay_status``, key ``relay_status:<status>[:<n>]``; ``delivery``: only those sent with
    it, a recipient's answers) where that relay failed, each with the key of its next attempt."""
    rows = OutboxMessage.objects.filter(delivery__package=package, kind="relay_status")
    if delivery is not None:
        rows = rows.filter(delivery=delivery)
    if lock:
        rows = rows.select_for_update(of=("self",))
    by_status: dict[str, list[OutboxMessage]] = {}
    for row in rows.order_by("pk"):
        by_status.setdefault(row.key.split(":")[1], []).append(row)
    return [
        (attempts[-1], f"relay_status:{status_id}:{len(attempts) + 1}")
        for status_id, attempts in by_status.items()
        if attempts[-1].state == OutboxMessage.State.FAILED
    ]


def failed_status_relays(package: Package) -> list[OutboxMessage]:
    """The latest relay of each status packet of ``package`` where that relay failed."""
    return [row for row, _key in _failed_status_relays(package)]


def _resend_statuses(failed: list[tuple[OutboxMessage, str]]) -> list[OutboxMessage]:
    """A new outbox row (the next key) for each failed status relay, sent after commit."""
    return [_enqueue(old.delivery, "relay_status", key, STATUSES) for old, key in failed]


def retry(package: Package, *, actor) -> Retried:
    """A new attempt at what failed going up to the parent for ``package``: the failed
    deliveries via the parent are pending again with a new outbox row (kind ``relay``), and each
    status packet whose relay failed (a recall, an answer) gets a new ``relay_status`` row; all
    sent after commit. For the sender's clerk or client (documents.send); audited."""
    from django.utils.translation import gettext as _

    policy.check(actor, "documents.send", package)
    if not is_provincial():
        raise HubError("not_provincial", _("This hub relays nothing to a parent hub."), status=409)
    with transaction.atomic():
        failed = list(
            Delivery.objects.select_for_update()
            .filter(package=package, via="parent", transport_state=TransportState.FAILED)
            .select_related("recipient")
            .order_by("pk")
        )
        failed_statuses = _failed_status_relays(package, lock=True)
        if not failed and not failed_statuses:
            raise HubError(
                "nothing_to_retry",
                _("No relay of this document to the parent hub has failed."),
                status=409,
            )
        new = []
        if failed:
            Delivery.objects.filter(pk__in=[d.pk for d in failed]).update(
                transport_state=TransportState.PENDING, transport_error=""
            )
            tries = OutboxMessage.objects.filter(delivery__package=package, kind="relay").count()
            new.append(_enqueue(failed[0], "relay", f"relay:{package.pk}:{tries + 1}", PACKAGES))
        statuses = _resend_statuses(failed_statuses)
        new += statuses
        audit.record(
            actor=policy.actor_of(actor),
            action="exchange.relay_retried",
            obj=package,
            organisation=package.sender_id,
            summary={
                "document_id": package.document_id,
                "recipients": [d.recipient.code for d in failed],
                "previous_error": failed[0].transport_error[:500] if failed else "",
                "outbox": new[0].key,
                "status_relays": [
                    {"outbox": m.key, "previous": old.key, "previous_error": old.last_error[:500]}
                    for m, (old, _key) in zip(statuses, failed_statuses, strict=True)
                ],
            },
        )
    return Retried(new[0], [d.recipient.code for d in failed], statuses)


def failed_answer_relays(delivery: Delivery) -> list[OutboxMessage]:
    """The latest relay of each of the recipient's answers on ``delivery`` (a package from a
    sender at the parent) where that relay failed."""
    return [row for row, _key in _failed_status_relays(delivery.package, delivery=delivery)]


def retry_answers(delivery: Delivery, *, actor) -> list[OutboxMessage]:
    """A new attempt at sending up the recipient's answers (statuses 02-06, 15, 16) whose relay
    to the parent failed: the recipient's side (documents.receive), since the package's sender
    is outside this hub and nobody here may act for it. Audited; sent after commit."""
    from django.utils.translation import gettext as _

    policy.check(actor, "documents.receive", delivery)
    if not is_provincial():
        raise HubError("not_provincial", _("This hub relays nothing to a parent hub."), status=409)
    with transaction.atomic():
        failed = _failed_status_relays(delivery.package, delivery=delivery, lock=True)
        if not failed:
            raise HubError(
                "nothing_to_retry",
                _("No answer of this recipient to the parent hub has failed."),
                status=409,
            )
        new = _resend_statuses(failed)
        audit.record(
            actor=policy.actor_of(actor),
            action="exchange.answer_relay_retried",
            obj=delivery,
            organisation=delivery.recipient_id,
            summary={
                "document_id": delivery.package.document_id,
                "status_relays": [
                    {"outbox": m.key, "previous": o.key, "previous_error": o.last_error[:500]}
                    for m, (o, _key) in zip(new, failed, strict=True)
                ],
            },
        )
    return new


def enqueue_status(delivery: Delivery, message: StatusMessage) -> OutboxMessage:
    return _enqueue(delivery, "relay_status", f"relay_status:{message.pk}", STATUSES)


def relay_answer(package, delivery: Delivery, message: StatusMessage) -> None:
    """A local recipient answered a package that came from outside: the sender is at the parent."""
    if not is_provincial():
        return
    from egov.exchange.services.hub import hub_organisation

    if relays(package.sender, hub_organisation()):
        enqueue_status(delivery, message)


def relay_recall(deliveries: list[Delivery], message: StatusMessage) -> None:
    """A local sender recalls a package some of whose recipients are at the parent."""
    relayed = [d for d in deliveries if d.via]
    if relayed:
        enqueue_status(relayed[0], message)


# --------------------------------------------------------------------------- credentials

_tokens: dict[tuple[str, str], tuple[str, float]] = {}


def forget_token() -> None:
    _tokens.clear()


def _assertion(audience: str) -> str:
    """RFC 7523: a JWT signed with this hub's key, for the parent's token endpoint."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from joserfc import jwt
    from joserfc.jwk import JWKRegistry

    pem = Path(settings.EGOV_EXCHANGE_PARENT_KEY_FILE).read_bytes()
    loaded = load_pem_private_key(pem, password=None)
    if isinstance(loaded, rsa.RSAPrivateKey):
        key_type, alg = "RSA", "RS256"
    elif isinstance(loaded, ec.EllipticCurvePrivateKey):
        key_type, alg = "EC", "ES256"
    elif isinstance(loaded, ed25519.Ed25519PrivateKey):
        key_type, alg = "OKP", "EdDSA"
    else:
        raise RelayError("EGOV_EXCHANGE_PARENT_KEY_FILE: RSA, EC P-256 or Ed25519 key expected")
    client_id = settings.EGOV_EXCHANGE_PARENT_CLIENT_ID
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
    }
    header = {"alg": alg, "kid": settings.EGOV_EXCHANGE_PARENT_KEY_ID}
    return jwt.encode(header, claims, JWKRegistry.import_key(pem, key_type))


def token(http: httpx.Client, *, fresh: bool = False) -> str:
    """This hub's access token at the parent (client credentials), kept until shortly before it
    expires."""
    url = parent_url(OAUTH)
    cache_key = (url, settings.EGOV_EXCHANGE_PARENT_CLIENT_ID)
    cached = _tokens.get(cache_key)
    if cached and not fresh and cached[1] > time.monotonic():
        return cached[0]
    form = {"grant_type": "client_credentials"}
    if settings.EGOV_EXCHANGE_PARENT_KEY_FILE:
        form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        form["client_assertion"] = _assertion(url)
    else:
        form["client_id"] = settings.EGOV_EXCHANGE_PARENT_CLIENT_ID
        form["client_secret"] = settings.EGOV_EXCHANGE_PARENT_CLIENT_SECRET
    try:
        response = http.post(url, data=form)
    except httpx.HTTPError as exc:
        raise RelayError(f"token: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise RelayError(f"token: HTTP {response.status_code} {response.text[:200]}")
    body = response.json()
    expires = time.monotonic() + max(int(body.get("expires_in", 60)) - 30, 1)
    _tokens[cache_key] = (body["access_token"], expires)
    return body["access_token"]


def headers(http: httpx.Client) -> dict[str, str]:
    from egov.exchange.services.hub import hub_organisation

    return {
        "Authorization": f"Bearer {token(http)}",
        "X-Egov-Relay": hub_organisation().code,
    }


def is_permanent(status_code: int) -> bool:
    """A refusal that a retry will not change."""
    return 400 <= status_code < 500 and status_code not in {401, 408, 425, 429}


def describe(response: httpx.Response) -> str:
    """The parent's refusal in one line: HTTP status, its code and message."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and body.get("code"):
        return f"HTTP {response.status_code} {body['code']}: {body.get('message', '')}"
    return f"HTTP {response.status_code} {str(body)[:200]}"


# --------------------------------------------------------------------------- relay results


def relayed(message: OutboxMessage, answer: bytes | None, now) -> None:
    """The parent took the package: its deliveries via the parent are delivered (handed over);
    the parent's signed receipt joins this hub's evidence. In the caller's transaction."""
    Delivery.objects.filter(
        package_id=message.delivery.package_id,
        via="parent",
        transport_state=TransportState.PENDING,
    ).update(transport_state=TransportState.DELIVERED, delivered_at=now, transport_error="")
    if answer:
        _keep_receipt(message.delivery.package, answer)


def relay_failed(message: OutboxMessage, error: str) -> None:
    Delivery.objects.filter(
        package_id=message.delivery.package_id,
        via="parent",
        transport_state=TransportState.PENDING,
    ).update(transport_state=TransportState.FAILED, transport_error=error[:2000])


def _keep_receipt(package, answer: bytes) -> None:
    import json

    from egov.core.signing import verify_xml
    from egov.exchange import edxml
    from egov.exchange.services import evidence

    try:
        receipt = json.loads(answer)["receipt"].encode("utf-8")
        result = verify_xml(receipt)
        parsed = edxml.parse_status(receipt)
    except (ValueError, KeyError, TypeError, edxml.EdxmlError) as exc:
        logger.warning("exchange: the parent's receipt for %s unreadable: %s", package, exc)
        return
    if not result.valid or parsed.response_for.document_id != package.document_id:
        logger.warning("exchange: the parent's receipt for %s does not verify", package)
        return
    evidence.append(
        kind="receipt",
        document_id=package.document_id,
        organ_id=result.signer_code or "",
        content=receipt,
    )


# --------------------------------------------------------------------------- pulling


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
    if not is_provincial():
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


def _call(http: httpx.Client, method: str, url: str, body: dict | None = None) -> httpx.Response:
    """One call to the parent with this hub's token (a fresh one once on 401)."""
    for attempt in (0, 1):
        auth = {"Authorization": f"Bearer {token(http, fresh=attempt == 1)}"}
        try:
            response = http.request(method, url, headers=auth, json=body)
        except httpx.HTTPError as exc:
            raise RelayError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 401:
            break
    if not 200 <= response.status_code < 300:
        raise RelayError(f"{method} {url}: {describe(response)}")
    return response


def _pull_statuses(http: httpx.Client, counts: dict[str, int]) -> None:
    from egov.exchange.services import hub

    after = 0
    while True:
        page = _call(http, "GET", parent_url(f"{STATUSES}?pending=true&after={after}")).json()
        items = page["results"]
        if not items:
            return
        for item in items:
            after = max(after, item["id"])
            acknowledge = parent_url(f"{STATUSES}{item['id']}/acknowledge/")
            try:
                hub.accept_parent_status(item["xml"].encode("utf-8"))
            except HubError as error:
                counts["statuses_refused"] += 1
                _refuse_at_parent(http, acknowledge, error)
                continue
            _call(http, "POST", acknowledge)
            counts["statuses"] += 1


def _refuse_at_parent(http: httpx.Client, url: str, error: HubError) -> None:
    """Acknowledge a refused item at the parent with the refusal: final there, not fetched
    again. A failure of this hub itself (5xx, e.g. not configured) is left pending."""
    if error.status >= 500:
        return
    _call(http, "POST", url, {"refused": error.code, "reason": str(error.message)[:2000]})


def _pull_packages(http: httpx.Client, counts: dict[str, int]) -> None:
    from egov.exchange.services import hub

    after = 0
    while True:
        url = parent_url(f"{MAILBOX}?state=pending&after={after}")
        items = _call(http, "GET", url).json()["results"]
        if not items:
            return
        for item in items:
            after = max(after, item["id"])
            data = _call(http, "GET", parent_url(f"{MAILBOX}{item['id']}/package/?original=true"))
            acknowledge = parent_url(f"{MAILBOX}{item['id']}/acknowledge/")
            try:
                hub.accept_from_parent(data.content)
            except HubError as error:
                counts["packages_refused"] += 1
                _refuse_at_parent(http, acknowledge, error)
                continue
            _call(http, "POST", acknowledge)
            counts["packages"] += 1


def _pull_recalls(http: httpx.Client, counts: dict[str, int]) -> None:
    """Outside senders' recalls (13) of packages delivered to this hub's organisations."""
    from egov.exchange.services import hub

    after = 0
    while True:
        url = parent_url(f"{MAILBOX}?recall=pending&after={after}")
        items = _call(http, "GET", url).json()["results"]
        if not items:
            return
        for item in items:
            after = max(after, item["id"])
            if item.get("transport_state") == "pending":
                continue  # the package itself is not taken yet: the recall waits for it
            data = _call(http, "GET", parent_url(f"{MAILBOX}{item['id']}/recall/"))
            acknowledge = parent_url(f"{MAILBOX}{item['id']}/recall/acknowledge/")
            try:
                hub.accept_parent_status(data.content)
            except HubError as error:
                counts["recalls_refused"] += 1
                _refuse_at_parent(http, acknowledge, error)
                continue
            _call(http, "POST", acknowledge)
            counts["recalls"] += 1
