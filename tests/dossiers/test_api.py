"""Dossier API (5a): one-call application, acts, errors, lists with bounded queries, counts,
public lookup (rate limited, says nothing more on a wrong ID)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import unicodedata

import pytest
from django.test import Client

from egov.dossiers import services
from egov.dossiers.models import Dossier, DossierComponent, Status

from .core_support import PDF, submit, valid_form, world  # noqa: F401

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def as_user(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(user)
    return c


def application(w, **extra):
    body = {
        "procedure": "9.000001",
        "organisation": w.a.code,
        "form_data": valid_form(w),
        "components": [
            {
                "filename": "to-khai.pdf",
                "content_type": "application/pdf",
                "content_base64": b64(PDF),
            }
        ],
    }
    body.update(extra)
    return body


def test_citizen_applies_in_one_call_and_follows_the_dossier(world):  # noqa: F811
    c = as_user(world.citizen.user)
    r = c.post("/api/v1/dossiers/", application(world), content_type="application/json")
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert r.json()["status"] == Status.NEW and len(r.json()["components"]) == 1
    assert c.get(f"/api/v1/dossiers/{code}/").status_code == 200
    assert [d["code"] for d in c.get("/api/v1/dossiers/").json()["results"]] == [code]
    # Another citizen neither lists nor reads it.
    other = as_user(world.other.user)
    assert other.get("/api/v1/dossiers/").json()["results"] == []
    assert other.get(f"/api/v1/dossiers/{code}/").status_code == 404


def test_multipart_application(world):  # noqa: F811
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    c = as_user(world.citizen.user)
    payload = json.dumps({k: v for k, v in application(world).items() if k != "components"})
    r = c.post(
        "/api/v1/dossiers/",
        {"payload": payload, "component.0": SimpleUploadedFile("a.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 201, r.content
    r = c.post(
        "/api/v1/dossiers/",
        {
            "payload": payload,
            "component.0": SimpleUploadedFile("a.pdf", b"GIF89a", "application/pdf"),
        },
    )
    assert r.status_code == 400 and "components.0" in r.json()["fields"]


@pytest.mark.parametrize(
    ("component", "field"),
    [
        (
            {
                "filename": "a.pdf",
                "content_type": "application/pdf",
                "content_base64": b64(b"<html>"),
            },
            "components.0",
        ),
        (
            {"filename": "a.png", "content_type": "image/png", "content_base64": b64(PDF)},
            "components.0",
        ),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_is_written(world, component, field):  # noqa: F811
    c = as_user(world.citizen.user)
    r = c.post(
        "/api/v1/dossiers/",
        application(world, components=[component]),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "invalid" and field in r.json()["fields"]
    r = c.post(
        "/api/v1/dossiers/",
        application(world, form_data={"bogus": True}),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["fields"]
    assert not Dossier.objects.exists() and not DossierComponent.objects.exists()


def test_officials_act_through_the_api_and_conflicts_are_409(world):  # noqa: F811
    d = submit(world)
    desk = as_user(world.desk.user)
    url = f"/api/v1/dossiers/{d.code}"
    r = desk.post(f"{url}/approve/", {}, content_type="application/json")
    assert r.status_code == 403  # a desk official has no approve scope
    lead = as_user(world.approver.user)
    r = lead.post(f"{url}/approve/", {}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    assert desk.post(f"{url}/receive/", {}, content_type="application/json").status_code == 200
    r = desk.post(
        f"{url}/request-supplement/",
        {"items": [{"name": "Ảnh 4x6"}]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == Status.SUPPLEMENT_REQUESTED
    r = desk.post(
        f"{url}/request-supplement/",
        {"items": [{"name": "Thêm"}]},
        content_type="application/json",
    )
    assert r.status_code == 409 and r.json()["code"] == "supplement_once"
    citizen = as_user(world.citizen.user)
    r = citizen.post(f"{url}/supplement/", {"note": "Đã bổ sung"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == Status.RECEIVED
    # An official of commune B cannot see it at all.
    r = as_user(world.desk_b.user).post(
        f"{url}/start-processing/", {}, content_type="application/json"
    )
    assert r.status_code == 404


def test_list_query_count_is_bounded(world, django_assert_max_num_queries):  # noqa: F811
    for _ in range(3):
        services.receive(submit(world), actor=world.desk.user)
    c = as_user(world.desk.user)
    c.get("/api/v1/dossiers/")  # warm the session
    with django_assert_max_num_queries(8):
        r = c.get("/api/v1/dossiers/?status=2&ordering=due_at")
    assert r.status_code == 200 and r.json()["count"] == 3
    for _ in range(5):
        services.receive(submit(world), actor=world.desk.user)
    with django_assert_max_num_queries(8):
        r = c.get("/api/v1/dossiers/")
    assert r.json()["count"] == 8


def test_counts_per_organisation(world):  # noqa: F811
    services.receive(submit(world), actor=world.desk.user)
    r = as_user(world.desk.user).get("/api/v1/dossiers/counts/")
    assert r.status_code == 200
    assert r.json() == [
        {
            "organisation": world.a.pk,
            "code": world.a.code,
            "early": 0,
            "on_time": 0,
            "late": 0,
            "within_time": 1,
            "overdue": 0,
            "total": 1,
        }
    ]
    assert as_user(world.desk_b.user).get("/api/v1/dossiers/counts/").json() == []


def test_public_lookup_shows_status_and_history_only(world, client, settings):  # noqa: F811
    d = services.receive(submit(world), actor=world.desk.user)
    r = client.get("/api/v1/dossier-lookup/", {"code": d.code, "id_number": "001099012345"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"code", "status", "status_label", "due_at", "history"}
    assert [e["status"] for e in body["history"]] == [1, 2]
    # The instants as stored (SQLite hands the lookup's raw query naive UTC datetimes).
    assert dt.datetime.fromisoformat(body["due_at"]) == d.due_at
    assert [dt.datetime.fromisoformat(e["at"]) for e in body["history"]] == [
        p.at for p in d.progress.order_by("at", "id")
    ]
    assert "Nguyễn" not in r.content.decode() and "desk_a" not in r.content.decode()
    wrong = client.get("/api/v1/dossier-lookup/", {"code": d.code, "id_number": "001099000000"})
    missing = client.get("/api/v1/dossier-lookup/", {"code": "nope", "id_number": "001099012345"})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json() == missing.json()
    settings.EGOV_LOOKUP_RATE = "3/min"
    statuses = [
        client.get("/api/v1/dossier-lookup/", {"code": d.code, "id_number": "x"}).status_code
        for _ in range(4)
    ]
    assert statuses[-1] == 429


# --- who a citizen may apply for (issue 12 §1) ---

COMPANY_B = "0109876543"


def _business_entry(tax_code=COMPANY_B, citizen=None):
    from django.core.files.base import ContentFile

    from egov.dossiers.models import CitizenDataStoreEntry

    entry = CitizenDataStoreEntry(
        citizen=citizen, tax_code=tax_code, name="Giấy phép kinh doanh", issued_at=dt_now()
    )
    entry.file.save("gpkd.pdf", ContentFile(PDF), save=True)
    return entry


def dt_now():
    from django.utils import timezone

    return timezone.now()


def _refusals():
    from egov.core.models import AuditEntry

    return AuditEntry.objects.filter(action="dossiers.application_refused")


def test_a_citizen_cannot_reuse_another_companys_documents(world):  # noqa: F811
    # The exploit: name company B as the applicant, reuse B's data-store entry, then download
    # it from one's own dossier.
    entry = _business_entry()
    c = as_user(world.citizen.user)
    r = c.post(
        "/api/v1/dossiers/",
        application(
            world,
            applicant={"kind": "business", "id_number": COMPANY_B, "name": "Công ty B"},
            reuse=[{"entry": entry.pk}],
        ),
        content_type="application/json",
    )
    assert r.status_code == 403, r.content
    assert not Dossier.objects.exists() and not DossierComponent.objects.exists()
    refusal = _refusals().get()
    assert refusal.summary == {"reason": "not_represented", "applicant_kind": "business"}
    assert COMPANY_B not in str(refusal.summary)


def test_a_citizen_reuses_only_her_own_store(world):  # noqa: F811
    c = as_user(world.citizen.user)
    others = _business_entry(tax_code="", citizen=world.other)
    # A result of a business she once filed for is the business's, not hers.
    company = _business_entry(citizen=world.citizen)
    for entry in (others, company):
        r = c.post(
            "/api/v1/dossiers/",
            application(world, reuse=[{"entry": entry.pk}]),
            content_type="application/json",
        )
        assert r.status_code == 400 and "reuse.0" in r.json()["fields"], r.content
    assert not Dossier.objects.exists()


def test_a_representative_applies_for_her_business_and_reuses_its_store(world):  # noqa: F811
    from egov.accounts.models import BusinessRepresentation

    entry = _business_entry()
    BusinessRepresentation.objects.create(citizen=world.citizen, tax_code=COMPANY_B)
    r = as_user(world.citizen.user).post(
        "/api/v1/dossiers/",
        application(
            world,
            applicant={"kind": "business", "id_number": COMPANY_B, "name": "Công ty B"},
            reuse=[{"entry": entry.pk}],
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    dossier = Dossier.objects.get()
    assert dossier.applicant_citizen == world.citizen and dossier.applicant_id_number == COMPANY_B
    assert dossier.components.get(reused=True).reused_from == entry
    # Once the representation is revoked, neither the business nor its store.
    BusinessRepresentation.objects.update(revoked_at=dt_now())
    r = as_user(world.citizen.user).post(
        "/api/v1/dossiers/",
        application(world, applicant={"kind": "business", "id_number": COMPANY_B, "name": "B"}),
        content_type="application/json",
    )
    assert r.status_code == 403 and Dossier.objects.count() == 1


@pytest.mark.parametrize(
    "applicant",
    [
        {"kind": "citizen", "id_number": "001099099999", "name": "Người khác"},  # another person
        {"kind": "business", "id_number": "0101234567", "name": "Công ty lạ"},
        {"kind": "citizen", "id_number": "0101234567", "name": "Mã số thuế"},
    ],
)
def test_a_citizen_cannot_file_in_someone_elses_name(world, client, applicant):  # noqa: F811
    c = Client(HTTP_ACCEPT_LANGUAGE="vi")
    c.force_login(world.citizen.user)
    r = c.post(
        "/api/v1/dossiers/",
        application(world, applicant=applicant),
        content_type="application/json",
    )
    assert r.status_code == 403, r.content
    assert r.json()["code"] == "not_represented"
    assert "chỉ" in r.json()["message"]  # in Vietnamese
    assert not Dossier.objects.exists() and _refusals().count() == 1
    # Her own name and number go through; the lookup finds it under her number only.
    mine = {"kind": "citizen", "id_number": "001099012345", "name": "Nguyễn Văn An"}
    r = c.post(
        "/api/v1/dossiers/", application(world, applicant=mine), content_type="application/json"
    )
    assert r.status_code == 201, r.content


def test_a_transfer_goes_only_to_an_agency_that_handles_the_procedure(world):  # noqa: F811
    from egov.core.services import organisations as org_services
    from egov.core.services.organisations import OrganisationData

    ministry = org_services.create_organisation(
        OrganisationData("000.00.00.G20", "Bộ Quốc phòng", "central")
    )
    d = services.start_processing(
        services.receive(submit(world), actor=world.desk.user), actor=world.desk.user
    )
    c = as_user(world.processor.user)
    url = f"/api/v1/dossiers/{d.code}/transfer/"
    for code in (ministry.code, world.p.code):
        r = c.post(url, {"organisation": code}, content_type="application/json")
        assert r.status_code == 400 and "organisation" in r.json()["fields"], r.content
        d.refresh_from_db()
        assert d.organisation == world.a and not d.transfers.exists()
    r = c.post(url, {"organisation": world.b.code}, content_type="application/json")
    assert r.status_code == 200 and r.json()["organisation"] == world.b.code


def test_a_citizen_files_for_a_person_she_is_recorded_as_acting_for(world):  # noqa: F811
    from egov.accounts.services.representations import record_representation

    other = {"kind": "citizen", "id_number": "001099099999", "name": "Người được đại diện"}
    c = as_user(world.citizen.user)
    body = application(world, applicant=other)
    assert c.post("/api/v1/dossiers/", body, content_type="application/json").status_code == 403
    record_representation(
        actor=None,
        citizen=world.citizen,
        kind="authorised",
        principal_kind="citizen",
        principal_id_number="001099099999",
        principal_name="Người được đại diện",
        organisation=world.a,
        valid_from=dt.date.today(),
    )
    r = c.post("/api/v1/dossiers/", body, content_type="application/json")
    assert r.status_code == 201, r.content
    dossier = Dossier.objects.get()
    assert dossier.applicant_id_number == "001099099999"
    assert dossier.applicant_citizen == world.citizen  # the one acting follows it


# --- bad input (issue 12 §4): a 400 with a message, never a 500; nothing written ---------------


def _with_text(data, text):
    """``data`` with its applicant-name-like strings replaced by ``text``."""
    if isinstance(data, dict):
        return {k: _with_text(v, text) for k, v in data.items()}
    return text if data == "Nguyễn Văn An" else data


def _nothing_written(settings):
    media = settings.MEDIA_ROOT / "dossiers"
    assert not Dossier.objects.exists() and not DossierComponent.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.parametrize("bad", ["\ud800", "\x00", "An\udfffB", "An\x00"])
@pytest.mark.parametrize("where", ["form_data", "filename", "payload"])
def test_nul_and_lone_surrogates_are_refused_before_anything_is_written(
    world,  # noqa: F811
    settings,
    bad,
    where,
):
    c = as_user(world.citizen.user)
    body = application(world)
    if where == "filename":
        body["components"][0]["filename"] = f"to-khai{bad}.pdf"
    else:
        body["form_data"] = _with_text(body["form_data"], bad)
    if where == "payload":
        from django.core.files.uploadedfile import SimpleUploadedFile

        payload = json.dumps({k: v for k, v in body.items() if k != "components"})
        part = SimpleUploadedFile("a.pdf", PDF, "application/pdf")
        r = c.post("/api/v1/dossiers/", {"payload": payload, "component.0": part})
    else:
        r = c.post("/api/v1/dossiers/", json.dumps(body), content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json()["message"] and r.json()["code"] in {"parse_error", "invalid"}
    _nothing_written(settings)


def test_text_is_stored_in_nfc(world):  # noqa: F811
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn An")
    body = application(world, form_data=_with_text(valid_form(world), nfd))
    body["components"][0]["filename"] = unicodedata.normalize("NFD", "../Tờ khai\r\n.pdf")
    c = as_user(world.citizen.user)
    r = c.post("/api/v1/dossiers/", body, content_type="application/json")
    assert r.status_code == 201, r.content
    dossier = Dossier.objects.get()
    assert nfd not in json.dumps(dossier.form_data, ensure_ascii=False)
    assert "Nguyễn Văn An" in json.dumps(dossier.form_data, ensure_ascii=False)
    assert dossier.components.get().file.name.endswith("/Tờ khai.pdf")


@pytest.mark.parametrize("value", ["abc", "1,,2", "1" * 20, "11", "0", "-1", "2;4", "２"])
def test_a_bad_status_filter_is_a_400(world, value):  # noqa: F811
    c = as_user(world.desk.user)
    r = c.get("/api/v1/dossiers/", {"status": value})
    assert r.status_code == 400
    assert list(r.json()["fields"]) == ["status"]


def test_the_status_filter_takes_several_codes(world):  # noqa: F811
    submit(world)
    c = as_user(world.desk.user)
    assert len(c.get("/api/v1/dossiers/", {"status": "1,2"}).json()["results"]) == 1
    assert c.get("/api/v1/dossiers/", {"status": " 2 , 4"}).json()["results"] == []
