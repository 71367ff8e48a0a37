"""The e-Cabinet's part of the access matrix (tests/accounts/test_access_matrix.py).

A ballot of the Government Office (organisation A of the matrix's tree) asking two members:
the member asked reads it and answers it (signed); an official of another organisation, a
member not asked and an API client of another province get 401, 403 or 404."""

from __future__ import annotations

import datetime as dt
import tempfile

from django.test import override_settings

from egov.accounts.signing import holder_of_official
from egov.cabinet import answers, scopes
from egov.cabinet.services import ballots, members

from ..accounts.officials_support import make_official

BASE = "/api/v1/cabinet/ballots/{number}/"


def _ballot(tree):
    start = dt.date(2021, 4, 8)
    asked = [make_official(f"member_{i}", tree.a) for i in range(2)]
    pm = members.appoint(asked[0], "prime_minister", "Thủ tướng Chính phủ", term_start=start)
    minister = members.appoint(asked[1], "minister", "Bộ trưởng Bộ Tư pháp", term_start=start)
    other = members.appoint(
        make_official("member_x", tree.b), "minister", "Bộ trưởng Bộ Y tế", term_start=start
    )
    secretary = make_official("secretary", tree.a)
    members.add_secretary(secretary)
    ballot = ballots.issue(
        secretary,
        ballots.BallotData("Dự thảo", ["Thông qua?"], working_days=2, members=[pm.pk, minister.pk]),
    )
    return ballot, minister, other


def _read(tree):
    ballot, minister, other = _ballot(tree)
    return {
        "id": ballot.number,
        "insider": minister.official.user,
        "outsiders": [other.official.user, make_official("desk_b", tree.b, "desk").user],
        "scopes": [scopes.READ],
    }


def _answer(tree):
    pki = tempfile.mkdtemp(prefix="cabinet-matrix-")
    values = {"EGOV_PKI_DIR": pki, "EGOV_PKI_AUTO_CREATE": True}
    ballot, minister, other = _ballot(tree)
    question = ballot.questions.get()
    with override_settings(**values):
        content = ballots.content_for(ballot, question, minister, minister.official, "agree", "")
        document = answers.sign(content, holder_of_official(minister.official)).decode()
    return {
        "id": ballot.number,
        "insider": minister.official.user,
        "outsiders": [other.official.user, make_official("desk_b", tree.b, "desk").user],
        "scopes": [scopes.ANSWER],
        "body": {"document": document},
        "settings": values,
    }


CASES = {
    (BASE, "get"): _read,
    (f"{BASE}answer/", "post"): _answer,
}
