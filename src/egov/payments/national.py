"""What the status sync (egov.sync) sends to the national portal about a dossier's fees.

The interface agreed with the status sync: :func:`payment_fields` and
:func:`procedures_integrated`. This version reads today's models; the payments app may compute
the same figures from richer data without the sync changing.

Field names and codes as the national portal's DongBoHoSoMC takes them (docs/sync.md):
``DuocThanhToanTrucTuyen`` 0 not paid online, 1 paid through the national portal's payment
platform, 2 paid through the province's own gateway; ``DanhSachLePhi`` one entry per fee item,
``LoaiPhiLePhi`` 1 phí, 2 lệ phí; ``HinhThucThu`` 1 at the desk, 2 online (how it was collected;
empty while unpaid).
"""

from __future__ import annotations

from collections.abc import Iterable

from egov.catalog.models import ChannelKind, Fee, FeeKind

from .models import DESK_METHODS, FeeItem, Method, Payment, PaymentStatus

NOT_ONLINE, NATIONAL_PLATFORM, PROVINCE_GATEWAY = 0, 1, 2
_KIND = {FeeKind.FEE: 1, FeeKind.CHARGE: 2}


def payment_fields(dossier_ids: Iterable[int]) -> dict[int, dict]:
    """Per dossier id: ``{"DuocThanhToanTrucTuyen": 0|1|2, "DanhSachLePhi": [...]}``; two
    queries whatever the number of dossiers."""
    ids = list(dossier_ids)
    out = {pk: {"DuocThanhToanTrucTuyen": NOT_ONLINE, "DanhSachLePhi": []} for pk in ids}
    collected: dict[int, str] = {}
    paid = Payment.objects.filter(dossier_id__in=ids, status=PaymentStatus.PAID)
    for dossier_id, method in paid.order_by("settled_at", "pk").values_list("dossier_id", "method"):
        if method == Method.DVCQG:
            out[dossier_id]["DuocThanhToanTrucTuyen"] = NATIONAL_PLATFORM
        elif method == Method.VNPAY:
            out[dossier_id]["DuocThanhToanTrucTuyen"] = PROVINCE_GATEWAY
        collected[dossier_id] = "1" if method in DESK_METHODS else "2"
    for item in FeeItem.objects.filter(dossier_id__in=ids).order_by("dossier_id", "order", "pk"):
        out[item.dossier_id]["DanhSachLePhi"].append(
            {
                "TenPhiLePhi": item.name,
                "MaPhiLePhi": item.code,
                "HinhThucThu": collected.get(item.dossier_id, ""),
                "Gia": item.due_vnd,
                "LoaiPhiLePhi": _KIND.get(item.kind, 1),
            }
        )
    return out


def procedures_integrated(procedure_ids: Iterable[int]) -> set[int]:
    """The procedures (of ``procedure_ids``) whose fees can be paid online: a fee on an online
    channel of one of their versions."""
    online = Fee.objects.filter(
        channel__kind=ChannelKind.ONLINE, channel__version__procedure_id__in=list(procedure_ids)
    )
    return set(online.values_list("channel__version__procedure_id", flat=True).distinct())
