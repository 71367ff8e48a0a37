"""The national side without a second process: which forwards leave for a province's instance,
and how the province's state is applied here (tests/petitions/test_national.py does it over
HTTP)."""

from __future__ import annotations

import pytest

from egov.core.models import OutboxMessage
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.petitions import services
from egov.petitions.models import Petition, Status
from egov.petitions.services import peers

from .conftest import submitted

pytestmark = pytest.mark.django_db

PEER = {"url": "https://dvc.h26.example", "client_id": "c", "client_secret": "s"}


def _line(act, status, to, at):
    return {
        "act_code": act,
        "status_code": status,
        "to_code": to,
        "at": at,
        "note": "",
        "due": None,
    }


def test_only_forwards_into_a_listed_province_leave_and_the_state_comes_back(world, settings):
    settings.EGOV_PETITIONS_PROVINCES = {world.p.code: PEER}
    q = org_services.create_organisation(
        OrganisationData("000.00.00.H46", "UBND tỉnh Q", "province")
    )
    petition = submitted(world)
    services.forward(world.centre_desk.user, petition, to_organisation=world.a)
    petition.refresh_from_db()
    assert petition.remote == world.p.code and petition.remote_lines == 0
    [message] = OutboxMessage.objects.filter(kind=peers.FORWARD)
    assert message.payload == {"petition": petition.pk, "province": world.p.code}
    Petition.objects.filter(pk=petition.pk).update(remote_code="PAKN-2026-000007")
    petition.refresh_from_db()

    state = {
        "status": Status.RETURNED,
        "organisation_code": world.p.code,
        "due_at": None,
        "answered_at": None,
        "timeline": [
            _line("forward", 2, world.a.code, "2026-12-01T08:00:00+07:00"),
            _line("return_to_centre", 7, world.p.code, "2026-12-02T08:00:00+07:00"),
        ],
    }
    assert peers.apply(petition, state) is True
    assert peers.apply(petition, state) is False  # nothing new: nothing written
    petition.refresh_from_db()
    assert petition.status == Status.RETURNED and petition.organisation == world.centre
    assert petition.remote_lines == 2
    copied = petition.hand_offs.order_by("-pk").values_list("act", flat=True)[:2]
    assert list(copied) == ["return_to_centre", "forward"]
    # Forwarded again, to a province without an instance of its own: no longer followed there.
    services.forward(world.centre_desk.user, petition, to_organisation=q)
    petition.refresh_from_db()
    assert (petition.remote, petition.remote_code) == (None, None)
    assert OutboxMessage.objects.filter(kind=peers.FORWARD).count() == 1
    assert peers.pull() == {"checked": 0, "updated": 0, "failed": 0}


def test_a_standalone_instance_sends_nothing(world):
    petition = submitted(world)
    services.forward(world.centre_desk.user, petition, to_organisation=world.a)
    petition.refresh_from_db()
    assert petition.remote is None
    assert not OutboxMessage.objects.filter(kind=peers.FORWARD).exists()
