"""A province's instance receiving a petition forwarded by the national centre's (the API call
its outbox makes: tests/petitions/test_national.py runs it between two processes): only with
petitions.inbound on the organisation it goes to, once per (origin, code), bad input a 400."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from egov.accounts.services import clients as client_services
from egov.petitions.models import Attachment, Petition, Status

from .conftest import PDF

pytestmark = pytest.mark.django_db

BODY = {
    "origin": "000.00.00.G22",
    "origin_code": "PAKN-2026-000042",
    "to_organisation": "000.00.01.H26",
    "title": "Cống thoát nước bị tắc",
    "content": "Nước tràn ra đường.",
    "category": "regulations",
    "submitter_kind": "citizen",
    "submitter_name": "Nguyễn Văn An",
    "submitter_id_number": "001099012345",
    "submitter_email": "an@example.vn",
    "publish_name": True,
    "files": [
        {
            "filename": "anh.pdf",
            "content_type": "application/pdf",
            "content_base64": base64.b64encode(PDF).decode(),
        }
    ],
}


def _api(client, orgs, scopes):
    api = client_services.create_client(
        name="x", organisations=orgs, scopes=scopes, actor="test", include_subtree=True
    )
    _key, secret = client_services.add_secret(api, actor="test")
    token = client.post(
        "/api/v1/oauth/token",
        f"grant_type=client_credentials&client_id={api.client_id}&client_secret={secret}",
        content_type="application/x-www-form-urlencoded",
    ).json()["access_token"]
    return {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "vi"}


def _post(client, body, auth):
    return client.post("/api/v1/petitions/inbound/", body, content_type="application/json", **auth)


def test_received_once_with_its_files_and_no_e_mail_here(world, settings):
    settings.EGOV_INSTANCE_ORG_CODE = world.p.code
    client = Client()
    auth = _api(client, [world.p], ["petitions.inbound", "petitions.read"])
    first = _post(client, BODY, auth)
    assert first.status_code == 201, first.content
    petition = Petition.objects.get()
    assert (petition.origin, petition.origin_code) == (BODY["origin"], BODY["origin_code"])
    assert petition.status == Status.FORWARDED and petition.organisation == world.a
    assert petition.submitter is None and petition.submitter_email == ""
    assert Attachment.objects.get().file.read() == PDF
    again = _post(client, BODY, auth)
    assert again.status_code == 200 and again.json()["code"] == first.json()["code"]
    assert Petition.objects.count() == 1 and Attachment.objects.count() == 1


def test_refused_without_the_scope_there_or_with_bad_input(world, settings):
    settings.EGOV_INSTANCE_ORG_CODE = world.p.code
    client = Client()
    elsewhere = _api(client, [world.b], ["petitions.inbound"])
    assert _post(client, BODY, elsewhere).status_code == 403
    reader = _api(client, [world.p], ["petitions.read"])
    assert _post(client, BODY, reader).status_code == 403
    assert _post(client, BODY, {}).status_code in {401, 403}
    auth = _api(client, [world.p], ["petitions.inbound"])
    bad = _post(client, {**BODY, "to_organisation": "000.00.99.H26"}, auth)
    assert bad.status_code == 400 and "to_organisation" in bad.json()["fields"]
    disguised = {**BODY["files"][0], "content_base64": base64.b64encode(b"MZ" * 20).decode()}
    bad = _post(client, {**BODY, "files": [disguised]}, auth)
    assert bad.status_code == 400 and "files" in bad.json()["fields"]
    assert not Petition.objects.exists()


def test_its_officials_handle_it_and_nobody_here_is_its_submitter(world, settings):
    from egov.petitions import services
    from egov.petitions.acts import allowed_acts, is_submitter

    settings.EGOV_INSTANCE_ORG_CODE = world.p.code
    client = Client()
    assert _post(client, BODY, _api(client, [world.p], ["petitions.inbound"])).status_code == 201
    petition = Petition.objects.get()
    assert not is_submitter(world.citizen.user, petition)
    assert [a.name for a in allowed_acts(petition, world.citizen.user)] == []
    services.accept(world.desk_a.user, petition)
    services.start(world.proc_a.user, petition)
    services.request_supplement(world.desk_a.user, petition, reason="Thiếu ảnh")
    petition.refresh_from_db()
    assert petition.status == Status.SUPPLEMENT_REQUESTED
