"""The service index's part of the access matrix (tests/accounts/test_access_matrix.py).

An organisation's figures are published: anyone reads them. What they counted (dossiers,
petitions) is listed only to those holding serviceindex.read at the organisation."""

from egov.serviceindex import scopes

from ..accounts.officials_support import make_official

PUBLIC = {("/api/v1/service-index/{id}/", "get")}


def _counted_case(t):
    return {
        "id": t.a.pk,
        "insider": make_official("reporter_a", t.a, "reporter").user,
        "outsiders": [
            make_official("reporter_b", t.b, "reporter").user,
            make_official("reporter_q", t.q, "reporter", subtree=True).user,
        ],
        "scopes": [scopes.READ],
    }


CASES = {("/api/v1/service-index/{id}/counted/", "get"): _counted_case}
