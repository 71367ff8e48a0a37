"""Hub to hub over real HTTP: this test process is a provincial hub (province P), a second
process on loopback (gunicorn, its own SQLite file and EGOV_* environment) is the national hub.

P relays packages for recipients outside the province to the national hub and pulls the answers
back; the national hub's packages for P's organisations are pulled and delivered in P.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from django.core.management import CommandError, call_command

from egov.core.models import OutboxMessage
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.exchange import edxml
from egov.exchange.models import Delivery, Evidence, Package
from egov.exchange.services import outbox
from egov.exchange.services.errors import HubError
from egov.exchange.services.hub import deliveries, packages, statuses
from egov.exchange.services.relay import client as parent_hub
from egov.exchange.services.relay import inbound, outbound
from tests.accounts.officials_support import make_official
from tests.accounts.oidc_support import free_port
from tests.instance_support import second_instance

from .conftest import HUB, make_package, signed
from .test_hub import status

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # a second hub in its own process

P, A, Q, QA, R = "000.00.00.H26", "000.00.01.H26", "000.00.00.H46", "000.00.01.H46", "000.00.00.G10"
# Only in the province's registry: the national hub does not know it.
X = "000.00.09.H26"

SETUP = """
import json, django
django.setup()
from egov.accounts.services import clients
from egov.core.services import organisations as o
from egov.core.services.organisations import OrganisationData as D
hub = o.create_organisation(D(%(hub)r, "Văn phòng Chính phủ", "central"))
p = o.create_organisation(D(%(p)r, "UBND tỉnh P", "province"))
o.create_organisation(D(%(a)r, "UBND xã A", "commune", parent=p))
q = o.create_organisation(D(%(q)r, "UBND tỉnh Q", "province"))
o.create_organisation(D(%(qa)r, "UBND xã QA", "commune", parent=q))
r = o.create_organisation(D(%(r)r, "Bộ R", "central"))
out = {}
for name, org in [("province", p), ("r", r), ("q", q)]:
    c = clients.create_client(
        name=name, organisations=[org], include_subtree=True, actor="test",
        scopes=["documents.send", "documents.receive"],
    )
    out[name] = [c.client_id, clients.add_secret(c, actor="test")[1]]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def national(tmp_path_factory, shared_pki):
    """The national hub: migrate, its registry and API clients, gunicorn on a free port."""
    setup = SETUP % {"hub": HUB, "p": P, "a": A, "q": Q, "qa": QA, "r": R}
    work = tmp_path_factory.mktemp("national")
    with second_instance(
        work, "national", setup, EGOV_PKI_DIR=str(shared_pki), EGOV_INSTANCE_ORG_CODE=HUB
    ) as instance:
        yield instance


@pytest.fixture
def province(db, settings, national):
    """This process as P's provincial hub, with the same registry (and X, unknown nationally)."""
    create = org_services.create_organisation
    create(OrganisationData(HUB, "Văn phòng Chính phủ", "central"))
    p = create(OrganisationData(P, "UBND tỉnh P", "province"))
    a = create(OrganisationData(A, "UBND xã A", "commune", parent=p))
    x = create(OrganisationData(X, "UBND xã X", "commune", parent=p))
    q = create(OrganisationData(Q, "UBND tỉnh Q", "province"))
    qa = create(OrganisationData(QA, "UBND xã QA", "commune", parent=q))
    r = create(OrganisationData(R, "Bộ R", "central"))
    client_id, secret = national.clients["province"]
    settings.EGOV_INSTANCE_ORG_CODE = P
    settings.EGOV_EXCHANGE_ROLE = "provincial"
    settings.EGOV_EXCHANGE_PARENT_URL = national.url
    settings.EGOV_EXCHANGE_PARENT_CLIENT_ID = client_id
    settings.EGOV_EXCHANGE_PARENT_CLIENT_SECRET = secret
    parent_hub.forget_token()
    return SimpleNamespace(p=p, a=a, x=x, q=q, qa=qa, r=r)


def at_national(national, who):
    """An HTTP client at the national hub acting as one of its API clients."""
    client_id, secret = national.clients[who]
    response = httpx.post(
        f"{national.url}/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    token = response.json()["access_token"]
    return httpx.Client(base_url=national.url, headers={"Authorization": f"Bearer {token}"})


def send_relay(package) -> OutboxMessage:
    message = OutboxMessage.objects.get(kind="exchange.relay", payload__package=package.pk)
    outbox.send(message.pk)
    message.refresh_from_db()
    return message


def test_outward_relay_and_the_statuses_come_back(province, national, client):
    t = province
    clerk_a = make_official("clerk_a", t.a, "clerk").user
    data = signed(make_package(t.a, [t.p, t.r], number=1), t.a)
    package = packages.accept_package(data, actor=clerk_a).package
    local, far = (package.deliveries.get(recipient=org) for org in (t.p, t.r))
    assert (local.via, far.via) == ("", "parent")
    assert OutboxMessage.objects.filter(kind="exchange.relay").count() == 1

    message = send_relay(package)
    assert message.state == "sent", message.last_error
    far.refresh_from_db()
    assert far.transport_state == "delivered" and far.status == ""
    # The national hub's signed receipt joins the province's evidence chain.
    receipt = Evidence.objects.get(document_id=package.document_id, kind="receipt", organ_id=HUB)
    assert edxml.parse_status(bytes(receipt.content)).code == "01"

    # A retried relay is idempotent at the parent (same DocumentId, same bytes).
    with httpx.Client() as http:
        again = httpx.post(
            message.payload["url"],
            content=packages.package_bytes(package, original=True),
            headers={"Content-Type": "application/xml", **parent_hub.headers(http)},
        )
    assert again.status_code == 200 and again.json()["created"] is False

    with at_national(national, "r") as r, at_national(national, "province") as prov:
        # The parent delivers to R only: P is the provincial hub's own recipient.
        sent = prov.get("/api/v1/exchange/packages/").json()["results"]
        assert [(s["document_id"], [d["recipient"] for d in s["deliveries"]]) for s in sent] == [
            (package.document_id, [R])
        ]
        mailbox = r.get("/api/v1/exchange/mailbox/?state=pending").json()["results"]
        assert [m["document_id"] for m in mailbox] == [package.document_id]
        assert r.post(f"/api/v1/exchange/mailbox/{mailbox[0]['id']}/acknowledge/").is_success
        for code in ("03", "05"):
            answer = r.post(
                "/api/v1/exchange/statuses/",
                content=status(t.r, package.document_id, code),
                headers={"Content-Type": "application/xml"},
            )
            assert answer.status_code == 201, answer.text

    assert inbound.pull()["statuses"] == 2
    far.refresh_from_db()
    assert far.status == "05" and far.transport_state == "delivered"
    out = io.StringIO()
    call_command("exchange", "pull-parent", stdout=out)  # what `egov serve` runs periodically
    assert "statuses=0" in out.getvalue()  # acknowledged at the parent: nothing pending
    assert Evidence.objects.filter(document_id=package.document_id, kind="status").count() == 2

    # The sender in the province sees the recipient's status in the other body.
    client.force_login(clerk_a)
    seen = client.get(f"/api/v1/exchange/packages/{package.pk}/").json()["deliveries"]
    by_recipient = {d["recipient"]: d for d in seen}
    assert by_recipient[R]["via"] == "parent" and by_recipient[R]["status"] == "05"
    assert by_recipient[P]["via"] == "" and by_recipient[P]["status"] == ""

    # The recall goes up too; R agrees at the parent and the answer comes back.
    recall = edxml.sign(
        edxml.build_status(
            edxml.Status(
                response_for=edxml.ResponseFor(A, package.document_id),
                from_=edxml.Organ(A, t.a.name),
                code="13",
                timestamp=dt.datetime(2026, 11, 28, 11, 0, 0),
            )
        ),
        t.a,
    )
    statuses.accept_status(recall, actor=clerk_a)
    up = OutboxMessage.objects.get(kind="exchange.relay_status")
    assert outbox.send(up.pk) == "sent"
    with at_national(national, "r") as r:
        agreed = r.post(
            "/api/v1/exchange/statuses/",
            content=status(t.r, package.document_id, "15"),
            headers={"Content-Type": "application/xml"},
        )
        assert agreed.status_code == 201, agreed.text
    assert inbound.pull()["statuses"] == 1
    far.refresh_from_db()
    assert far.recall_status == "15"


def test_the_parent_refuses_a_relay_nothing_is_half_stored(province, national):
    t = province
    clerk_x = make_official("clerk_x", t.x, "clerk").user
    clerk_qa = make_official("clerk_qa", t.qa, "clerk").user
    unknown = packages.accept_package(
        signed(make_package(t.x, [t.r], number=2), t.x), actor=clerk_x
    )
    # This hub lets a clerk of QA send here, but the parent knows P's hub may not send for QA.
    foreign = packages.accept_package(
        signed(make_package(t.qa, [t.r], number=3), t.qa), actor=clerk_qa
    )
    for accepted, code in [(unknown, "unknown_sender"), (foreign, "not_your_organisation")]:
        message = send_relay(accepted.package)
        assert message.state == "failed" and message.attempts == 1, message.last_error
        delivery = accepted.package.deliveries.get()
        assert delivery.transport_state == "failed" and code in delivery.transport_error
    with at_national(national, "province") as prov, at_national(national, "q") as q:
        ids = {p["document_id"] for p in prov.get("/api/v1/exchange/packages/").json()["results"]}
        ids |= {p["document_id"] for p in q.get("/api/v1/exchange/packages/").json()["results"]}
    assert unknown.package.document_id not in ids and foreign.package.document_id not in ids


def test_inward_packages_are_delivered_in_the_province_and_answered_up(province, national):
    t = province
    data = signed(make_package(t.qa, [t.a, t.r], number=4), t.qa)
    with at_national(national, "q") as q:
        sent = q.post(
            "/api/v1/exchange/packages/", content=data, headers={"Content-Type": "application/xml"}
        )
        assert sent.status_code == 201, sent.text
        document_id = sent.json()["document_id"]
    counts = inbound.pull()
    assert counts["packages"] == 1 and counts["packages_refused"] == 0
    package = Package.objects.get(document_id=document_id)
    assert packages.package_bytes(package, original=True) == data  # the sender's own signature
    delivery = Delivery.objects.get(package=package)
    assert delivery.recipient == t.a and delivery.via == ""
    assert inbound.pull()["packages"] == 0  # acknowledged at the parent
    # A's answer goes up to the parent, where QA sees it.
    clerk_a = make_official("clerk_a", t.a, "clerk").user
    deliveries.acknowledge(delivery, actor=clerk_a)
    statuses.accept_status(status(t.a, document_id, "03"), actor=clerk_a)
    up = OutboxMessage.objects.get(kind="exchange.relay_status")
    assert outbox.send(up.pk) == "sent", OutboxMessage.objects.get(pk=up.pk).last_error
    with at_national(national, "q") as q:
        seen = q.get("/api/v1/exchange/packages/").json()["results"]
    states = {d["recipient"]: d["status"] for d in seen[0]["deliveries"]}
    assert states == {A: "03", R: ""}


def post_xml(http: httpx.Client, path: str, data: bytes) -> httpx.Response:
    return http.post(path, content=data, headers={"Content-Type": "application/xml"})


def test_an_outside_senders_recall_reaches_the_province_and_the_answer_goes_up(province, national):
    t = province
    data = signed(make_package(t.qa, [t.a, t.r], number=10), t.qa)
    with at_national(national, "q") as q:
        sent = post_xml(q, "/api/v1/exchange/packages/", data)
        assert sent.status_code == 201, sent.text
    document_id = sent.json()["document_id"]
    assert inbound.pull()["packages"] == 1
    delivery = Delivery.objects.get(package__document_id=document_id)
    clerk_a = make_official("clerk_a", t.a, "clerk").user
    deliveries.acknowledge(delivery, actor=clerk_a)

    with at_national(national, "q") as q:
        recalled = post_xml(q, "/api/v1/exchange/statuses/", status(t.qa, document_id, "13"))
        assert recalled.status_code == 201, recalled.text
    with at_national(national, "province") as prov:
        pending = prov.get("/api/v1/exchange/mailbox/?recall=pending").json()["results"]
        assert [m["document_id"] for m in pending] == [document_id]
    counts = inbound.pull()
    assert (counts["recalls"], counts["recalls_refused"]) == (1, 0)
    delivery.refresh_from_db()
    assert delivery.recall_status == "13"
    assert Evidence.objects.filter(document_id=document_id, kind="status").count() == 1
    assert inbound.pull()["recalls"] == 0  # acknowledged at the parent: not pending any more
    with at_national(national, "province") as prov:
        assert prov.get("/api/v1/exchange/mailbox/?recall=pending").json()["results"] == []
        seen = prov.get(f"/api/v1/exchange/mailbox/{pending[0]['id']}/").json()
        assert seen["recall_pulled_at"] and seen["recall_error"] == ""

    # A agrees in the province (the clerk's answer); the answer goes up to the parent.
    from egov.exchange.services import documents

    documents.answer(delivery, "15", actor=clerk_a)
    up = OutboxMessage.objects.get(kind="exchange.relay_status")
    assert outbox.send(up.pk) == "sent", OutboxMessage.objects.get(pk=up.pk).last_error
    with at_national(national, "q") as q:
        agreed = post_xml(q, "/api/v1/exchange/statuses/", status(t.r, document_id, "15"))
        assert agreed.status_code == 403  # only R may answer for R
    with at_national(national, "r") as r:
        assert post_xml(r, "/api/v1/exchange/statuses/", status(t.r, document_id, "15")).is_success
    with at_national(national, "q") as q:
        [package] = [
            p
            for p in q.get("/api/v1/exchange/packages/").json()["results"]
            if p["document_id"] == document_id
        ]
    assert {d["recipient"]: d["recall_status"] for d in package["deliveries"]} == {
        A: "15",
        R: "15",
    }
    assert package["recalled_at"]  # every recipient agreed


def test_refusals_at_the_pull_are_final_and_kept_at_the_parent(province, national):
    """A sender of the province bypassed its hub: the parent delivers to P (the province's own),
    P's hub refuses the package (not_inward), R's answer to it (unknown here) and its recall."""
    t = province
    data = signed(make_package(t.a, [t.p, t.r], number=11), t.a)
    with at_national(national, "province") as prov, at_national(national, "r") as r:
        sent = post_xml(prov, "/api/v1/exchange/packages/", data)  # no X-Egov-Relay
        assert sent.status_code == 201, sent.text
        document_id = sent.json()["document_id"]
        package_id = sent.json()["id"]
        assert post_xml(r, "/api/v1/exchange/statuses/", status(t.r, document_id, "03")).is_success
        recall = post_xml(prov, "/api/v1/exchange/statuses/", status(t.a, document_id, "13"))
        assert recall.status_code == 201, recall.text

    counts = inbound.pull()
    assert (counts["statuses"], counts["statuses_refused"]) == (0, 1)
    assert (counts["packages"], counts["packages_refused"]) == (0, 1)
    assert (counts["recalls"], counts["recalls_refused"]) == (0, 1)
    assert not Package.objects.filter(document_id=document_id).exists()
    # Final: nothing is fetched (and refused) again.
    assert set(inbound.pull().values()) == {0}

    with at_national(national, "province") as prov:
        [answer] = [
            s
            for s in prov.get("/api/v1/exchange/statuses/").json()["results"]
            if s["document_id"] == document_id
        ]
        assert answer["pulled_at"] and answer["refusal"].startswith("unknown_document: ")
        sent = prov.get(f"/api/v1/exchange/packages/{package_id}/").json()
        to_p = {d["recipient"]: d for d in sent["deliveries"]}[P]
        assert to_p["transport_state"] == "failed"
        assert "not_inward" in to_p["transport_error"]
        [mail] = [
            m
            for m in prov.get("/api/v1/exchange/mailbox/").json()["results"]
            if m["document_id"] == document_id
        ]
        assert mail["recall_error"].startswith("unknown_document: ")
        # A second refusal changes nothing (the first reason is kept).
        again = prov.post(
            f"/api/v1/exchange/mailbox/{mail['id']}/acknowledge/", json={"refused": "other"}
        )
        assert again.status_code == 200 and "not_inward" in again.json()["transport_error"]
    log = national.log.read_text()
    assert "Traceback" not in log


def test_a_failed_relay_is_retried_by_the_senders_clerk(province, national, client):
    t = province
    clerk_a = make_official("clerk_a", t.a, "clerk").user
    package = packages.accept_package(
        signed(make_package(t.a, [t.r], number=12), t.a), actor=clerk_a
    ).package
    message = OutboxMessage.objects.get(kind="exchange.relay", payload__package=package.pk)

    def refusing(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        return httpx.Response(400, json={"code": "invalid_date", "message": "a broken parent"})

    with httpx.Client(transport=httpx.MockTransport(refusing)) as mock:
        assert outbox.send(message.pk, client=mock) == "failed"
    parent_hub.forget_token()
    far = package.deliveries.get()
    assert far.transport_state == "failed" and "invalid_date" in far.transport_error

    # The clerk's pages show the relay and why it failed, with a button to send again.
    client.force_login(clerk_a)
    for url in (f"/exchange/packages/{package.pk}/", "/exchange/outbox/"):
        page = client.get(url).content.decode()
        assert "qua trục quốc gia" in page and "Lỗi chuyển phát:" in page, url
        assert "invalid_date" in page
    assert (
        "Gửi lại lên trục quốc gia"
        in client.get(f"/exchange/packages/{package.pk}/").content.decode()
    )

    # Through the API (documents.send on the sender): a new outbox row.
    answer = client.post(f"/api/v1/exchange/packages/{package.pk}/retry/")
    assert answer.status_code == 202, answer.content
    assert answer.json()["recipients"] == [R]
    retried = OutboxMessage.objects.get(key=answer.json()["outbox"])
    assert retried.pk != message.pk and retried.state == "pending"
    far.refresh_from_db()
    assert (far.transport_state, far.transport_error) == ("pending", "")
    nothing = client.post(f"/api/v1/exchange/packages/{package.pk}/retry/")
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_retry"
    with httpx.Client(transport=httpx.MockTransport(refusing)) as mock:
        assert outbox.send(retried.pk, client=mock) == "failed"
    parent_hub.forget_token()

    # From the clerk's page: sent to the national hub again, and this time it takes it.
    response = client.post(f"/exchange/packages/{package.pk}/retry/")
    assert response.status_code == 302
    third = OutboxMessage.objects.filter(kind="exchange.relay", payload__package=package.pk).latest(
        "pk"
    )
    assert third.key == f"relay:{package.pk}:3"
    assert outbox.send(third.pk) == "sent"
    far.refresh_from_db()
    assert far.transport_state == "delivered" and far.transport_error == ""
    page = client.get(f"/exchange/packages/{package.pk}/").content.decode()
    assert "qua trục quốc gia" in page and "Gửi lại lên trục quốc gia" not in page
    from egov.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="exchange.relay_retried").count() == 2


def test_a_failed_status_relay_is_retried_with_the_package(province, national, client, settings):
    """A local sender's recall going up fails (the parent unreachable); the package's retry sends
    it again (one button, one endpoint for what failed)."""
    t = province
    clerk_a = make_official("clerk_a", t.a, "clerk").user
    package = packages.accept_package(
        signed(make_package(t.a, [t.r], number=13), t.a), actor=clerk_a
    ).package
    assert send_relay(package).state == "sent"
    settings.EGOV_EXCHANGE_PARENT_URL = f"http://127.0.0.1:{free_port()}"  # nobody listens
    statuses.accept_status(status(t.a, package.document_id, "13"), actor=clerk_a)
    up = OutboxMessage.objects.get(kind="exchange.relay_status", payload__package=package.pk)
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.send(up.pk)
    up.refresh_from_db()
    assert up.state == "failed" and "ConnectError" in up.last_error
    assert [m.pk for m in outbound.failed_status_relays(package)] == [up.pk]

    settings.EGOV_EXCHANGE_PARENT_URL = national.url
    client.force_login(clerk_a)
    assert (
        "Gửi lại lên trục quốc gia"
        in client.get(f"/exchange/packages/{package.pk}/").content.decode()
    )
    answer = client.post(f"/api/v1/exchange/packages/{package.pk}/retry/")
    assert answer.status_code == 202, answer.content
    again = f"{up.key}:2"
    assert answer.json() == {"outbox": again, "recipients": [], "statuses": [again]}
    retried = OutboxMessage.objects.get(key=again)
    assert retried.kind == "exchange.relay_status"
    assert retried.payload["url"].startswith(national.url)
    nothing = client.post(f"/api/v1/exchange/packages/{package.pk}/retry/")
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_retry"
    assert outbox.send(retried.pk) == "sent", OutboxMessage.objects.get(pk=retried.pk).last_error
    assert outbound.failed_status_relays(package) == []
    page = client.get(f"/exchange/packages/{package.pk}/").content.decode()
    assert "Gửi lại lên trục quốc gia" not in page
    with pytest.raises(HubError) as refused:
        outbound.retry(package, actor=clerk_a)
    assert (refused.value.code, refused.value.status) == ("nothing_to_retry", 409)

    with at_national(national, "province") as prov:
        sent = prov.get("/api/v1/exchange/packages/").json()["results"]
    [seen] = [p for p in sent if p["document_id"] == package.document_id]
    assert [d["recall_status"] for d in seen["deliveries"]] == ["13"]  # the recall arrived
    from egov.core.models import AuditEntry

    entry = AuditEntry.objects.get(action="exchange.relay_retried", object_id=str(package.pk))
    assert entry.summary["recipients"] == [] and entry.summary["outbox"] == again
    assert entry.summary["status_relays"][0]["previous"] == up.key
    assert "ConnectError" in entry.summary["status_relays"][0]["previous_error"]


def test_a_status_with_a_bad_signature_from_the_parent_is_refused(orgs, settings):
    """No second process needed: the parent is a mock serving one tampered status packet."""
    settings.EGOV_INSTANCE_ORG_CODE = orgs.p.code
    settings.EGOV_EXCHANGE_ROLE = "provincial"
    settings.EGOV_EXCHANGE_PARENT_URL = "http://parent.test"
    settings.EGOV_EXCHANGE_PARENT_CLIENT_ID = "p"
    settings.EGOV_EXCHANGE_PARENT_CLIENT_SECRET = "s"
    parent_hub.forget_token()
    clerk = make_official("clerk_a", orgs.a, "clerk").user
    package = packages.accept_package(
        signed(make_package(orgs.a, [orgs.q], number=5), orgs.a), actor=clerk
    ).package
    good = status(orgs.q, package.document_id, "03", description="accepted")
    tampered = good.replace(b"accepted", b"rejected")
    assert tampered != good
    with pytest.raises(HubError) as refused:
        statuses.accept_parent_status(tampered)
    assert refused.value.code == "signature_invalid"
    acknowledged = []

    def parent(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        if request.url.path.endswith("/acknowledge/"):
            acknowledged.append((request.url.path, json.loads(request.content or b"null")))
            return httpx.Response(200, json={})
        if request.url.path == "/api/v1/exchange/statuses/":
            after = int(request.url.params.get("after", 0))
            items = [{"id": 7, "xml": tampered.decode()}] if after < 7 else []
            return httpx.Response(200, json={"results": items})
        return httpx.Response(200, json={"results": []})

    with httpx.Client(transport=httpx.MockTransport(parent)) as mock:
        counts = inbound.pull(client=mock)
    assert counts["statuses_refused"] == 1 and counts["statuses"] == 0
    # Refused for good at the parent: acknowledged with the refusal, not fetched again.
    [(path, body)] = acknowledged
    assert path == "/api/v1/exchange/statuses/7/acknowledge/"
    assert body["refused"] == "signature_invalid" and body["reason"]
    delivery = package.deliveries.get()
    assert delivery.status == ""
    # The packet as Q signed it is applied to the delivery via the parent.
    assert delivery.via == "parent"
    assert statuses.accept_parent_status(good).code == "03"
    delivery.refresh_from_db()
    assert delivery.status == "03"
    # A status of a recipient this hub did not relay to is refused.
    local = packages.accept_package(
        signed(make_package(orgs.a, [orgs.p], number=6), orgs.a), actor=clerk
    ).package
    with pytest.raises(HubError) as refused:
        statuses.accept_parent_status(status(orgs.p, local.document_id, "03"))
    assert refused.value.code == "not_received"


def test_a_recall_waits_for_its_package_at_the_parent(orgs, settings):
    """A recall listed at the parent whose delivery is still pending there (the package not
    taken yet) is neither fetched nor refused: it waits for the package."""
    settings.EGOV_INSTANCE_ORG_CODE = orgs.p.code
    settings.EGOV_EXCHANGE_ROLE = "provincial"
    settings.EGOV_EXCHANGE_PARENT_URL = "http://parent.test"
    settings.EGOV_EXCHANGE_PARENT_CLIENT_ID = "p"
    settings.EGOV_EXCHANGE_PARENT_CLIENT_SECRET = "s"
    parent_hub.forget_token()
    calls = []

    def parent(request: httpx.Request) -> httpx.Response:
        calls.append((request.method, request.url.path))
        if request.url.path == "/api/v1/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        params = request.url.params
        if params.get("recall") == "pending" and int(params.get("after", 0)) < 3:
            return httpx.Response(200, json={"results": [{"id": 3, "transport_state": "pending"}]})
        return httpx.Response(200, json={"results": []})

    with httpx.Client(transport=httpx.MockTransport(parent)) as mock:
        counts = inbound.pull(client=mock)
    assert set(counts.values()) == {0}
    assert not [c for c in calls if "/mailbox/3/" in c[1]]


def test_a_national_hub_relays_nothing(orgs):
    assert not parent_hub.is_provincial()
    with pytest.raises(CommandError):
        call_command("exchange", "pull-parent")
    assert set(inbound.pull().values()) == {0}


def test_settings_refuse_a_provincial_hub_without_a_parent(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EGOV_", "DATABASE_"))},
        "EGOV_ENV": "test",
        "EGOV_EXCHANGE_ROLE": "provincial",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "egov.cli", "check"],
        env=env,
        capture_output=True,
        cwd=Path(tmp_path),
    )
    assert done.returncode != 0 and b"EGOV_EXCHANGE_PARENT_URL" in done.stderr


def test_a_local_recipients_failed_answer_is_retried_by_its_clerk(
    province, national, client, settings
):
    """An outside sender's package reached A; A's answer could not go up (the parent
    unreachable). Nobody here may act for the sender, so A's clerk retries it
    (documents.receive)."""
    from egov.core.models import AuditEntry

    t = province
    data = signed(make_package(t.qa, [t.a], number=21), t.qa)
    with at_national(national, "q") as q:
        document_id = post_xml(q, "/api/v1/exchange/packages/", data).json()["document_id"]
    assert inbound.pull()["packages"] == 1
    delivery = Delivery.objects.get(package__document_id=document_id)
    clerk_a = make_official("clerk_a", t.a, "clerk").user
    settings.EGOV_EXCHANGE_PARENT_URL = f"http://127.0.0.1:{free_port()}"  # nobody listens
    statuses.accept_status(status(t.a, document_id, "03"), actor=clerk_a)
    up = OutboxMessage.objects.get(kind="exchange.relay_status", payload__delivery=delivery.pk)
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.send(up.pk)
    assert [m.pk for m in outbound.failed_answer_relays(delivery)] == [up.pk]

    settings.EGOV_EXCHANGE_PARENT_URL = national.url
    client.force_login(clerk_a)
    page = client.get(f"/exchange/inbox/{delivery.pk}/").content.decode()
    assert "Gửi lại trả lời lên trục quốc gia" in page
    answer = client.post(f"/api/v1/exchange/mailbox/{delivery.pk}/retry/")
    assert answer.status_code == 202, answer.content
    again = f"{up.key}:2"
    assert answer.json() == {"outbox": [again]}
    assert outbox.send(OutboxMessage.objects.get(key=again).pk) == "sent"
    assert outbound.failed_answer_relays(delivery) == []
    nothing = client.post(f"/api/v1/exchange/mailbox/{delivery.pk}/retry/")
    assert nothing.status_code == 409 and nothing.json()["code"] == "nothing_to_retry"
    assert "Gửi lại trả lời" not in client.get(f"/exchange/inbox/{delivery.pk}/").content.decode()
    # Another organisation's clerk cannot see the delivery, let alone retry it.
    client.force_login(make_official("clerk_r", t.r, "clerk").user)
    assert client.post(f"/api/v1/exchange/mailbox/{delivery.pk}/retry/").status_code == 404
    with at_national(national, "q") as q:
        sent = q.get("/api/v1/exchange/packages/").json()["results"]
    [seen] = [p for p in sent if p["document_id"] == document_id]
    assert [d["status"] for d in seen["deliveries"]] == ["03"]
    entry = AuditEntry.objects.get(action="exchange.answer_relay_retried")
    assert entry.summary["status_relays"][0]["previous"] == up.key


def test_a_package_signed_in_its_header_crosses_hubs_as_its_sender_signed_it(
    province, national, shared_pki, tmp_path
):
    """VNPT's SDK signs in edXMLHeader: the national hub takes it, the province pulls the
    sender's bytes unchanged (?original=true), verifies them at the same place and delivers its
    own copy signed last in the root."""
    from lxml import etree

    from .test_interop import DS, NS, build, package_tree, sign_with_xmlsec1, verify_with_xmlsec1

    t = province
    root = build(package_tree(t.qa, t.a, full=True, number=21), "ns2")
    data = sign_with_xmlsec1(root, t.qa, tmp_path, parent=root.find(f"{{{NS}}}edXMLHeader"))
    with at_national(national, "q") as q:
        sent = post_xml(q, "/api/v1/exchange/packages/", data)
        assert sent.status_code == 201, sent.text
    assert inbound.pull()["packages"] == 1
    package = Package.objects.get(document_id=sent.json()["document_id"])
    assert packages.package_bytes(package, original=True) == data
    copy = packages.package_bytes(package)
    assert verify_with_xmlsec1(copy, shared_pki, tmp_path).returncode == 0
    tree = etree.fromstring(copy)
    assert tree[-1].tag == f"{{{DS}}}Signature"
    assert tree.find(f"{{{NS}}}edXMLHeader/{{{DS}}}Signature") is None
