"""A small world for the index's tests: two provinces (P with communes A and B, and Q), one
procedure with an in-person and an online channel, and dossiers made directly in the states the
indicators read (timestamps chosen, no services: the index only reads)."""

from __future__ import annotations

import datetime as dt
import itertools

from egov.catalog.models import ChannelKind
from egov.core.calendar import TIMEZONE
from egov.dossiers.models import Dossier, DossierComponent, Result, SupplementRequest

from ..dossiers.core_support import make_world

_numbers = itertools.count(1)


def at(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=TIMEZONE)


def dossier(
    w,
    org,
    *,
    received: str | None,
    processed: str | None = None,
    timeliness: str = "",
    online: bool = False,
    result: bool = False,
    components: tuple[bool, ...] = (),
    reused: bool = False,
    citizen: bool = False,
    supplement: bool = False,
):
    kind = ChannelKind.ONLINE if online else ChannelKind.IN_PERSON
    channel = w.version.channels.get(kind=kind)
    d = Dossier.objects.create(
        code=f"T-{next(_numbers):06d}",
        procedure_version=w.version,
        channel=channel,
        origin_organisation=org,
        organisation=org,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="001099012345",
        applicant_citizen=w.citizen if citizen else None,
        status=9 if processed else 4,
        received_at=at(received) if received else None,
        processed_at=at(processed, 16) if processed else None,
        timeliness=timeliness,
    )
    if result:
        Result.objects.create(
            dossier=d, name="Giấy xác nhận", file="r.pdf", attached_at=d.processed_at
        )
    for n, is_digitised in enumerate(components):
        DossierComponent.objects.create(
            dossier=d, name=f"Tệp {n}", digitised=is_digitised, reused=reused and n == 0
        )
    if supplement:
        SupplementRequest.objects.create(
            dossier=d, requested_at=d.received_at, resume_status=4, reason="Thiếu"
        )
    return d


def november(w):
    """The dossiers of the hand-computed test (docs in test_indicators.py); the procedure is
    one of commune A's."""
    w.version.procedure.agencies.add(w.a)
    return {
        "d1": dossier(
            w,
            w.a,
            received="2026-11-03",
            processed="2026-11-10",
            timeliness="early",
            online=True,
            result=True,
        ),
        "d2": dossier(w, w.a, received="2026-11-04", processed="2026-11-20", timeliness="late"),
        "d3": dossier(
            w,
            w.a,
            received="2026-11-05",
            processed="2026-11-12",
            timeliness="on_time",
            result=True,
            supplement=True,
        ),
        "d4": dossier(
            w,
            w.a,
            received="2026-10-20",
            processed="2026-11-02",
            timeliness="on_time",
            online=True,
            result=True,
        ),
        "d5": dossier(
            w, w.a, received="2026-11-06", online=True, components=(True, True), citizen=True
        ),
        "d6": dossier(w, w.b, received="2026-11-07", components=(True, False), reused=True),
        "d7": dossier(w, w.q, received="2026-11-08", processed="2026-11-09", timeliness="early"),
        "d8": dossier(w, w.a, received="2026-12-01"),
    }


__all__ = ["at", "dossier", "make_world", "november"]


def petition(w, org, *, answered: str, late: bool, useful: int = 0, not_useful: int = 0):
    from django.contrib.auth import get_user_model

    from egov.petitions.models import Petition, Reaction

    n = next(_numbers)
    when = at(answered)
    p = Petition.objects.create(
        code=f"PAKN-2026-{n:06d}",
        title="Đường ngập nước",
        content="Phản ánh",
        category="regulations",
        submitter=w.citizen,
        submitter_kind="citizen",
        submitter_name="Nguyễn Văn An",
        submitter_id_number="001099012345",
        centre=w.p,
        organisation=org,
        status=8,
        received_at=when,
        refuse_due_at=when,
        supplement_due_at=when,
        clock_started_at=when,
        answered_at=when,
        answered_late=late,
    )
    users = get_user_model().objects
    for i in range(useful + not_useful):
        user = users.create_user(f"reader_{n}_{i}", password=None)
        Reaction.objects.create(petition=p, user=user, useful=i < useful)
    return p


def fee_dossier(w, org, *, received: str, amount: int, paid_online: bool | None):
    """A dossier with one fee item of ``amount`` (0: nothing due), paid online, at the desk
    (False) or not at all (None)."""
    from egov.payments.models import FeeItem, Payment

    d = dossier(w, org, received=received)
    FeeItem.objects.create(dossier=d, kind="fee", name="Phí", amount_vnd=amount)
    if paid_online is not None:
        Payment.objects.create(
            dossier=d,
            reference=f"REF{d.pk}",
            method="vnpay" if paid_online else "cash",
            status="paid",
            amount_vnd=amount,
            created_at=d.received_at,
            settled_at=d.received_at,
            payer_name="Nguyễn Văn An",
        )
    return d
