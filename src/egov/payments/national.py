"""What the national sync and the Decision 766 service index read of payments (issue 14 §5).

The agreed interface (the sync app calls it, payments does not know the sync):

- ``payment_fields(dossier_ids)``: for every given dossier id, the payment fields of the national
  portal's dossier record (đồng bộ hồ sơ): ``DuocThanhToanTrucTuyen`` and ``DanhSachLePhi``.
- ``procedures_integrated(procedure_ids)``: the procedures integrated for online payment (the
  index's "thủ tục đã tích hợp thanh toán trực tuyến").

Both are derived from what payments already records (the dossier's fee items and its paid
payment; the procedure's fees), so nothing is stored twice: a fee item keeps its code, name, kind,
amount and relief, and a dossier has at most one paid payment (a partial unique index), whose
method says where it was paid. Each call makes a fixed number of queries whatever the number of
ids (two, or one per 10,000 ids for very long lists: SQLite caps bound parameters).

The codes. The portal's specification is not public; these are read from two public provincial
integrations (read, not copied):

- HuanVu201/DichVuCong_KhoaLuan_PASETO, ``SyncLocalDataToDVCQGService.cs`` (the sync of a
  provincial one-stop system): ``DanhSachLePhi`` items carry ``TenPhiLePhi``, ``MaPhiLePhi``,
  ``HinhThucThu``, ``Gia`` (the amount, VND) and ``LoaiPhiLePhi``; it lists only paid payment
  requests, and sends the constants '1' for ``MaPhiLePhi``, ``HinhThucThu`` and ``LoaiPhiLePhi``.
  Its local ``HinhThucThu`` values are "Thu trước" (collected before the result), "Thu sau"
  (collected when the result is returned) and "Đối tượng miễn phí" (exempt). It sends
  ``DuocThanhToanTrucTuyen`` "1" when paid and "3" otherwise, which contradicts issue 14's
  0/1/2: we follow the issue (0 not paid online, 1 the national payment platform, 2 the
  province's gateway).
- VietOpenCPS/opencps-v2, ``DVCQGIntegrationActionImpl.java``: the same five fields, left empty
  (commented out); ``PayGateIntegrationActionImpl.java`` sends ``LoaiPhiLePhi`` 2 in the payment
  platform's INIT. Our INIT sends "Phi"/"LePhi" (gateways/national.py), as the PASETO copy does.

So ours until the portal's table is checked (see NOTES): ``HinhThucThu`` 1 collected before the
result (our only flow: the processor asks for payment before the result), 3 exempt;
``LoaiPhiLePhi`` 1 phí, 2 lệ phí. Unlike the PASETO copy we list every fee item of the dossier
(exempt ones with ``Gia`` 0), not only paid requests, with the amount after reductions.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from egov.catalog.models import ChannelKind, Fee, FeeKind
from egov.payments.models import FeeItem, Method, Payment, PaymentStatus, Relief

# DuocThanhToanTrucTuyen
NOT_PAID_ONLINE = 0
PAID_NATIONAL_PLATFORM = 1
PAID_PROVINCE_GATEWAY = 2
ONLINE_CODES = {Method.DVCQG: PAID_NATIONAL_PLATFORM, Method.VNPAY: PAID_PROVINCE_GATEWAY}

# HinhThucThu (ours until checked, see above)
COLLECTED_BEFORE_RESULT = 1
COLLECTED_WITH_RESULT = 2  # "thu sau": no flow of ours collects so yet
EXEMPT = 3

# LoaiPhiLePhi (ours until checked, see above)
KIND_CODES = {FeeKind.FEE: 1, FeeKind.CHARGE: 2}

CHUNK = 10_000


def _chunks(ids: Iterable[int]):
    ids = sorted({int(i) for i in ids})
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _fee_entry(item: FeeItem) -> dict:
    return {
        "TenPhiLePhi": item.name,
        "MaPhiLePhi": item.code,
        "HinhThucThu": EXEMPT if item.relief == Relief.EXEMPT else COLLECTED_BEFORE_RESULT,
        "Gia": item.due_vnd,
        "LoaiPhiLePhi": KIND_CODES.get(item.kind, KIND_CODES[FeeKind.FEE]),
    }


def payment_fields(dossier_ids) -> dict[int, dict]:
    """``{dossier_id: {"DuocThanhToanTrucTuyen": 0|1|2, "DanhSachLePhi": [...]}}`` for every
    given id (an id with no fees or no dossier gets 0 and an empty list)."""
    out: dict[int, dict] = {}
    for ids in _chunks(dossier_ids):
        for i in ids:
            out[i] = {"DuocThanhToanTrucTuyen": NOT_PAID_ONLINE, "DanhSachLePhi": []}
        items = FeeItem.objects.filter(dossier_id__in=ids).only(
            "dossier_id", "kind", "code", "name", "amount_vnd", "relief", "relief_vnd"
        )
        for item in items:  # ordered by dossier, then the channel's order
            out[item.dossier_id]["DanhSachLePhi"].append(_fee_entry(item))
        paid = Payment.objects.filter(
            dossier_id__in=ids, status=PaymentStatus.PAID, method__in=list(ONLINE_CODES)
        ).values_list("dossier_id", "method")
        for dossier_id, method in paid:  # at most one paid payment per dossier
            out[dossier_id]["DuocThanhToanTrucTuyen"] = ONLINE_CODES[method]
    return out


def procedures_integrated(procedure_ids) -> set[int]:
    """The procedures whose version in force has an online channel with a fee of a set amount.

    Those are the ones a citizen pays online here: such a fee is copied onto every dossier made
    through the channel, and its applicant pays it through either gateway (both serve every
    procedure). A fee the province sets (no amount) is left to the desk, so it does not count.
    """
    found: set[int] = set()
    for ids in _chunks(procedure_ids):
        found.update(
            Fee.objects.filter(
                channel__version__procedure_id__in=ids,
                channel__version__procedure__current_version=F("channel__version"),
                channel__kind=ChannelKind.ONLINE,
                amount_vnd__gt=0,
            )
            .values_list("channel__version__procedure_id", flat=True)
            .distinct()
        )
    return found
