"""The payments' part of the access matrix (tests/accounts/test_access_matrix.py)."""

from __future__ import annotations

from egov.catalog.models import Fee, FeeKind
from egov.dossiers.models import Dossier
from egov.payments.services import payments

from ..accounts.officials_support import make_official
from ..dossiers import core_matrix


def _payment_case(t):
    """A dossier of commune A paid in cash at A's desk: A's desk reads the payment; B's desk
    and another province's do not."""
    version = core_matrix._version()
    for channel in version.channels.all():
        Fee.objects.get_or_create(channel=channel, kind=FeeKind.CHARGE, amount_vnd=20_000)
    case = core_matrix._case(lambda d: d)(t)
    dossier = Dossier.objects.get(code=case["id"])  # its fee items copied when it was made
    payment = payments.record_at_desk(
        dossier, actor=case["insider"], method="cash", receipt_number="BL-1"
    )
    return {
        "id": payment.reference,
        "insider": case["insider"],
        "outsiders": [
            make_official("desk_b2", t.b, "desk").user,
            make_official("desk_q2", t.q, "desk", subtree=True).user,
        ],
        "scopes": ["payments.read"],
    }


CASES = {("/api/v1/payments/{reference}/", "get"): _payment_case}
