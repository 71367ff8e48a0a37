"""What the national sync and the service index read of payments (egov.payments.national)."""

from __future__ import annotations

import datetime as dt

import pytest

from egov.catalog.models import Fee, FeeKind
from egov.catalog.services import versions as catalog_versions
from egov.payments import national
from egov.payments.models import FeeItem, Payment, PaymentStatus, Relief
from egov.payments.services import payments

from ..dossiers.core_support import CONTENT
from .support import CHARGE, FEE, fees_due_dossier, ipn_params, world_with_fees

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return world_with_fees()


def _paid_vnpay(client, w):
    dossier = fees_due_dossier(w)
    payment = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    assert client.get("/payments/ipn/vnpay/", ipn_params(payment)).json()["RspCode"] == "00"
    return dossier


def test_fee_list_codes_and_online_flag(client, w):
    unpaid = fees_due_dossier(w)
    by_vnpay = _paid_vnpay(client, w)
    at_desk = fees_due_dossier(w)
    payments.record_at_desk(at_desk, actor=w.desk.user, method="cash", receipt_number="BL-9")
    national_one = fees_due_dossier(w)
    pending = payments.start_online(national_one, actor=w.citizen.user, method="dvcqg")
    # Test data: settled as the platform's callback would (its own tests cover the callback).
    Payment.objects.filter(pk=pending.pk).update(status=PaymentStatus.PAID)

    fields = national.payment_fields([unpaid.pk, by_vnpay.pk, at_desk.pk, national_one.pk])

    assert {k: v["DuocThanhToanTrucTuyen"] for k, v in fields.items()} == {
        unpaid.pk: 0,
        by_vnpay.pk: 2,
        at_desk.pk: 0,
        national_one.pk: 1,
    }
    assert fields[unpaid.pk]["DanhSachLePhi"] == [
        {
            "TenPhiLePhi": "Phí thẩm định hồ sơ",
            "MaPhiLePhi": "P01",
            "HinhThucThu": national.COLLECTED_BEFORE_RESULT,
            "Gia": FEE,
            "LoaiPhiLePhi": 1,
        },
        {
            "TenPhiLePhi": "Lệ phí cấp giấy xác nhận",
            "MaPhiLePhi": "L01",
            "HinhThucThu": national.COLLECTED_BEFORE_RESULT,
            "Gia": CHARGE,
            "LoaiPhiLePhi": 2,
        },
    ]


def test_exempt_and_reduced_items_and_unknown_ids(w):
    dossier = fees_due_dossier(w)
    fee, charge = dossier.fee_items.all()
    FeeItem.objects.filter(pk=fee.pk).update(
        relief=Relief.REDUCED, relief_vnd=10_000, relief_reason="Hộ nghèo"
    )
    FeeItem.objects.filter(pk=charge.pk).update(
        relief=Relief.EXEMPT, relief_vnd=CHARGE, relief_reason="Người có công"
    )
    missing = dossier.pk + 1000
    fields = national.payment_fields([dossier.pk, missing])
    assert [(e["Gia"], e["HinhThucThu"]) for e in fields[dossier.pk]["DanhSachLePhi"]] == [
        (FEE - 10_000, national.COLLECTED_BEFORE_RESULT),
        (0, national.EXEMPT),
    ]
    assert fields[missing] == {"DuocThanhToanTrucTuyen": 0, "DanhSachLePhi": []}
    assert national.payment_fields([]) == {}


def test_payment_fields_queries_do_not_grow_with_the_ids(
    client, w, django_assert_num_queries, monkeypatch
):
    dossiers = [fees_due_dossier(w) for _ in range(5)]
    ids = [d.pk for d in dossiers]
    with django_assert_num_queries(2):
        one = national.payment_fields(ids[:1])
    with django_assert_num_queries(2):
        five = national.payment_fields(ids)
    assert len(one) == 1 and len(five) == 5
    assert all(len(v["DanhSachLePhi"]) == 2 for v in five.values())
    # A long list goes in chunks (SQLite caps bound parameters): two queries per chunk.
    monkeypatch.setattr(national, "CHUNK", 2)
    with django_assert_num_queries(6):
        assert national.payment_fields(ids) == five


def _procedure(code: str, fees: list[tuple[str, int | None]]):
    content = dict(CONTENT, code=code)
    version = catalog_versions.create_procedure(content, actor="test")
    version = catalog_versions.publish(version, effective_from=dt.date(2020, 1, 1), actor="test")
    for channel_kind, amount in fees:
        channel = version.channels.get(kind=channel_kind)
        Fee.objects.create(channel=channel, kind=FeeKind.CHARGE, amount_vnd=amount)
    return version.procedure


def test_procedures_integrated(w, django_assert_num_queries):
    with_fee = w.version.procedure  # online channel with fees of a set amount
    no_fee = _procedure("9.000002", [])
    province_sets = _procedure("9.000003", [("online", None)])
    desk_only = _procedure("9.000004", [("in_person", 30_000)])
    zero = _procedure("9.000005", [("online", 0)])
    ids = [with_fee.pk, no_fee.pk, province_sets.pk, desk_only.pk, zero.pk]
    with django_assert_num_queries(1):
        assert national.procedures_integrated(ids) == {with_fee.pk}
    assert national.procedures_integrated([no_fee.pk]) == set()
    # Only the version in force counts: a new version without fees is no longer integrated.
    draft = catalog_versions.new_draft(with_fee, actor="test")
    Fee.objects.filter(channel__version=draft).delete()
    catalog_versions.publish(draft, effective_from=dt.date(2021, 1, 1), actor="test")
    assert national.procedures_integrated(ids) == set()
