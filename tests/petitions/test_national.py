"""The national side over real HTTP: this test process is the national centre's instance, a
second process on loopback (gunicorn, its own SQLite file and EGOV_* environment) is province
P's. A petition submitted at the centre and forwarded to commune A of P goes to P's instance
through the outbox (once, however often it is sent); P's officials handle, answer and publish it
there; the centre pulls the statuses and the signed answer back and publishes it on its page.
"""

from __future__ import annotations

import hashlib

import httpx
import pytest
from django.test import Client

from egov.core.models import OutboxMessage
from egov.core.services import outbox
from egov.petitions import services
from egov.petitions.models import Status
from egov.petitions.services import peers

from ..instance_support import second_instance
from .conftest import CENTRE, PDF, data

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # a second instance in its own process

P, A = "000.00.00.H26", "000.00.01.H26"

SETUP = """
import json, django
django.setup()
from egov.accounts.services import clients
from egov.core.services import organisations as o
from egov.core.services.organisations import OrganisationData as D
o.create_organisation(D(%(centre)r, "Văn phòng Chính phủ", "central"))
p = o.create_organisation(D(%(p)r, "UBND tỉnh P", "province"))
a = o.create_organisation(D(%(a)r, "UBND xã A", "commune", parent=p))
out = {}
for name, orgs, subtree, scopes in [
    ("national", [p], True, ["petitions.inbound", "petitions.read"]),
    ("commune", [a], False, ["petitions.read", "petitions.handle", "petitions.answer",
                             "petitions.publish"]),
]:
    c = clients.create_client(name=name, organisations=orgs, include_subtree=subtree,
                              actor="test", scopes=scopes)
    out[name] = [c.client_id, clients.add_secret(c, actor="test")[1]]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def province(tmp_path_factory, shared_pki):
    """P's instance: migrate, its registry and API clients, gunicorn on a free port."""
    setup = SETUP % {"centre": CENTRE, "p": P, "a": A}
    work = tmp_path_factory.mktemp("province")
    with second_instance(
        work, "province", setup, EGOV_PKI_DIR=str(shared_pki), EGOV_INSTANCE_ORG_CODE=P
    ) as instance:
        yield instance


@pytest.fixture
def national(world, settings, province):
    client_id, secret = province.clients["national"]
    settings.EGOV_PETITIONS_PROVINCES = {
        P: {"url": province.url, "client_id": client_id, "client_secret": secret}
    }
    peers.forget_tokens()
    return world


def at_province(province, who) -> httpx.Client:
    client_id, secret = province.clients[who]
    token = httpx.post(
        f"{province.url}/api/v1/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    ).json()["access_token"]
    return httpx.Client(
        base_url=province.url,
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "vi"},
    )


def test_forwarded_to_the_province_handled_there_and_the_answer_comes_back(national, province):
    world = national
    petition = services.submit(
        actor=world.citizen.user,
        data=data(title="Cống thoát nước bị tắc", publish_name=True),
        uploads=[services.Upload(PDF, "anh.pdf", "application/pdf")],
    )
    services.forward(world.centre_desk.user, petition, to_organisation=world.a)
    message = OutboxMessage.objects.get(kind=peers.FORWARD)
    assert outbox.run(message.pk, early=True) == "sent", message.last_error
    petition.refresh_from_db()
    assert petition.remote == P and petition.remote_code.startswith("PAKN-")
    assert petition.status == Status.FORWARDED
    # A forward sent again (a retry after a lost answer) is the same petition there.
    message.refresh_from_db()
    assert peers.send_forward(message) == {"code": petition.remote_code}

    with at_province(province, "commune") as commune:
        url = f"/api/v1/petitions/{petition.remote_code}/"
        there = commune.get(url).json()
        assert there["status"] == Status.FORWARDED and there["title"] == petition.title
        assert [f["sha256"] for f in there["attachments"]] == [hashlib.sha256(PDF).hexdigest()]
        # Without petitions.inbound nobody forwards into P.
        refused = commune.post("/api/v1/petitions/inbound/", json={})
        assert refused.status_code == 403
        listed = commune.get("/api/v1/petitions/").json()["results"]
        assert [p["code"] for p in listed] == [petition.remote_code]
        for act in ("accept", "start"):
            assert commune.post(f"{url}{act}/", json={}).status_code == 200

    assert peers.pull() == {"checked": 1, "updated": 1, "failed": 0}
    petition.refresh_from_db()
    assert petition.status == Status.HANDLING and petition.organisation == world.a
    assert [h.act for h in petition.hand_offs.order_by("at", "pk")] == [
        "submit",
        "forward",
        "forward",  # the line P's instance wrote on reception
        "accept",
        "start",
    ]
    assert peers.pull()["updated"] == 0  # nothing new there

    with at_province(province, "commune") as commune:
        answer = commune.post(f"{url}answer/", json={"answer": "Xã đã nạo vét cống."})
        assert answer.status_code == 200, answer.text
        assert commune.post(f"{url}publish/", json={}).status_code == 200

    assert peers.pull()["updated"] == 1
    petition.refresh_from_db()
    assert petition.status == Status.PUBLISHED and petition.answer_text == "Xã đã nạo vét cống."
    assert petition.answered_by == world.a and petition.published_at is not None
    assert petition.answer_file.read().startswith(b"%PDF-")
    assert peers.pull()["checked"] == 0  # published: no longer followed

    # The national public page shows the answer; the list finds it without diacritics.
    page = Client(HTTP_ACCEPT_LANGUAGE="vi")
    detail = page.get(f"/petitions/published/{petition.code}/").content.decode()
    assert "Xã đã nạo vét cống." in detail
    assert petition.title in page.get("/petitions/", {"q": "cong thoat nuoc"}).content.decode()
    assert page.get(f"/petitions/answers/{petition.code}.pdf").status_code == 200
    # The submitter was told of each change pulled here.
    assert OutboxMessage.objects.filter(kind="petitions.email", key__contains=":r").count() == 2


def test_a_province_that_refuses_fails_the_forward_for_good(national, province, settings):
    world = national
    settings.EGOV_PETITIONS_PROVINCES = {
        P: {**settings.EGOV_PETITIONS_PROVINCES[P], "client_id": province.clients["commune"][0]}
    }
    settings.EGOV_PETITIONS_PROVINCES[P]["client_secret"] = province.clients["commune"][1]
    peers.forget_tokens()
    petition = services.submit(actor=world.citizen.user, data=data())
    services.forward(world.centre_desk.user, petition, to_organisation=world.a)
    message = OutboxMessage.objects.get(kind=peers.FORWARD)
    assert outbox.run(message.pk, early=True) == "failed"
    message.refresh_from_db()
    assert "403" in message.last_error
    petition.refresh_from_db()
    assert petition.remote == P and petition.remote_code is None
