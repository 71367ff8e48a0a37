"""Batches of packages: POST /exchange/packages/batch/, all or nothing, the same records as one by
one, and a number of queries that does not grow with the batch."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.core.models import AuditEntry
from egov.core.signing import verify_xml
from egov.exchange import edxml
from egov.exchange.api import viewsets as api
from egov.exchange.models import Delivery, Evidence, Package
from egov.exchange.services import evidence
from egov.exchange.services.errors import BatchRefused
from egov.exchange.services.hub import packages as hub_packages

from .conftest import make_package, signed
from .test_api import token
from .test_hub import clerks  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchange/packages/batch/"


def packages(orgs, first: int, n: int, notation="CV-LO") -> list[bytes]:
    return [
        signed(make_package(orgs.p, [orgs.q, orgs.a], number=k, notation=notation), orgs.p)
        for k in range(first, first + n)
    ]


def post_batch(client, datas: list[bytes], auth, name="package"):
    files = [SimpleUploadedFile(f"p{i}.xml", d, "application/xml") for i, d in enumerate(datas)]
    return client.post(URL, {name: files}, **auth)


def _records(document_id: str) -> dict:
    package = Package.objects.get(document_id=document_id)
    return {
        "deliveries": sorted(
            (d.recipient.code, d.transport_state, d.status, d.via)
            for d in package.deliveries.select_related("recipient")
        ),
        "evidence": list(
            Evidence.objects.filter(document_id=document_id)
            .order_by("seq")
            .values_list("kind", "organ_id")
        ),
        "audit": list(
            AuditEntry.objects.filter(object_type="exchange.package", object_id=str(package.pk))
            .order_by("seq")
            .values_list("action", flat=True)
        ),
        "stored": (bool(package.original), bool(package.hub_part)),
    }


def test_a_batch_gives_each_package_the_records_of_a_single_send(client, orgs, clerks):  # noqa: F811
    auth = token(client, orgs.p, "documents.send")
    single = hub_packages.accept_package(packages(orgs, 1, 1, "CV-ONE")[0], actor=clerks["p"])
    datas = packages(orgs, 1, 3)
    response = post_batch(client, datas, auth)
    assert response.status_code == 201, response.content
    answers = response.json()["packages"]
    assert [a["created"] for a in answers] == [True, True, True]
    sent = [edxml.parse(d).document_id for d in datas]
    assert [a["document_id"] for a in answers] == sent
    expected = _records(single.package.document_id)
    for answer in answers:
        receipt = verify_xml(answer["receipt"].encode())
        assert receipt.valid and receipt.signer_code == orgs.hub.code
        assert (
            edxml.parse_status(answer["receipt"].encode()).response_for.document_id
            == (answer["document_id"])
        )
        assert _records(answer["document_id"]) == expected
        copy = hub_packages.package_bytes(Package.objects.get(pk=answer["id"]))
        assert verify_xml(copy).signer_code == orgs.hub.code
    assert (verdict := evidence.verify()).intact and verdict.length == 8
    assert AuditEntry.objects.filter(action="exchange.package_accepted").count() == 4
    # The whole batch again: resends, answered with the same receipts; nothing new is stored.
    again = post_batch(client, datas, auth)
    assert again.status_code == 200, again.content
    assert [(a["id"], a["created"], a["receipt"]) for a in again.json()["packages"]] == [
        (a["id"], False, a["receipt"]) for a in answers
    ]
    assert Package.objects.count() == 4 and Evidence.objects.count() == 8


def test_one_bad_package_refuses_the_batch_and_names_it(client, orgs, clerks, caplog):  # noqa: F811
    auth = token(client, orgs.p, "documents.send")
    datas = packages(orgs, 1, 4)
    datas[1] = datas[1].replace("triển khai".encode(), "thay đổi".encode())
    datas[3] = b"<edXML:edXMLEnvelope"
    response = post_batch(client, datas, auth)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "batch_refused"
    assert [(e["index"], e["code"]) for e in body["errors"]] == [
        (1, "signature_invalid"),
        (3, "invalid_well_formed"),
    ]
    assert set(body["fields"]) == {"packages.1", "packages.3"}
    assert "refused" in caplog.text
    assert Package.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert Evidence.objects.count() == 0
    refusals = AuditEntry.objects.filter(action="exchange.package_refused")
    assert sorted(r.summary["batch_index"] for r in refusals) == [1, 3]
    # Without the bad ones, the same batch goes through.
    ok = post_batch(client, [datas[0], datas[2]], auth)
    assert ok.status_code == 201 and Package.objects.count() == 2


def test_refusals_of_other_kinds(client, orgs, clerks):  # noqa: F811
    p = token(client, orgs.p, "documents.send")
    q = token(client, orgs.q, "documents.send")
    datas = packages(orgs, 1, 2)
    # Q may not send P's packages: 403 names both.
    refused = post_batch(client, datas, q)
    assert refused.status_code == 403
    assert [e["code"] for e in refused.json()["errors"]] == ["not_your_organisation"] * 2
    # The same DocumentId twice with different bytes: 409; twice the same bytes: one package.
    other = signed(make_package(orgs.p, [orgs.q], number=1, notation="CV-LO", priority=3), orgs.p)
    clash = post_batch(client, [datas[0], other], p)
    assert clash.status_code == 409
    assert [(e["index"], e["code"]) for e in clash.json()["errors"]] == [
        (1, "duplicate_document_id")
    ]
    twice = post_batch(client, [datas[0], datas[0]], p)
    assert twice.status_code == 201
    answers = twice.json()["packages"]
    assert [a["created"] for a in answers] == [True, False]
    assert answers[0]["id"] == answers[1]["id"] and answers[0]["receipt"] == answers[1]["receipt"]
    # No package, a wrong part name, too many parts.
    assert post_batch(client, [], p).status_code == 400
    assert post_batch(client, datas, p, name="file").json()["code"] == "batch_size"
    assert Package.objects.count() == 1


def test_too_large_a_batch_is_refused_before_reading(client, orgs, settings, monkeypatch):
    p = token(client, orgs.p, "documents.send")
    datas = packages(orgs, 1, 3)
    settings.EGOV_EXCHANGE_MAX_PACKAGE = len(datas[0]) * 2
    response = post_batch(client, datas, p)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    # Refused on its Content-Length, before a byte of it is parsed.
    monkeypatch.setattr(api, "MULTIPART_SLACK", 0)
    monkeypatch.setattr(api, "_InMemory", None)  # parsing would now fail with a 500
    early = post_batch(client, datas, p)
    assert early.status_code == 413 and early.json()["code"] == "too_large"
    assert Package.objects.count() == 0


def test_service_refuses_an_empty_or_oversize_batch(orgs, clerks):  # noqa: F811
    with pytest.raises(BatchRefused) as info:
        hub_packages.accept_packages([], actor=clerks["p"])
    assert info.value.errors[0][1].code == "batch_size"
    too_many = [b"<x/>"] * (hub_packages.BATCH_MAX + 1)
    with pytest.raises(BatchRefused):
        hub_packages.accept_packages(too_many, actor=clerks["p"])


def test_queries_do_not_grow_with_the_batch(client, orgs, clerks):  # noqa: F811
    auth = token(client, orgs.p, "documents.send")
    counts = []
    for first, n in ((1, 2), (10, 12)):
        datas = packages(orgs, first, n)
        with CaptureQueriesContext(connection) as queries:
            response = post_batch(client, datas, auth)
        assert response.status_code == 201, response.content
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 14, counts  # SQLite 12, PostgreSQL 14 (token, locks, one INSERT each)
