"""Provincial: every act queued once in its transaction; the record as the portal takes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from egov.core.models import OutboxMessage
from egov.dossiers import services
from egov.dossiers.models import Status
from egov.sync import wire
from egov.sync.services.catalogue import unsynced_procedures
from egov.sync.services.records import dossier_records

from ..dossiers.core_support import walk_in

pytestmark = pytest.mark.django_db


def rows():
    return list(OutboxMessage.objects.filter(kind="sync.dossier").order_by("pk"))


def test_each_act_is_queued_once_in_its_transaction(sw):
    d = walk_in(sw)
    d = services.start_processing(d, actor=sw.desk.user, assignee=sw.processor)
    queued = rows()
    progress = list(d.progress.order_by("pk").values_list("pk", flat=True))
    assert [m.payload for m in queued] == [{"dossier": d.pk, "progress": p} for p in progress]
    assert len({m.key for m in queued}) == len(queued) == len(progress) >= 2


def test_a_rolled_back_act_queues_nothing(sw):
    before = len(rows())
    with pytest.raises(RuntimeError), transaction.atomic():
        walk_in(sw)
        raise RuntimeError("rolled back")
    assert len(rows()) == before


def test_nothing_is_queued_when_the_sync_is_off(sw, settings):
    settings.EGOV_SYNC_ROLE = "off"
    walk_in(sw)
    assert rows() == []


def test_a_procedure_without_a_national_code_is_flagged_not_synced(sw):
    type(sw.version.procedure).objects.filter(pk=sw.version.procedure_id).update(code="LOCAL-7")
    sw.version.procedure.refresh_from_db()
    walk_in(sw)
    assert rows() == []
    [flagged] = unsynced_procedures()
    assert (flagged["code"], flagged["dossiers"]) == ("LOCAL-7", 1)


def test_the_record_has_the_published_fields_in_vietnam_time(sw):
    d = walk_in(sw)
    record = dossier_records([d.pk])[d.pk]
    for name in [
        "MaHoSo",
        "MaTTHC",
        "TenTTHC",
        "MaLinhVuc",
        "TenLinhVuc",
        "ChuHoSo",
        "LoaiDoiTuong",
        "MaDoiTuong",
        "Email",
        "SoDienThoai",
        "TrichYeuHoSo",
        "NgayTiepNhan",
        "NgayHenTra",
        "TrangThaiHoSo",
        "NgayTra",
        "HinhThuc",
        "NgayKetThucXuLy",
        "DonViXuLy",
        "KenhThucHien",
        "NoiNopHoSo",
        "DuocThanhToanTrucTuyen",
        "DanhSachLePhi",
        "HoSoCoThanhPhanSoHoa",
        "TaiKhoanDuocXacThucVoiVNeID",
        "DinhDanhCHS",
        "TaiLieuNop",
        "DanhSachHoSoBoSung",
        "DanhSachGiayToKetQua",
    ]:
        assert name in record, name
    assert record["MaHoSo"] == d.code and record["MaTTHC"] == "1.000001"
    assert record["TrangThaiHoSo"] == str(Status.RECEIVED)
    received = d.received_at.astimezone(wire.VIETNAM)
    assert record["NgayTiepNhan"] == received.strftime("%Y%m%d%H%M%S")
    assert wire.parse_date(record["NgayTiepNhan"]) == d.received_at.replace(microsecond=0)
    assert record["DinhDanhCHS"] == [{"LoaiDinhDanh": "1", "SoDinhDanh": "001199000111"}]
    assert record["NgayKetThucXuLy"] == "" and record["KenhThucHien"] == "1"


def test_statuses_are_sent_as_they_are_and_the_end_is_dated(sw):
    d = walk_in(sw)
    d = services.start_processing(d, actor=sw.desk.user, assignee=sw.processor)
    services.request_supplement(
        d, actor=sw.processor.user, items=[{"name": "Tờ khai", "note": "ký lại"}], reason="thiếu"
    )
    record = dossier_records([d.pk])[d.pk]
    assert record["TrangThaiHoSo"] == "5" and record["NgayKetThucXuLy"] == ""
    assert record["DanhSachHoSoBoSung"][0]["NoiDungBoSung"] == "thiếu"
    d = services.stop(type(d).objects.get(pk=d.pk), actor=sw.approver.user, reason="dừng")
    record = dossier_records([d.pk])[d.pk]
    last = d.progress.order_by("-pk").first()
    assert record["TrangThaiHoSo"] == "8"  # never remapped to 9
    assert record["NgayKetThucXuLy"] == wire.format_date(last.at)


def test_the_dates_are_vietnam_time():
    at = dt.datetime(2026, 1, 31, 17, 30, 5, tzinfo=dt.UTC)
    assert wire.format_date(at) == "20260201003005"
    assert wire.parse_date("20260201003005") == at


def test_the_fees_come_from_the_payments_app(sw):
    from egov.catalog.models import Fee, FeeKind

    for channel in sw.version.channels.all():
        Fee.objects.create(channel=channel, kind=FeeKind.CHARGE, code="L01", amount_vnd=20_000)
    d = walk_in(sw)
    record = dossier_records([d.pk])[d.pk]
    assert record["DuocThanhToanTrucTuyen"] == 0
    assert [(f["MaPhiLePhi"], f["Gia"], f["LoaiPhiLePhi"]) for f in record["DanhSachLePhi"]] == [
        ("L01", 20_000, 2)
    ]
