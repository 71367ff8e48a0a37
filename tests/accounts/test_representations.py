"""Đại diện, ủy quyền: an official records that a citizen may act for another person or a
business; the dossier intake reads it (tests/dossiers/test_api.py files through it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from egov.accounts.models import Citizen, Representation
from egov.accounts.services import representations as svc
from egov.core.models import AuditEntry

from .officials_support import make_official, tree  # noqa: F401

pytestmark = pytest.mark.django_db

PERSON = "001199000111"
TODAY = dt.date.today()


@pytest.fixture
def citizen(db):
    user = get_user_model().objects.create_user("citizen_r", password=None)
    return Citizen.objects.create(
        user=user, issuer="https://id.example", subject="r1", personal_id_number="001099012345"
    )


def _record(actor, citizen, organisation, **extra):
    kwargs = {
        "actor": actor,
        "citizen": citizen,
        "kind": "authorised",
        "principal_kind": "citizen",
        "principal_id_number": PERSON,
        "principal_name": "Trần Thị Bình",
        "organisation": organisation,
        "valid_from": TODAY,
        "valid_to": TODAY + dt.timedelta(days=30),
        "basis": "Giấy ủy quyền số 12/2026",
    }
    kwargs.update(extra)
    return svc.record_representation(**kwargs)


def test_an_admin_records_and_revokes_and_both_are_audited(tree, citizen):  # noqa: F811
    admin = make_official("admin_a", tree.a, "administrator").user
    assert not svc.may_apply_for(citizen, "citizen", PERSON)
    representation = _record(admin, citizen, tree.a)
    assert representation.recorded_by == admin
    assert svc.may_apply_for(citizen, "citizen", PERSON)
    assert not svc.may_apply_for(citizen, "citizen", "001199000222")
    row = AuditEntry.objects.get(action="accounts.representation_recorded")
    assert row.summary["kind"] == "authorised" and PERSON not in str(row.summary)
    svc.revoke_representation(representation, actor=admin)
    assert not svc.may_apply_for(citizen, "citizen", PERSON)
    assert AuditEntry.objects.filter(action="accounts.representation_revoked").count() == 1


def test_a_representation_holds_only_for_its_dates(tree, citizen):  # noqa: F811
    _record(
        None,
        citizen,
        tree.a,
        valid_from=TODAY - dt.timedelta(days=30),
        valid_to=TODAY - dt.timedelta(days=1),
    )
    _record(
        None,
        citizen,
        tree.a,
        principal_kind="business",
        principal_id_number="0101234567",
        kind="representative",
        valid_from=TODAY + dt.timedelta(days=1),
        valid_to=None,
    )
    assert not svc.may_apply_for(citizen, "citizen", PERSON)
    assert not svc.may_apply_for(citizen, "business", "0101234567")
    _record(
        None,
        citizen,
        tree.a,
        principal_kind="business",
        principal_id_number="0101234567",
        kind="representative",
        valid_to=None,
    )
    assert svc.may_apply_for(citizen, "business", "0101234567")
    assert svc.represents(citizen, "0101234567")


def test_only_an_admin_of_the_office_records_and_bad_input_is_named(tree, citizen):  # noqa: F811
    outsider = make_official("admin_b", tree.b, "administrator").user
    with pytest.raises(PermissionDenied):
        _record(outsider, citizen, tree.a)
    with pytest.raises(ValidationError) as exc:
        _record(
            None,
            citizen,
            tree.a,
            principal_id_number="123",
            kind="x",
            valid_to=TODAY - dt.timedelta(days=1),
            principal_name=" ",
        )
    assert set(exc.value.message_dict) == {
        "kind",
        "principal_id_number",
        "principal_name",
        "valid_to",
    }
    assert not Representation.objects.exists()


def test_the_admin_page_records_through_the_service(client, tree, citizen):  # noqa: F811
    admin = get_user_model().objects.create_superuser("quantri", password="x" * 16)
    client.force_login(admin)
    post = {
        "citizen": citizen.pk,
        "kind": "representative",
        "principal_kind": "business",
        "principal_id_number": "0101234567",
        "principal_name": "Công ty TNHH Bình An",
        "basis": "Điều lệ công ty",
        "valid_from": TODAY.isoformat(),
        "valid_to": "",
        "organisation": tree.a.pk,
    }
    bad = client.post("/admin/accounts/representation/add/", {**post, "principal_id_number": "1"})
    assert bad.status_code == 200 and not Representation.objects.exists()
    response = client.post("/admin/accounts/representation/add/", post)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Representation.objects.get().recorded_by == admin
    assert AuditEntry.objects.filter(action="accounts.representation_recorded").exists()
