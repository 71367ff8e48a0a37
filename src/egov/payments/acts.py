"""The payment's state machine: one declaration per act (see docs/architecture.md, "One act table
per state machine"; egov.dossiers.acts is the first of them).

The services check a move with :func:`check_transition` inside their transaction; who may make an
act is in ``scopes`` (at the dossier's agency) or ``applicant`` (the dossier's owner) or ``gateway``
(a signed callback from the payment gateway: no user). Nothing else lists the acts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from egov.payments.errors import IllegalTransition
from egov.payments.models import PaymentStatus
from egov.payments.scopes import COLLECT

P = PaymentStatus


@dataclass(frozen=True)
class Act:
    name: str
    # Statuses it leaves from; empty for the acts that make the payment.
    sources: frozenset
    target: str
    scopes: tuple[str, ...] = ()
    applicant: bool = False
    gateway: bool = False
    label: Promise = ""

    def __str__(self) -> str:
        return self.name


_TABLE = (
    Act("start", frozenset(), P.PENDING, applicant=True, label=_("Pay online")),
    Act("confirm", frozenset({P.PENDING}), P.PAID, gateway=True, label=_("Paid")),
    Act("fail", frozenset({P.PENDING}), P.FAILED, gateway=True, label=_("Failed")),
    Act("cancel", frozenset({P.PENDING}), P.CANCELLED, gateway=True, label=_("Cancelled")),
    Act("record_at_desk", frozenset(), P.PAID, scopes=(COLLECT,), label=_("Record a payment")),
)
ACTS = {act.name: act for act in _TABLE}


def check_transition(payment, act: str) -> str:
    """The status ``act`` leads to from ``payment``'s (None: a payment not made yet)."""
    spec = ACTS[act]
    status = getattr(payment, "status", None)
    if (status is None) != (not spec.sources) or (
        status is not None and status not in spec.sources
    ):
        raise IllegalTransition(f"{act} from {status}")
    return spec.target
