"""The hub over HTTP: API clients authenticate and send only for their own organisations."""

from __future__ import annotations

import pytest
from django.test import override_settings

from egov.accounts.services import clients as client_services
from egov.core.signing import ensure_ca
from egov.exchange import trail
from egov.exchange.models import Package

from .conftest import make_package, signed
from .test_hub import status

pytestmark = pytest.mark.django_db


def token(client, org, *scopes):
    api = client_services.create_client(
        name=f"system-{org.code}", organisations=[org], scopes=list(scopes), actor="test"
    )
    _key, secret = client_services.add_secret(api, actor="test")
    response = client.post(
        "/api/v1/oauth/token",
        f"grant_type=client_credentials&client_id={api.client_id}&client_secret={secret}",
        content_type="application/x-www-form-urlencoded",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def post_xml(client, url, data, auth):
    return client.post(url, data, content_type="application/xml", **auth)


def test_send_pull_acknowledge_answer_and_see_the_status(client, orgs, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send", "documents.receive")
    q = token(client, orgs.q, "documents.send", "documents.receive")
    data = signed(make_package(orgs.p, [orgs.q]), orgs.p)
    response = post_xml(client, "/api/v1/exchange/packages/", data, p)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] and "<edXML:Status" in body["receipt"]
    again = post_xml(client, "/api/v1/exchange/packages/", data, p)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    # Q may not send as P, and a broken package is refused naming element and rule.
    other = signed(make_package(orgs.p, [orgs.q], number=2), orgs.p)
    refused = post_xml(client, "/api/v1/exchange/packages/", other, q)
    assert refused.status_code == 403 and refused.json()["code"] == "not_your_organisation"
    broken = post_xml(client, "/api/v1/exchange/packages/", b"<edXML:x", p)
    assert broken.status_code == 400 and broken.json()["rule"] == "well_formed"
    # Q's mailbox has it; P's has nothing.
    mailbox = client.get("/api/v1/exchange/mailbox/?state=pending", **q).json()["results"]
    assert [m["document_id"] for m in mailbox] == [body["document_id"]]
    assert client.get("/api/v1/exchange/mailbox/", **p).json()["results"] == []
    delivery = mailbox[0]["id"]
    assert client.get(f"/api/v1/exchange/mailbox/{delivery}/", **p).status_code == 404
    xml = client.get(f"/api/v1/exchange/mailbox/{delivery}/package/", **q)
    assert xml.status_code == 200 and xml["Content-Type"] == "application/xml"
    ack = client.post(f"/api/v1/exchange/mailbox/{delivery}/acknowledge/", **q)
    assert ack.json()["status"] == "01" and ack.json()["transport_state"] == "delivered"
    answer = post_xml(
        client, "/api/v1/exchange/statuses/", status(orgs.q, body["document_id"], "03"), q
    )
    assert answer.status_code == 201, answer.content
    seen = client.get(f"/api/v1/exchange/packages/{body['id']}/", **p).json()
    assert seen["deliveries"] == [
        {
            "recipient": orgs.q.code,
            "transport_state": "delivered",
            "via": "",
            "transport_error": "",
            "status": "03",
            "recall_status": "",
            "delivered_at": seen["deliveries"][0]["delivered_at"],
        }
    ]
    assert client.get(f"/api/v1/exchange/packages/{body['id']}/", **q).status_code == 404
    receipt = client.get(f"/api/v1/exchange/packages/{body['id']}/receipt/", **p)
    assert receipt.content.decode() == body["receipt"]
    exported = client.get(f"/api/v1/exchange/packages/{body['id']}/trail/", **p).json()
    assert trail.check(exported) == []
    assert Package.objects.count() == 1


def test_without_the_scope_or_credentials_nothing_is_sent(client, orgs):
    data = signed(make_package(orgs.p, [orgs.q]), orgs.p)
    reader = token(client, orgs.p, "documents.read")
    assert post_xml(client, "/api/v1/exchange/packages/", data, reader).status_code == 403
    assert post_xml(client, "/api/v1/exchange/packages/", data, {}).status_code in {401, 403}
    assert Package.objects.count() == 0


def test_a_refusal_speaks_one_language(client, orgs, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send")
    data = signed(make_package(orgs.p, [orgs.q]), orgs.p).replace(
        b"<edXML:PromulgationDate>2026/11/28<", b"<edXML:PromulgationDate>28/11/2026<", 1
    )
    vi = post_xml(client, "/api/v1/exchange/packages/", data, p).json()
    en = client.post(
        "/api/v1/exchange/packages/",
        data,
        content_type="application/xml",
        HTTP_ACCEPT_LANGUAGE="en",
        **p,
    ).json()
    assert vi["code"] == en["code"] == "invalid_date"
    assert vi["message"] == "'28/11/2026' không phải ngày dạng yyyy/MM/dd."
    assert en["message"] == "'28/11/2026' is not a date yyyy/MM/dd."


def test_a_hub_without_its_organisation_says_try_later(client, orgs, settings):
    """The hub's own code missing from the registry is the hub's set-up, not the sender's
    mistake nor a crash: 503 with the code and a Vietnamese message, nothing stored."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    settings.EGOV_INSTANCE_ORG_CODE = "000.00.00.Z99"
    p = token(client, orgs.p, "documents.send")
    data = signed(make_package(orgs.p, [orgs.q]), orgs.p)
    response = post_xml(client, "/api/v1/exchange/packages/", data, p)
    assert response.status_code == 503, response.content
    body = response.json()
    assert body["code"] == "hub_not_configured"
    assert body["message"] == "Cơ quan vận hành trục 000.00.00.Z99 không có trong danh mục."
    assert Package.objects.count() == 0


def test_a_signer_outside_the_trusted_ca_is_told_so(client, orgs, settings, tmp_path):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    p = token(client, orgs.p, "documents.send")
    with override_settings(EGOV_PKI_DIR=tmp_path / "other-ca", EGOV_PKI_AUTO_CREATE=True):
        ensure_ca()
        data = signed(make_package(orgs.p, [orgs.q]), orgs.p)
    refused = client.post(
        "/api/v1/exchange/packages/",
        data,
        content_type="application/xml",
        HTTP_ACCEPT_LANGUAGE="en",
        **p,
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "signer_not_trusted" and body["rule"] == "trust"
    assert "certification authority" in body["message"] and "keyUsage" not in body["message"]
    assert Package.objects.count() == 0
