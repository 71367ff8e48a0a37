"""accounts' part of the access matrix (tests/accounts/test_access_matrix.py)."""

from egov.accounts import scopes

from .officials_support import make_official


def _official_case(t):
    target = make_official("target", t.a)
    return {
        "id": target.pk,
        "insider": make_official("admin_a", t.a, "administrator").user,
        # Same role, another organisation (a sibling commune), and another province.
        "outsiders": [
            make_official("admin_b", t.b, "administrator").user,
            make_official("admin_q", t.q, "administrator", subtree=True).user,
        ],
        "scopes": [scopes.READ],
    }


CASES = {
    ("/api/v1/officials/{id}/", "get"): _official_case,
}
