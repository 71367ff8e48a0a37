"""The citizen's form prefilled from the e-ID (issue 13): what the identity provider vouched for
is read-only and the server keeps it whatever is posted; the dossier's phone and address are
what the form says (the tracking book prints them), not the e-ID's phone."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.accounts.services.citizens import profile_from_claims
from egov.dossiers.application.prefill import from_citizen, residence_units
from egov.dossiers.models import Dossier

from .core_support import world  # noqa: F401
from .web_support import application_post, citizen_login, pdf_file

URL = "/procedures/9.000001/submit/"


@pytest.fixture
def w(world):  # noqa: F811
    c = world.citizen
    c.date_of_birth = dt.date(1990, 5, 12)
    c.phone = "+84912000001"
    c.address = {"street_address": "12 Lê Lợi", "locality": "xa a", "region": "Tỉnh P"}
    c.save()
    return world


def test_the_address_claim_is_kept_and_its_units_found_by_name(w):
    profile = profile_from_claims(
        {"address": {"region": "Tỉnh P", "locality": "Xã A", "country": "VN", "x": 1}}
    )
    assert profile["address"] == {"region": "Tỉnh P", "locality": "Xã A"}
    assert profile_from_claims({"address": "not an object"})["address"] == {}
    assert residence_units({"region": "tinh p", "locality": "Xã A"}) == (w.p.code, w.a.code)
    assert residence_units({"region": "Tỉnh Q", "locality": "Xã A"}) is None  # not in Q
    assert residence_units({"region": "Tỉnh P"}) is None


def test_fixed_and_initial_values(w):
    prefill = from_citizen(w.version.application_form, w.citizen)
    assert prefill.fixed == {
        "applicant.full_name": "Nguyễn Văn An",
        "applicant.personal_id": "001099012345",
        "applicant.residence.province": w.p.code,
        "applicant.residence.commune": w.a.code,
        "applicant.residence.street": "12 Lê Lợi",
    }
    assert prefill.initial == {"applicant.phone": "0912000001", "applicant.email": "an@example.vn"}
    assert from_citizen({}, w.citizen).fixed == {}


def test_the_page_shows_vouched_fields_read_only(client, w):
    citizen_login(client, w.citizen)
    html = client.get(URL).content.decode()
    assert (
        'name="applicant.full_name" type="text" maxlength="100" value="Nguyễn Văn An" readonly'
        in html
    )
    assert 'value="001099012345" readonly' in html
    assert 'name="applicant.phone" type="tel" autocomplete="tel" value="0912000001"' in html
    assert 'value="0912000001" readonly' not in html  # the phone may be changed
    province = html.split('id="f-applicant-residence-province"')[1].split("</select>")[0]
    assert " disabled" in province[:60] and f'value="{w.p.code}" selected' in province


def test_a_tampered_value_is_ignored_and_the_form_contact_kept(client, w):
    citizen_login(client, w.citizen)
    doc = w.version.required_documents.order_by("order", "id").first()
    post = application_post(w, **{f"doc-{doc.pk}": pdf_file()})
    post.update(
        {
            "applicant.full_name": "Kẻ Giả Mạo",
            "applicant.personal_id": "079099999999",
            "applicant.residence.province": w.q.code,
            "applicant.phone": "0987654321",
        }
    )
    response = client.post(URL, post)
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get(applicant_citizen=w.citizen)
    applicant = dossier.form_data["applicant"]
    assert applicant["full_name"] == "Nguyễn Văn An"
    assert applicant["personal_id"] == "001099012345"
    assert applicant["residence"] == {
        "province": w.p.code,
        "commune": w.a.code,
        "street": "12 Lê Lợi",
    }
    # What the form says, for this dossier: the phone typed, the address with its names.
    assert dossier.applicant_phone == "0987654321"
    assert dossier.applicant_address == "12 Lê Lợi, Xã A, Tỉnh P"


def test_the_tracking_book_prints_the_forms_address_and_phone(w):
    from egov.dossiers.printed.content import tracking_book

    from .core_support import submit, valid_form

    data = valid_form(w)
    data["applicant"]["phone"] = "0987654321"
    dossier = submit(w, form_data=data)
    assert dossier.applicant_phone == "0987654321"  # not the e-ID's +84912000001
    book = tracking_book(w.a, dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    assert book.rows[0].applicant_contact == "1 Phố, Xã A, Tỉnh P, 0987654321"
