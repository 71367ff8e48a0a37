"""Application forms: the bundled schemas and their validation (egov.catalog.forms)."""

import pytest

from egov.catalog import forms

from .conftest import birth_application

pytestmark = pytest.mark.django_db


# --- forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", list(forms.BUNDLED.values()) + [forms.default_form])
def test_bundled_forms_are_valid_schemas_with_labels(make):
    forms.check_schema(make())


def test_birth_form_accepts_a_good_application_and_names_each_bad_field(orgs):
    schema = forms.birth_registration()
    assert forms.validate(schema, birth_application(orgs)) == {}
    bad = birth_application(orgs, sex="x", date_of_birth="20/11/2026")
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
    data = birth_application(orgs)
    data["applicant"]["residence"]["commune"] = orgs["thuan_an"].code
    errors = forms.validate(forms.birth_registration(), data)
    assert errors == {
        "applicant.residence.commune": ["This commune is not in the chosen province."]
    }
