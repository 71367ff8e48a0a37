"""Batches through the API: many applications in one call, one act on many dossiers. All or
nothing, the same records as one at a time, and a number of queries that does not grow with the
batch."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test import Client

from egov.core.models import AuditEntry
from egov.core.services import audit
from egov.dossiers.models import DailySequence, Dossier, DossierComponent, ProgressRecord

from .core_support import submit, world  # noqa: F401
from .test_api_queries import application, bearer  # noqa: F401

pytestmark = pytest.mark.django_db

ACTS = ["receive", "start-processing", "approve", "return-result"]


def _post(c, path, body, headers):
    return c.post(path, body, content_type="application/json", **headers)


def _submit_batch(c, w, headers, size):
    r = _post(c, "/api/v1/dossiers/batch/", {"applications": [application(w)] * size}, headers)
    assert r.status_code == 201, r.content
    return [d["code"] for d in r.json()["dossiers"]]


def test_a_batch_goes_through_the_lifecycle_like_single_dossiers(world, bearer):  # noqa: F811
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    before = AuditEntry.objects.count()
    codes = _submit_batch(c, world, bearer, 5)
    # One block of consecutive numbers of the agency's daily sequence, in the order asked.
    numbers = [int(code.rsplit("-", 1)[1]) for code in codes]
    assert numbers == list(range(numbers[0], numbers[0] + 5))
    assert DailySequence.objects.get(organisation=world.a).last == numbers[-1]
    assert DossierComponent.objects.filter(dossier__code__in=codes).count() == 5
    for act in ACTS:
        r = _post(c, f"/api/v1/dossiers/batch/{act}/", {"codes": codes[::-1]}, bearer)
        assert r.status_code == 200, (act, r.content)
        assert [d["code"] for d in r.json()["dossiers"]] == codes[::-1]
    single = submit(world)  # the same procedure and agency, one act at a time, for comparison
    from egov.dossiers import services

    for act in ("receive", "start_processing", "approve", "return_result"):
        single = getattr(services, act)(single, actor=None)
    for dossier in Dossier.objects.filter(code__in=codes):
        assert dossier.status == 10
        assert dossier.due_at == dossier.original_due_at is not None
        assert dossier.timeliness == single.timeliness
        history = list(
            ProgressRecord.objects.filter(dossier=dossier)
            .order_by("id")
            .values_list("action", "from_status", "to_status")
        )
        assert history == list(
            ProgressRecord.objects.filter(dossier=single)
            .order_by("id")
            .values_list("action", "from_status", "to_status")
        )
    # One audit row per dossier and act, and the chain still verifies.
    assert AuditEntry.objects.count() - before == 5 * 5 + 5
    assert audit.verify().intact


def test_a_batch_act_is_all_or_nothing(world, bearer):  # noqa: F811
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    codes = _submit_batch(c, world, bearer, 3)
    r = _post(c, "/api/v1/dossiers/batch/receive/", {"codes": codes[:1]}, bearer)
    assert r.status_code == 200
    audit_rows = AuditEntry.objects.count()
    # The first dossier is already received: receiving the three again refuses all three moves.
    r = _post(c, "/api/v1/dossiers/batch/receive/", {"codes": codes}, bearer)
    assert r.status_code == 409, r.content
    body = r.json()
    assert body["code"] == "batch_refused"
    assert list(body["fields"]) == [codes[0]]
    assert "cannot be received" in body["fields"][codes[0]][0]
    assert list(
        Dossier.objects.filter(code__in=codes).order_by("id").values_list("status", flat=True)
    ) == [2, 1, 1]
    assert AuditEntry.objects.count() == audit_rows


def test_a_batch_with_a_dossier_of_another_agency_is_404_and_changes_nothing(
    world,  # noqa: F811
    bearer,  # noqa: F811
):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    codes = _submit_batch(c, world, bearer, 2)
    elsewhere = submit(world, organisation=world.b)
    r = _post(
        c,
        "/api/v1/dossiers/batch/receive/",
        {"codes": [*codes, elsewhere.code, "no-such-code"]},
        bearer,
    )
    assert r.status_code == 404, r.content
    assert sorted(r.json()["fields"]) == sorted([elsewhere.code, "no-such-code"])
    assert set(
        Dossier.objects.filter(code__in=[*codes, elsewhere.code]).values_list("status", flat=True)
    ) == {1}


def test_a_batch_of_applications_with_one_bad_item_writes_nothing(world, bearer):  # noqa: F811
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    bad = copy.deepcopy(application(world))
    bad["components"][0]["content_base64"] = "aGVsbG8="  # "hello", not a PDF
    sequences = list(DailySequence.objects.values_list("organisation", "day", "last"))
    r = _post(
        c,
        "/api/v1/dossiers/batch/",
        {"applications": [application(world), bad, application(world)]},
        bearer,
    )
    assert r.status_code == 400, r.content
    assert list(r.json()["fields"]) == ["applications.1.components.0"]
    assert Dossier.objects.count() == 0
    assert list(DailySequence.objects.values_list("organisation", "day", "last")) == sequences
    # Too many at once is refused before anything is read.
    r = _post(c, "/api/v1/dossiers/batch/", {"applications": [application(world)] * 101}, bearer)
    assert r.status_code == 400
    r = _post(c, "/api/v1/dossiers/batch/receive/", {"codes": ["x"] * 101}, bearer)
    assert r.status_code == 400


def test_a_batch_for_an_agency_the_client_does_not_serve_is_403(world, bearer):  # noqa: F811
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    other = application(world)
    other["organisation"] = world.b.code
    r = _post(c, "/api/v1/dossiers/batch/", {"applications": [application(world), other]}, bearer)
    assert r.status_code == 403, r.content
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize("size", [2, 20])
def test_batch_queries_do_not_grow_with_the_batch(
    world,  # noqa: F811
    bearer,  # noqa: F811
    size,
    django_assert_max_num_queries,
):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    lock = int(connection.vendor == "postgresql")
    # Token (2), procedure and version, agency, channels and documents, the address's province
    # and commune, the counter, dossiers, components, progress, audit (2 + lock), savepoint
    # (2): the same for 2 and for 20 applications.
    with django_assert_max_num_queries(17 + lock):
        codes = _submit_batch(c, world, bearer, size)
    for act in ACTS:
        with django_assert_max_num_queries(14 + lock):
            r = _post(c, f"/api/v1/dossiers/batch/{act}/", {"codes": codes}, bearer)
        assert r.status_code == 200, (act, r.content)
