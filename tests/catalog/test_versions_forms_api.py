import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from egov.catalog import forms
from egov.catalog.models import Procedure, ProcedureVersion, VersionStatus
from egov.catalog.services import versions
from egov.catalog.services.importing import import_file

from .conftest import DATA, minimal_content

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 1)


# --- versions ---------------------------------------------------------------------------------


def test_publish_refuses_a_version_without_channel_or_documents(orgs):
    draft = versions.create_procedure(
        minimal_content(channels=[], required_documents=[], detailed=True)
    )
    with pytest.raises(ValidationError) as exc:
        versions.publish(draft, effective_from=DAY)
    assert "no channel" in str(exc.value) and "no required documents" in str(exc.value)
    assert ProcedureVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_supersede_closes_the_old_version_and_overlap_is_refused(orgs):
    v1 = versions.publish(versions.create_procedure(minimal_content()), effective_from=DAY)
    with pytest.raises(ValidationError, match="only a draft can be edited"):
        versions.update_draft(v1, minimal_content(name="Changed in place"))
    v2 = versions.new_draft(v1.procedure)
    versions.update_draft(v2, minimal_content(name="Tên mới của thủ tục"))
    with pytest.raises(ValidationError, match="overlaps version 1"):
        versions.publish(v2, effective_from=DAY)  # same day as v1
    versions.publish(v2, effective_from=DAY + dt.timedelta(days=10))
    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED
    assert v1.effective_to == DAY + dt.timedelta(days=9)
    procedure = Procedure.objects.get(pk=v1.procedure_id)
    assert procedure.current_version_id == v2.pk and procedure.name == "Tên mới của thủ tục"
    assert procedure.version_on(DAY + dt.timedelta(days=3)) == v1
    assert procedure.version_on(DAY + dt.timedelta(days=10)).pk == v2.pk


# --- forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", list(forms.BUNDLED.values()) + [forms.default_form])
def test_bundled_forms_are_valid_schemas_with_labels(make):
    forms.check_schema(make())


def _birth(orgs, **child):
    residence = {"province": orgs["hanoi"].code, "commune": orgs["ba_dinh"].code}
    return {
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "personal_id": "001090012345",
            "phone": "0912345678",
            "residence": residence,
            "relationship": "Cha",
        },
        "child": {
            "full_name": "Nguyễn Minh Khôi",
            "sex": "nam",
            "date_of_birth": "2026-11-20",
            "place_of_birth": "Bệnh viện Phụ sản Hà Nội",
            "ethnicity": "Kinh",
        }
        | child,
        "mother": {"full_name": "Trần Thị Bình"},
        "birth_certificate": "file:7f3c2a",
    }


def test_birth_form_accepts_a_good_application_and_names_each_bad_field(orgs):
    schema = forms.birth_registration()
    assert forms.validate(schema, _birth(orgs)) == {}
    bad = _birth(orgs, sex="x", date_of_birth="20/11/2026")
    bad["applicant"]["personal_id"] = "12345"
    bad["applicant"]["phone"] = "12"
    del bad["mother"]
    errors = forms.validate(schema, bad)
    assert errors == {
        "applicant.personal_id": ["Enter the 12-digit personal identification number."],
        "applicant.phone": ["Enter a phone number like 0912345678."],
        "child.date_of_birth": ["Enter a date like 2026-01-31."],
        "child.sex": ["Choose one of the options."],
        "mother": ["This field is required."],
    }


def test_address_commune_must_be_in_the_province(orgs):
    data = _birth(orgs)
    data["applicant"]["residence"]["commune"] = orgs["thuan_an"].code
    errors = forms.validate(forms.birth_registration(), data)
    assert errors == {
        "applicant.residence.commune": ["This commune is not in the chosen province."]
    }


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(orgs):
    import_file(DATA / "procedures.json")


@pytest.mark.slow  # imports the whole catalogue first (~1 s)
def test_list_search_and_get(catalogue, django_assert_max_num_queries):
    client = APIClient()
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/procedures/", {"page_size": 50})
    assert response.status_code == 200 and response.json()["count"] == 39
    found = client.get("/api/v1/procedures/", {"q": "dang ky khai sinh"}).json()["results"]
    assert "1.001193" in [p["code"] for p in found]
    info = client.get("/api/v1/procedures/", {"online_level": "info"}).json()["results"]
    assert "1.014331" in [p["code"] for p in info]
    assert {p["online_level"] for p in info} == {"info"} and "1.001193" not in str(info)
    detail = client.get("/api/v1/procedures/1.004222/").json()
    assert detail["number"] == 1 and detail["status"] == "published"
    channels = {c["channel"]: c for c in detail["content"]["channels"]}
    assert channels["in_person"]["time_limit"] == "7"
    assert channels["in_person"]["fees"][0]["amount_vnd"] == 20000
    assert client.get("/api/v1/procedures/1.004222/versions/").json()[0]["number"] == 1
    assert client.get("/api/v1/procedures/9.999999/").status_code == 404
    bad = client.get("/api/v1/procedures/", {"level": "galaxy"})
    assert bad.status_code == 400 and "level" in bad.json()["fields"]


@pytest.mark.slow  # imports the whole catalogue first (~1 s)
def test_form_validation_endpoint(catalogue, orgs):
    client = APIClient()
    schema = client.get("/api/v1/procedures/1.001193/form/").json()
    assert schema["title"] == "Tờ khai đăng ký khai sinh"
    ok = client.post("/api/v1/procedures/1.001193/form/validate/", _birth(orgs), format="json")
    assert ok.status_code == 200
    bad = client.post("/api/v1/procedures/1.001193/form/validate/", {}, format="json")
    assert bad.status_code == 400 and "applicant" in bad.json()["fields"]


@pytest.mark.slow  # imports the whole catalogue first (~1 s)
def test_write_api_needs_the_scope_and_enforces_the_rules(catalogue):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    payload = minimal_content(code="9.000002")
    assert client.post("/api/v1/procedures/", payload, format="json").status_code in (401, 403)
    admin = get_user_model().objects.create_superuser("manager", password="x")  # noqa: S106
    client.force_authenticate(admin)
    created = client.post("/api/v1/procedures/", payload, format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    empty = dict(payload, channels=[], name="Không có cách thức")
    assert (
        client.put(
            "/api/v1/procedures/9.000002/versions/1/content/", empty, format="json"
        ).status_code
        == 200
    )
    refused = client.post(
        "/api/v1/procedures/9.000002/versions/1/publish/",
        {"effective_from": "2026-12-01"},
        format="json",
    )
    assert refused.status_code == 400
    assert "no channel" in refused.json()["message"]
    client.put("/api/v1/procedures/9.000002/versions/1/content/", payload, format="json")
    published = client.post(
        "/api/v1/procedures/9.000002/versions/1/publish/",
        {"effective_from": "2026-12-01"},
        format="json",
    )
    assert published.status_code == 200 and published.json()["effective_from"] == "2026-12-01"
    again = client.put("/api/v1/procedures/9.000002/versions/1/content/", payload, format="json")
    assert again.status_code == 400
    draft = client.post("/api/v1/procedures/9.000002/drafts/")
    assert draft.status_code == 201 and draft.json()["number"] == 2
