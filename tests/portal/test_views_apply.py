"""The application form: rendered from the procedure's JSON Schema, validated on the server."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from egov.core.services import organisations as org_svc
from egov.core.services.organisations import OrganisationData

pytestmark = pytest.mark.django_db
URL = "/procedures/1.001193/apply/"


@pytest.fixture
def places(catalogue):
    province = org_svc.create_organisation(
        OrganisationData(code="000.00.00.H99", name="Tỉnh Thử Nghiệm", level="province")
    )
    commune = org_svc.create_organisation(
        OrganisationData(
            code="000.00.01.H99", name="Xã Thử Nghiệm", level="commune", parent=province
        )
    )
    return province, commune


def valid_post(province, commune):
    return {
        "applicant.full_name": "Nguyễn Văn An",
        "applicant.personal_id": "001090012345",
        "applicant.phone": "0912345678",
        "applicant.residence.province": province.code,
        "applicant.residence.commune": commune.code,
        "applicant.relationship": "Cha",
        "child.full_name": "Nguyễn Minh Khang",
        "child.sex": "nam",
        "child.date_of_birth": "2026-11-20",
        "child.place_of_birth": "Bệnh viện Phụ sản Hà Nội",
        "child.ethnicity": "Kinh",
        "mother.full_name": "Trần Thị Bình",
        "copies_requested": "2",
        "birth_certificate": SimpleUploadedFile("giay-chung-sinh.pdf", b"%PDF-1.7 test"),
    }


def test_the_form_is_rendered_accessibly(client, places):
    page = client.get(URL).content.decode()
    assert "Tờ khai đăng ký khai sinh" in page
    # Every control has a label pointing at it (or is in a fieldset with a legend: radios).
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page)
    assert len(ids) > 20
    for control in ids:
        assert f'for="{control}"' in page, control
    assert re.search(r"<legend[^>]*>Người được khai sinh", page)
    assert 'type="date"' in page and 'type="tel"' in page
    # The birth certificate is one of the procedure's documents, given at submission: the form
    # does not ask for it again (egov.dossiers.services.form_schema).
    assert 'name="birth_certificate"' not in page
    assert 'inputmode="numeric" maxlength="12"' in page  # the personal ID
    assert 'enctype="multipart/form-data"' in page
    assert "Tỉnh Thử Nghiệm" in page  # province picker from the organisation tree
    assert "Hãy chọn tỉnh, thành phố trước" in page  # communes follow the chosen province
    # With htmx the commune select follows the province without a reload (core's communes).
    assert (
        'name="applicant.residence.province" hx-get="/units/communes/?from=applicant.residence.'
        'province" hx-trigger="change" hx-target="#f-applicant-residence-commune"'
    ) in page
    assert 'id="f-applicant-residence-commune"' in page


def test_show_communes_of_the_chosen_province_without_javascript(client, places):
    province, commune = places
    response = client.post(
        URL,
        {"applicant.residence.province": province.code, "_show_communes": "1"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{commune.code}">Xã Thử Nghiệm</option>' in page
    assert 'role="alert"' not in page  # not validated yet


def test_an_empty_form_is_refused_field_by_field(client, places):
    response = client.post(URL, {})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page
    assert 'aria-invalid="true"' in page
    assert 'href="#f-applicant-full_name"' in page  # the summary links to the field
    assert 'aria-describedby="f-applicant-full_name-error"' in page


def test_bad_values_are_explained(client, places):
    province, commune = places
    data = valid_post(province, commune)
    data["applicant.personal_id"] = "12345"
    data["applicant.phone"] = "12"
    data["copies_requested"] = "hai"
    response = client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 400
    for field in ("applicant-personal_id", "applicant-phone", "copies_requested"):
        assert f'id="f-{field}-error"' in page, field
    # What was typed is kept.
    assert 'value="Nguyễn Văn An"' in page


def test_a_valid_form_only_checks_and_points_to_submission(client, places):
    from egov.core.models import AuditEntry

    before = AuditEntry.objects.count()
    province, commune = places
    response = client.post(URL, valid_post(province, commune))
    page = response.content.decode()
    assert response.status_code == 200, re.findall(r"<li><a href[^<]*", page)
    assert "Chưa có gì được nộp: trang này chỉ kiểm tra tờ khai" in page
    assert 'href="/procedures/1.001193/submit/"' in page  # online submission (log in)
    assert AuditEntry.objects.count() == before


def test_english(client, places):
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Apply online" in page and "(required)" in page
