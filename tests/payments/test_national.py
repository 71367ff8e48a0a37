"""The national payment platform's adapter: MaXacThuc per message, written out from the
provincial integration's formulas (DvcPaymentService.cs, ConfirmDvcPaymentCommandHandler.cs),
and the callback's rules through the platform's endpoint."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from types import SimpleNamespace

import pytest
from django.conf import settings

from egov.core.models import AuditEntry
from egov.dossiers.models import Status
from egov.payments.gateways import BadSignature, national
from egov.payments.models import PaymentStatus
from egov.payments.services import payments

from .support import CHARGE, FEE, fees_due_dossier, world_with_fees

SECRET = "bi-mat"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _adapter():
    return national.NationalPaymentPlatform(
        partner="DOITAC", secret=SECRET, token="t", urls={}, timeout=1
    )


def test_init_ma_xac_thuc_is_sha256_of_the_pipe_joined_fields_then_the_secret():
    message = {
        "LoaiBanTin": "INIT",
        "PhienBan": "1.0.6",
        "MaDoiTac": "DOITAC",
        "MaThamChieu": "HS1TABC",
        "SoTien": "70000",
        "LoaiHinhThanhToan": "PAY",
        "MaKenhThanhToan": "1",
        "MaThietBi": "1",
        "NgonNgu": "vi-VN",
        "MaTienTe": "VND",
        "MaNganHang": "PAYMENT",
        "ThongTinGiaoDich": "THANH TOAN HO SO X",
        "ThoiGianGD": "20261206150509",
        "Ip": "127.0.0.1",
    }
    text = (
        "INIT|1.0.6|DOITAC|HS1TABC|70000|PAY|1|1|vi-VN|VND|PAYMENT|THANH TOAN HO SO X"
        "|20261206150509|127.0.0.1|bi-mat"
    )
    assert national.ma_xac_thuc(message, national.INIT_FIELDS, SECRET) == _sha(text)


def test_callback_and_query_ma_xac_thuc():
    callback = {
        "LoaiBanTin": "CONFIRM",
        "MaLoi": "00",
        "MaDoiTac": "DOITAC",
        "MaThamChieu": "HS1TABC",
        "SoTien": "70000",
        "MaTienTe": "VND",
        "MaGiaoDich": "123",
        "MaNganHang": "VCB",
        "ThoiGianGD": "20261206150509",
        "ThongTinGiaoDich": "TT",
    }
    text = "CONFIRM|00|DOITAC|HS1TABC|70000|VND|123|VCB|20261206150509|TT|bi-mat"
    assert national.ma_xac_thuc(callback, national.CALLBACK_FIELDS, SECRET) == _sha(text)
    query = {
        "LoaiBanTin": "QUERY",
        "PhienBan": "1.0.6",
        "MaDoiTac": "DOITAC",
        "MaThamChieu": "HS1TABC",
        "ThoiGianGD": "20261206150509",
    }
    text = "QUERY|1.0.6|DOITAC|HS1TABC|20261206150509|bi-mat"
    assert national.ma_xac_thuc(query, national.QUERY_FIELDS, SECRET) == _sha(text)
    good = dict(
        callback,
        MaXacThuc=_sha("CONFIRM|00|DOITAC|HS1TABC|70000|VND|123|VCB|20261206150509|TT|bi-mat"),
    )
    verified = _adapter().verify_callback(good)
    assert (verified.success, verified.amount_vnd, verified.reference) == (True, 70000, "HS1TABC")
    with pytest.raises(BadSignature):
        _adapter().verify_callback(dict(good, SoTien="7000"))


def test_init_carries_the_receipt_information_and_24_hour_time():
    items = [
        SimpleNamespace(kind="fee", code="P01", name="Phí", due_vnd=FEE),
        SimpleNamespace(kind="charge", code="L01", name="Lệ phí", due_vnd=CHARGE),
    ]
    dossier = SimpleNamespace(
        code="000.00.01.H26-261206-0001",
        applicant_id_number="001099012345",
        organisation=SimpleNamespace(code="000.00.01.H26", name="Xã A"),
        procedure_version=SimpleNamespace(name="Thủ tục", procedure=SimpleNamespace(code="1.1")),
        fee_items=SimpleNamespace(all=lambda: items),
    )
    payment = SimpleNamespace(
        reference="HS1TABC", amount_vnd=FEE + CHARGE, dossier=dossier, payer_name="Nguyễn Văn An"
    )
    now = dt.datetime(2026, 12, 6, 8, 5, 9, tzinfo=dt.UTC)
    body = _adapter().init_message(payment, client_ip="1.2.3.4", now=now)
    assert body["ThoiGianGD"] == "20261206150509"
    info = body["ThongTinBienLai"]
    assert info["MaHoSo"] == dossier.code
    assert [(p["LoaiPhiLePhi"], p["SoTien"]) for p in info["PhiLePhi"]] == [
        ("Phi", str(FEE)),
        ("LePhi", str(CHARGE)),
    ]


def _signed(payment, **changes):
    message = {
        "LoaiBanTin": "CONFIRM",
        "MaLoi": "00",
        "MaDoiTac": settings.EGOV_DVCQG_PAY_PARTNER,
        "MaThamChieu": payment.reference,
        "SoTien": str(payment.amount_vnd),
        "MaTienTe": "VND",
        "MaGiaoDich": "9876543210",
        "MaNganHang": "VCB",
        "ThoiGianGD": "20261206150509",
        "ThongTinGiaoDich": "THANH TOAN",
    }
    message.update(changes)
    text = "|".join(message[f] for f in national.CALLBACK_FIELDS)
    message["MaXacThuc"] = _sha(f"{text}|{settings.EGOV_DVCQG_PAY_SECRET}")
    return message


@pytest.mark.django_db
def test_the_platform_callback_confirms_once_and_refuses_bad_input(client):
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    payment = payments.start_online(dossier, actor=w.citizen.user, method="dvcqg")

    def post(body):
        response = client.post(
            "/payments/ipn/dvcqg/", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 200
        answer = response.json()
        expected = national.ma_xac_thuc(
            answer, national.ANSWER_FIELDS, settings.EGOV_DVCQG_PAY_SECRET
        )
        assert answer["MaXacThuc"] == expected
        return answer["MaLoi"]

    assert post(_signed(payment, SoTien="1")) == "04"
    assert post(dict(_signed(payment), SoTien="1")) == "97"
    assert post(_signed(payment, MaThamChieu="NOPE")) == "01"
    assert post({"nothing": 1}) == "97"
    response = client.post("/payments/ipn/dvcqg/", b"[not json", content_type="application/json")
    assert response.status_code == 200 and response.json()["MaLoi"] == "97"
    assert AuditEntry.objects.filter(action="payments.callback_refused").count() == 5
    assert post(_signed(payment)) == "00"
    assert post(_signed(payment)) == "02"
    payment.refresh_from_db()
    dossier.refresh_from_db()
    assert (payment.status, dossier.status) == (PaymentStatus.PAID, Status.PROCESSING)
    assert payment.receipts.count() == 2
