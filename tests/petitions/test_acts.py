"""The act table (egov.petitions.acts) is the one answer to "who may do what to a petition now":
for every status, actor and act, what the pages offer is what the service accepts."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client

from egov.petitions import services
from egov.petitions.acts import ACTS, allowed_acts
from egov.petitions.errors import IllegalTransition
from egov.petitions.models import Petition, Status
from egov.petitions.services.handling import MERGEABLE

from ..dossiers.web_support import citizen_login
from .conftest import at_commune, submitted

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # ~6 s each: every act signed

OFFERED = re.compile(r'action="/petitions/handling/[^/]+/(\w+)/"')
KWARGS = {
    "forward": lambda w: {"to_organisation": w.b},
    "request_supplement": lambda w: {"reason": "Thiếu"},
    "supplement": lambda w: {"note": "Bổ sung"},
    "refuse": lambda w: {"reason": "Ngoài phạm vi"},
    "return_to_centre": lambda w: {"reason": "Sai địa chỉ"},
    "answer": lambda w: {"text": "Trả lời"},
}


def _kwargs(w, name, petition):
    if name == "merge":
        # Another open petition, not merged, at the same organisation (made by _states).
        lead = (
            Petition.objects.filter(
                organisation=petition.organisation,
                status__in=MERGEABLE,
                merged_into__isnull=True,
            )
            .exclude(pk=petition.pk)
            .first()
        )
        return {"into": lead}
    return KWARGS.get(name, lambda _w: {})(w)


class Rollback(Exception):
    pass


def _states(w) -> dict[int, object]:
    def handling():
        return at_commune(w)

    supplement = handling()
    services.request_supplement(w.proc_a.user, supplement, reason="Thiếu")
    refused = submitted(w)
    services.refuse(w.centre_desk.user, refused, reason="Khiếu nại")
    returned = at_commune(w, handling=False)
    services.return_to_centre(w.desk_a.user, returned, reason="Sai địa chỉ")
    forwarded = submitted(w)
    services.forward(w.centre_desk.user, forwarded, to_organisation=w.a)
    answered = handling()
    services.answer(w.lead_a.user, answered, text="Trả lời")
    published = handling()
    services.answer(w.lead_a.user, published, text="Trả lời")
    services.publish(w.lead_a.user, published)
    # Petitions to merge into: one at the centre, one at commune A; and one merged already.
    submitted(w)
    lead = handling()
    merged = handling()
    services.merge(w.proc_a.user, merged, into=lead)
    states = {
        Status.RECEIVED: submitted(w),
        Status.FORWARDED: forwarded,
        Status.ACCEPTED: at_commune(w, handling=False),
        Status.HANDLING: handling(),
        Status.SUPPLEMENT_REQUESTED: supplement,
        Status.REFUSED: refused,
        Status.RETURNED: returned,
        Status.ANSWERED: answered,
        Status.PUBLISHED: published,
    }
    for status, petition in states.items():
        petition.refresh_from_db()
        assert petition.status == status
    merged.refresh_from_db()
    states["merged"] = merged
    return states


def _accepted(w, actor, name, petition) -> bool:
    try:
        with transaction.atomic():
            services.ACT_FUNCTIONS[name](actor, petition, **_kwargs(w, name, petition))
            raise Rollback
    except Rollback:
        return True
    except (PermissionDenied, IllegalTransition):
        return False


def test_every_status_actor_and_act(world):
    states = _states(world)
    actors = {
        "centre": world.centre_desk.user,
        "desk_a": world.desk_a.user,
        "proc_a": world.proc_a.user,
        "lead_a": world.lead_a.user,
        "lead_b": world.lead_b.user,
        "submitter": world.citizen.user,
        "stranger": world.other.user,
    }
    walked = 0
    for status, petition in states.items():
        for who, actor in actors.items():
            offered = {a.name for a in allowed_acts(petition, actor)}
            for name in ACTS:
                if name == "submit":
                    continue
                accepted = _accepted(world, actor, name, petition)
                assert accepted == (name in offered), (status, who, name)
                walked += 1
    assert walked == 10 * 7 * 10
    # Some acts are offered somewhere to someone (the walk is not vacuous).
    assert any(allowed_acts(p, world.lead_a.user) for p in states.values())


def test_the_pages_offer_what_the_table_allows(world):
    states = _states(world)
    for username, user in (("pakn", world.centre_desk.user), ("lead_a", world.lead_a.user)):
        client = Client()
        client.force_login(user)
        for petition in states.values():
            response = client.get(f"/petitions/handling/{petition.code}/")
            offered = {a.name for a in allowed_acts(petition, user)}
            if response.status_code == 404:
                assert not offered, (username, petition.status)
                continue
            assert response.status_code == 200
            shown = set(OFFERED.findall(response.content.decode()))
            assert shown == offered, (username, petition.status)
    client = Client()
    citizen_login(client, world.citizen)
    for petition in states.values():
        page = client.get(f"/petitions/mine/{petition.code}/").content.decode()
        shows = f"/petitions/mine/{petition.code}/supplement/" in page
        assert shows == (petition.status == Status.SUPPLEMENT_REQUESTED)
    # A merged petition has no acts of its own: nothing offered, and the service refuses.
    assert allowed_acts(states["merged"], world.lead_a.user) == []
