"""The national payment platform of the National Public Service Portal (Nền tảng thanh toán của
Cổng Dịch vụ công quốc gia, "PaymentPlatform"), version 1.0.6.

JSON over HTTPS with a bearer token. Every message carries MaXacThuc, the lowercase hex SHA-256
of its fields joined with "|" and followed by the partner's secret. Read from provincial
integrations, nothing copied:

- HuanVu201/DichVuCong_KhoaLuan_PASETO (a provincial one-stop system): DvcPaymentService.cs
  (INIT, QUERY, GET_BILL and their hash orders), InitDvcPaymentRequest.cs (INIT's fields,
  ThongTinBienLai, PhiLePhi[], DSKhoanNop[]), ConfirmDvcPaymentCommand*.cs (the callback's fields
  and hash order, MaLoi "00"), CheckConfirmGiaoDichThanhToanHandler.cs (QUERY's TrangThaiGD: 1
  success, 3 pending, 4 failed). Its bugs are not repeated here: it formats ThoiGianGD with a
  12-hour "hh", never checks the amount, and answers a bad hash with an HTTP 500.
- VietOpenCPS/opencps-v2 modules/pay-gate-integration (KeypayDVCQGTerm.java): the same
  ThongTinBienLai and PhiLePhi names.

Not published in those sources, so ours (and the sandbox's): the answer we give to a callback
(MaLoi 00 confirmed, 01 not found, 02 already confirmed, 04 invalid amount, 97 bad MaXacThuc, 99
other, with MaXacThuc over MaLoi|MaDoiTac|MaThamChieu|ThoiGianGD), the hash of QUERY's answer
(taken as the callback's formula, which the source rebuilds from it), LoaiPhiLePhi "Phi" / "LePhi",
and refunds (no refund message is published: refused here).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping

from django.conf import settings

from egov.catalog.models import FeeKind

from . import (
    BadSignature,
    Callback,
    GatewayError,
    QueryResult,
    RefundResult,
    parse_vietnam_timestamp,
    vietnam_timestamp,
)

VERSION = "1.0.6"
INIT_FIELDS = (
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
)
CALLBACK_FIELDS = (
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
)
QUERY_FIELDS = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
ANSWER_FIELDS = ("MaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
ANSWER_TEXT = {
    "00": "Xác nhận thành công",
    "01": "Không tìm thấy giao dịch",
    "02": "Giao dịch đã được xác nhận",
    "04": "Số tiền không hợp lệ",
    "97": "Sai mã xác thực",
    "99": "Lỗi khác",
}
FEE_KINDS = {FeeKind.FEE: "Phi", FeeKind.CHARGE: "LePhi"}


def ma_xac_thuc(values: Mapping, fields: tuple[str, ...], secret: str) -> str:
    data = "|".join(str(values.get(f, "") if values.get(f) is not None else "") for f in fields)
    return hashlib.sha256(f"{data}|{secret}".encode()).hexdigest()


def same(a: str, b) -> bool:
    return hmac.compare_digest(a.encode(), str(b or "").lower().encode())


class NationalPaymentPlatform:
    name = "dvcqg"

    def __init__(self, *, partner: str, secret: str, token: str, urls: Mapping[str, str], timeout):
        self.partner = partner
        self.secret = secret
        self.token = token
        self.urls = urls
        self.timeout = timeout

    def _post(self, operation: str, body: dict) -> bytes:
        request = urllib.request.Request(  # noqa: S310 - the URLs come from the settings
            self.urls[operation],
            data=json.dumps(body, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.read()
        except (urllib.error.URLError, OSError) as exc:
            raise GatewayError(f"payment platform {operation}: {exc}") from exc

    def _json(self, operation: str, body: dict) -> dict:
        try:
            answer = json.loads(self._post(operation, body))
        except ValueError as exc:
            raise GatewayError(f"payment platform {operation}: not JSON") from exc
        if not isinstance(answer, dict):
            raise GatewayError(f"payment platform {operation}: not a JSON object")
        return answer

    # -- INIT ------------------------------------------------------------------------------
    def init_message(self, payment, *, client_ip: str, now: dt.datetime) -> dict:
        dossier = payment.dossier
        procedure = dossier.procedure_version
        info = f"THANH TOAN HO SO {dossier.code}"
        fee_items = [i for i in dossier.fee_items.all() if i.due_vnd]
        body = {
            "LoaiBanTin": "INIT",
            "PhienBan": VERSION,
            "MaDoiTac": self.partner,
            "MaThamChieu": payment.reference,
            "SoTien": str(payment.amount_vnd),
            "LoaiHinhThanhToan": "PAY",
            "MaKenhThanhToan": "1",
            "MaThietBi": "1",
            "NgonNgu": "vi-VN",
            "MaTienTe": "VND",
            "MaNganHang": "PAYMENT",
            "ThongTinGiaoDich": info,
            "ThoiGianGD": vietnam_timestamp(now),
            "Ip": client_ip or "127.0.0.1",
            "ThongTinBienLai": {
                "MaDichVu": "2",
                "MaTTHC": procedure.procedure.code,
                "TenTTHC": procedure.name[:250],
                "MaDVC": f"{procedure.procedure.code}.01",
                "TenDVC": procedure.name[:250],
                "MaDonVi": dossier.organisation.code,
                "TenDonVi": dossier.organisation.name,
                "MaHoSo": dossier.code,
                "NoiDungThanhToan": info,
                "HoTenNguoiNop": payment.payer_name,
                "SoCMNDNguoiNop": dossier.applicant_id_number,
                "PhiLePhi": [
                    {
                        "LoaiPhiLePhi": FEE_KINDS.get(item.kind, "Phi"),
                        "MaPhiLePhi": item.code,
                        "TenPhiLePhi": item.name[:250],
                        "SoTien": str(item.due_vnd),
                    }
                    for item in fee_items
                ],
                "DSKhoanNop": [
                    {"NoiDung": item.name[:250], "SoTien": str(item.due_vnd)} for item in fee_items
                ],
            },
        }
        body["MaXacThuc"] = ma_xac_thuc(body, INIT_FIELDS, self.secret)
        return body

    def payment_url(self, payment, *, return_url: str, client_ip: str, now: dt.datetime) -> str:
        answer = self._json("init", self.init_message(payment, client_ip=client_ip, now=now))
        if str(answer.get("error_code")) != "0":
            raise GatewayError(f"payment platform INIT refused: {answer.get('error_code')}")
        try:
            message = json.loads(answer.get("message") or "{}")
            return str(message["UrlThanhToan"])
        except (ValueError, KeyError, TypeError) as exc:
            raise GatewayError("payment platform INIT: no UrlThanhToan") from exc

    # -- callback --------------------------------------------------------------------------
    def verify_callback(self, params: Mapping) -> Callback:
        if not same(ma_xac_thuc(params, CALLBACK_FIELDS, self.secret), params.get("MaXacThuc")):
            raise BadSignature("MaXacThuc")
        if params.get("MaDoiTac") != self.partner:
            raise BadSignature("MaDoiTac")
        amount = str(params.get("SoTien", ""))
        return Callback(
            reference=str(params.get("MaThamChieu", "")),
            amount_vnd=int(amount) if amount.isdigit() else None,
            success=params.get("MaLoi") == "00",
            transaction=str(params.get("MaGiaoDich", ""))[:64],
            bank_code=str(params.get("MaNganHang", ""))[:32],
            code=str(params.get("MaLoi", ""))[:8],
            paid_at=parse_vietnam_timestamp(str(params.get("ThoiGianGD", ""))),
        )

    def callback_answer(self, code: str, params: Mapping) -> dict:
        answer = {
            "MaLoi": code,
            "MoTaLoi": ANSWER_TEXT[code],
            "MaDoiTac": self.partner,
            "MaThamChieu": str(params.get("MaThamChieu", ""))[:64],
            "ThoiGianGD": str(params.get("ThoiGianGD", ""))[:14],
        }
        answer["MaXacThuc"] = ma_xac_thuc(answer, ANSWER_FIELDS, self.secret)
        return answer

    # -- QUERY and GET_BILL ----------------------------------------------------------------
    def _lookup(self, kind: str, payment, now: dt.datetime) -> dict:
        body = {
            "LoaiBanTin": kind,
            "PhienBan": VERSION,
            "MaDoiTac": self.partner,
            "MaThamChieu": payment.reference,
            # The INIT's time, as the platform recorded the transaction.
            "ThoiGianGD": vietnam_timestamp(payment.created_at),
        }
        body["MaXacThuc"] = ma_xac_thuc(body, QUERY_FIELDS, self.secret)
        return body

    def query(self, payment, *, client_ip: str, now: dt.datetime) -> QueryResult:
        answer = self._json("query", self._lookup("QUERY", payment, now))
        if answer.get("MaLoi") != "00":
            return QueryResult(payment.reference, "unknown", raw=answer)
        if not same(ma_xac_thuc(answer, CALLBACK_FIELDS, self.secret), answer.get("MaXacThuc")):
            raise BadSignature("QUERY answer's MaXacThuc")
        state = {"1": "paid", "3": "pending", "4": "failed"}.get(str(answer.get("TrangThaiGD")))
        amount = str(answer.get("SoTien", ""))
        return QueryResult(
            payment.reference,
            state or "unknown",
            amount_vnd=int(amount) if amount.isdigit() else None,
            transaction=str(answer.get("MaGiaoDich", "")),
            raw=answer,
        )

    def get_bill(self, payment, *, now: dt.datetime) -> bytes:
        """The platform's own receipt (a PDF) of a paid transaction."""
        pdf = self._post("bill", self._lookup("GET_BILL", payment, now))
        if not pdf.startswith(b"%PDF-"):
            raise GatewayError("payment platform GET_BILL: not a PDF")
        return pdf

    def refund(self, payment, amount_vnd: int, **kwargs) -> RefundResult:
        return RefundResult(False, "unsupported")


def from_settings() -> NationalPaymentPlatform:
    return NationalPaymentPlatform(
        partner=settings.EGOV_DVCQG_PAY_PARTNER,
        secret=settings.EGOV_DVCQG_PAY_SECRET,
        token=settings.EGOV_DVCQG_PAY_TOKEN,
        urls={
            "init": settings.EGOV_DVCQG_PAY_INIT_URL,
            "query": settings.EGOV_DVCQG_PAY_QUERY_URL,
            "bill": settings.EGOV_DVCQG_PAY_BILL_URL,
        },
        timeout=settings.EGOV_VNPAY_TIMEOUT,
    )
