"""Petitions in each state for the access matrix (tests/accounts/test_access_matrix.py): the
centre is province P, the petition is handled by commune A; commune B and province Q are
outsiders."""

from __future__ import annotations

from django.test import override_settings

from egov.petitions import scopes, services

from ..accounts.officials_support import make_official
from .conftest import PDF, data, make_citizen

STEPS = ("received", "forwarded", "accepted", "handling", "supplement", "answered")


def _petition(t, step: str, uploads=()):
    with override_settings(EGOV_INSTANCE_ORG_CODE=t.p.code):
        centre = make_official("pakn_p", t.p, "desk")
        desk = make_official("desk_a", t.a, "desk", "processor")
        lead = make_official("lead_a", t.a, "approver")
        citizen = make_citizen("submitter")
        petition = services.submit(actor=citizen.user, data=data(), uploads=uploads)
        done = STEPS.index(step)
        if done >= 1:
            services.forward(centre.user, petition, to_organisation=t.a)
        if done >= 2:
            services.accept(desk.user, petition)
        if done >= 3:
            services.start(desk.user, petition)
        if step == "supplement":
            services.request_supplement(desk.user, petition, reason="Thiếu")
        if step == "answered":
            services.answer(lead.user, petition, text="Trả lời")
    who = {"centre": centre.user, "desk": desk.user, "lead": lead.user, "citizen": citizen.user}
    return petition, who


def _outsiders(t):
    return [
        make_official("desk_b", t.b, "desk", "processor", "approver").user,
        make_official("desk_q", t.q, "desk", "approver", subtree=True).user,
    ]


def case(step: str, insider: str, scope: str, body=None):
    def build(t):
        petition, who = _petition(t, step)
        return {
            "id": petition.code,
            "insider": who[insider],
            "outsiders": _outsiders(t),
            "scopes": [scope],
            "body": body or {},
        }

    return build


READ = case("forwarded", "desk", scopes.READ)


def attachment_case(t):
    """A petition forwarded to commune A with one file: A's desk downloads file 1."""
    upload = services.Upload(PDF, "anh.pdf", "application/pdf")
    petition, who = _petition(t, "forwarded", uploads=[upload])
    return {
        "id": petition.code,
        "insider": who["desk"],
        "outsiders": _outsiders(t),
        "scopes": [scopes.READ],
    }


def merge_case(t):
    """Two petitions handled by commune A: the insider merges one into the other."""
    petition, who = _petition(t, "handling")
    with override_settings(EGOV_INSTANCE_ORG_CODE=t.p.code):
        lead = services.submit(actor=make_citizen("second").user, data=data())
        services.forward(who["centre"], lead, to_organisation=t.a)
        services.accept(who["desk"], lead)
    return {
        "id": petition.code,
        "insider": who["desk"],
        "outsiders": _outsiders(t),
        "scopes": [scopes.HANDLE],
        "body": {"into": lead.code},
    }
