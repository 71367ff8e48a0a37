"""A document is asked once (issue 13): a file field of the form that asks for one of the
procedure's required documents is left out of the form; the document list asks for it, and
requires it when the field was required. The birth certificate was asked twice."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from django.core.exceptions import ValidationError

from egov.catalog import forms
from egov.catalog.models import ProcedureVersion, RequiredDocument
from egov.dossiers.models import Dossier
from egov.dossiers.services import Upload, form_schema

from .core_support import PDF, submit, valid_form, world  # noqa: F401
from .web_support import citizen_login, flatten, pdf_file

URL = "/procedures/9.000001/submit/"
BIRTH_CERTIFICATE = (
    "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng"
)


def _documents(code: str) -> list[str]:
    text = resources.files("egov.catalog").joinpath("data", "procedures.json").read_text()
    data = json.loads(text)
    records = data if isinstance(data, list) else data["procedures"]
    return next(r for r in records if r["code"] == code)["required_documents_vi"]


@pytest.mark.parametrize(
    ("code", "form", "asked_again"),
    [
        ("1.001193", forms.birth_registration, {"birth_certificate": 1}),
        ("1.004222", forms.permanent_residence, {"legal_residence_proof": 1}),
        ("1.001612", forms.business_household, {}),  # the premises' papers are not listed
    ],
)
def test_the_bundled_forms_against_the_catalogues_documents(code, form, asked_again):
    documents = [RequiredDocument(pk=i, name=n) for i, n in enumerate(_documents(code))]
    found = forms.documents_asked_again(form(), documents)
    assert {path: doc.pk for path, (doc, _required) in found.items()} == asked_again


def test_same_document_needs_most_words_and_more_than_one():
    assert forms.same_document("Giấy chứng sinh (hoặc văn bản thay thế)", BIRTH_CERTIFICATE)
    assert not forms.same_document("Giấy tờ về quyền sử dụng địa điểm", "Giấy tờ ủy quyền")
    assert not forms.same_document("Ảnh", "Ảnh 4x6")


@pytest.fixture
def w(world):  # noqa: F811
    ProcedureVersion.objects.filter(pk=world.version.pk).update(
        application_form=forms.birth_registration()
    )
    world.version.refresh_from_db()
    world.certificate = RequiredDocument.objects.create(
        version=world.version, name=BIRTH_CERTIFICATE, order=5
    )
    return world


def test_the_submit_page_asks_for_the_certificate_once(client, w):
    citizen_login(client, w.citizen)
    html = client.get(URL).content.decode()
    assert 'name="birth_certificate"' not in html
    assert "Giấy chứng sinh (hoặc văn bản thay thế)" not in html  # the form's field title
    assert html.count(BIRTH_CERTIFICATE) == 1
    slot = html.split(f'for="doc-{w.certificate.pk}"')[1].split("</label>")[0]
    assert "(bắt buộc)" in slot


def _post(w, **files):
    data = flatten(valid_form(w))
    data.pop("birth_certificate")
    data.update(agency_province=w.p.code, agency=w.a.code, **files)
    return data


def test_the_certificate_is_required_in_the_document_list(client, w):
    citizen_login(client, w.citizen)
    response = client.post(URL, _post(w))
    assert response.status_code == 400 and not Dossier.objects.exists()
    assert f'href="#doc-{w.certificate.pk}"' in response.content.decode()
    response = client.post(URL, _post(w, **{f"doc-{w.certificate.pk}": pdf_file("gcs.pdf")}))
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert dossier.components.get().required_document_id == w.certificate.pk
    assert "birth_certificate" not in dossier.form_data


def test_the_service_drops_the_old_field_and_requires_the_document(w):
    data = valid_form(w)
    data["birth_certificate"] = "upload:" + "0" * 64  # an integration sending the old form
    with pytest.raises(ValidationError) as refused:
        submit(w, form_data=data, uploads=[])
    assert f"documents.{w.certificate.pk}" in refused.value.message_dict
    upload = Upload(PDF, "gcs.pdf", "application/pdf", required_document_id=w.certificate.pk)
    dossier = submit(w, form_data=data, uploads=[upload])
    assert "birth_certificate" not in dossier.form_data
    schema, again = form_schema.effective(w.version)
    assert "birth_certificate" not in schema["properties"]
    assert "birth_certificate" not in schema["required"] and list(again) == ["birth_certificate"]


def test_numbers_in_an_application_form_are_read_the_vietnamese_way():
    """A "number" field read "221.000" as 221.0 and refused "1.250.000,5"; an integer field
    read "1.5" as 15. Now both read grouped thousands and the decimal comma, and what could
    be read two ways or is not a number is refused (nothing kept as typed)."""
    from egov.dossiers.application.form import ApplicationForm

    schema = {
        "type": "object",
        "properties": {
            "area": forms.number("Diện tích", integer=False),
            "people": forms.number("Số người"),
        },
    }
    good = ApplicationForm(schema, data={"area": "1.250.000,5", "people": "221.000"})
    assert good.is_valid(), good.error_list
    assert good.cleaned_data == {"area": 1250000.5, "people": 221000}
    for data in ({"area": "221.000"}, {"people": "1.5"}, {"area": "abc"}):
        form = ApplicationForm(schema, data=data)
        assert not form.is_valid() and form.cleaned_data is None
        assert form.error_list
