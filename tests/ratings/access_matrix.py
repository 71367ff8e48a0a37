"""The ratings' part of the access matrix (tests/accounts/test_access_matrix.py).

A dossier of commune A, filed online by a citizen and returned, rated by her: an official of A
reads the rating and the citizen changes it; officials of B and of another province, another
citizen, an anonymous caller and an API client of the other province get 401, 403 or 404."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from egov.accounts.models import Citizen
from egov.dossiers import services as dossier_services
from egov.dossiers.services import Upload
from egov.ratings import services
from egov.ratings.services import current_set

from ..accounts.officials_support import make_official
from ..dossiers import core_matrix
from ..dossiers.core_support import PDF, valid_form

BASE = "/api/v1/ratings/{dossier_code}/"


def _scores():
    return dict.fromkeys(current_set().criteria.values_list("code", flat=True), 4)


def _rated(t):
    version = core_matrix._version()
    user = get_user_model().objects.create_user("rating_citizen", password=None)
    citizen = Citizen.objects.create(
        user=user,
        issuer="https://id.example",
        subject="rating",
        personal_id_number="001099012345",
        full_name="Lê Văn C",
    )
    d = dossier_services.submit_online(
        actor=user,
        procedure_version=version,
        organisation=t.a,
        form_data=valid_form(None, version),
        uploads=[Upload(PDF, "to-khai.pdf", "application/pdf")],
    )
    d = dossier_services.receive(d, actor=None)
    d = dossier_services.mark_processed(
        dossier_services.start_processing(d, actor=None), actor=None
    )
    d = dossier_services.return_result(d, actor=None)
    services.rate(d, actor=user, data=services.RatingData(scores=_scores()))
    return d, citizen


def _outsiders(t):
    return [
        make_official("rate_b", t.b, "desk", "processor", "approver").user,
        make_official("rate_q", t.q, "desk", "approver", subtree=True).user,
    ]


def _read_case(t):
    d, _citizen = _rated(t)
    return {
        "id": d.code,
        "insider": make_official("rate_a", t.a, "desk").user,
        "outsiders": _outsiders(t),
        "scopes": ["ratings.read"],
    }


def _change_case(t):
    d, citizen = _rated(t)
    return {
        "id": d.code,
        "insider": citizen.user,
        # An official of A reads the rating but may not change it (403).
        "outsiders": [make_official("rate_a", t.a, "desk").user, *_outsiders(t)],
        "scopes": ["ratings.read", "ratings.rate"],
        "body": {"scores": _scores(), "comment": "Đổi ý"},
    }


CASES = {(BASE, "get"): _read_case, (BASE, "put"): _change_case}
