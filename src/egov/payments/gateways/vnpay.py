"""VNPay payment gateway, version 2.1.0.

Read from VNPay's sandbox documentation (sandbox.vnpayment.vn/apis/docs: "Thanh toán PAY",
"Code IPN URL", "Truy vấn và hoàn tiền") and the open-source clients that follow it: the official
PHP samples (vnpay_create_payment.php, vnpay_ipn.php) and the `vnpay` npm package
(github.com/lehuygiang28/vnpay, src/services/query.service.ts for the querydr and refund hash
orders, src/constants for the IPN codes). Nothing is copied; the formulas are:

- payment URL and IPN: HMAC-SHA512 (key: the hash secret) over the vnp_* parameters except
  vnp_SecureHash and vnp_SecureHashType, sorted by name, each ``urlencode(key)=urlencode(value)``
  as PHP's urlencode does (space as ``+``, everything but ``A-Za-z0-9-_.`` percent-encoded),
  joined with ``&``; the hex digest is vnp_SecureHash;
- querydr and refund (JSON POST to the merchant web API): HMAC-SHA512 over the fields joined with
  ``|`` in the orders below, for the request and for the answer.

vnp_Amount is the amount in VND × 100. Times are yyyyMMddHHmmss, Vietnam time, 24-hour.
A payment is paid only when vnp_ResponseCode and vnp_TransactionStatus are both "00".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from urllib.parse import quote_plus

from . import (
    BadSignature,
    Callback,
    GatewayError,
    QueryResult,
    RefundResult,
    parse_vietnam_timestamp,
    vietnam_timestamp,
)

VERSION = "2.1.0"
# IPN answers (RspCode): what VNPay expects back from the merchant's IPN URL.
CONFIRMED, NOT_FOUND, ALREADY_CONFIRMED, BAD_AMOUNT, BAD_CHECKSUM, OTHER = (
    "00",
    "01",
    "02",
    "04",
    "97",
    "99",
)
IPN_MESSAGES = {
    CONFIRMED: "Confirm Success",
    NOT_FOUND: "Order not found",
    ALREADY_CONFIRMED: "Order already confirmed",
    BAD_AMOUNT: "Invalid amount",
    BAD_CHECKSUM: "Invalid signature",
    OTHER: "Unknown error",
}
QUERYDR_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERYDR_ANSWER_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
REFUND_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_ANSWER_FIELDS = QUERYDR_ANSWER_FIELDS[:13]


def php_urlencode(text: str) -> str:
    """PHP's urlencode: like quote_plus, but "~" is encoded too."""
    return quote_plus(text, safe="").replace("~", "%7E")


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode("utf-8"), hashlib.sha512).hexdigest()


def sign_query(params: Mapping[str, str], secret: str) -> str:
    """vnp_SecureHash of a payment URL or an IPN."""
    signed = {
        k: str(v)
        for k, v in params.items()
        if k.startswith("vnp_") and k not in {"vnp_SecureHash", "vnp_SecureHashType"}
    }
    data = "&".join(f"{php_urlencode(k)}={php_urlencode(signed[k])}" for k in sorted(signed))
    return hmac_sha512(secret, data)


def sign_fields(values: Mapping, fields: tuple[str, ...], secret: str) -> str:
    """vnp_SecureHash of a querydr or refund request or answer: the fields joined with "|"."""
    return hmac_sha512(secret, "|".join(str(values.get(f, "") or "") for f in fields))


def same(a: str, b: str) -> bool:
    """Constant-time comparison of two hex digests (case-insensitive, as VNPay's are)."""
    return hmac.compare_digest(a.lower().encode(), (b or "").lower().encode())


class VNPay:
    name = "vnpay"

    def __init__(self, *, tmn_code: str, secret: str, pay_url: str, api_url: str, timeout=10.0):
        self.tmn_code = tmn_code
        self.secret = secret
        self.pay_url = pay_url
        self.api_url = api_url
        self.timeout = timeout

    # -- pay -------------------------------------------------------------------------------
    def payment_params(
        self, payment, *, return_url: str, client_ip: str, now: dt.datetime
    ) -> dict[str, str]:
        params = {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(payment.amount_vnd * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.reference,
            # Without accents: VNPay asks for plain ASCII order information.
            "vnp_OrderInfo": f"Thanh toan phi le phi ho so {payment.dossier.code}",
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": vietnam_timestamp(now),
            "vnp_ExpireDate": vietnam_timestamp(now + dt.timedelta(minutes=15)),
        }
        params["vnp_SecureHash"] = sign_query(params, self.secret)
        return params

    def payment_url(self, payment, *, return_url: str, client_ip: str, now: dt.datetime) -> str:
        params = self.payment_params(payment, return_url=return_url, client_ip=client_ip, now=now)
        query = "&".join(f"{php_urlencode(k)}={php_urlencode(v)}" for k, v in params.items())
        return f"{self.pay_url}?{query}"

    # -- IPN and return URL ------------------------------------------------------------------
    def verify_callback(self, params: Mapping[str, str]) -> Callback:
        given = params.get("vnp_SecureHash") or ""
        if not given or not same(sign_query(params, self.secret), given):
            raise BadSignature("vnp_SecureHash")
        if params.get("vnp_TmnCode") != self.tmn_code:
            raise BadSignature("vnp_TmnCode")
        amount = params.get("vnp_Amount", "")
        amount_vnd = int(amount) // 100 if amount.isdigit() and int(amount) % 100 == 0 else None
        return Callback(
            reference=params.get("vnp_TxnRef", ""),
            amount_vnd=amount_vnd,
            success=params.get("vnp_ResponseCode") == "00"
            and params.get("vnp_TransactionStatus") == "00",
            transaction=params.get("vnp_TransactionNo", "")[:64],
            bank_code=params.get("vnp_BankCode", "")[:32],
            code=params.get("vnp_ResponseCode", "")[:8],
            paid_at=parse_vietnam_timestamp(params.get("vnp_PayDate", "")),
        )

    @staticmethod
    def ipn_answer(code: str) -> dict[str, str]:
        return {"RspCode": code, "Message": IPN_MESSAGES[code]}

    # -- merchant web API ------------------------------------------------------------------
    def _post(self, body: dict, answer_fields: tuple[str, ...]) -> dict:
        # The API URL comes from the settings (https in production), never from a request.
        request = urllib.request.Request(  # noqa: S310
            self.api_url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise GatewayError(f"VNPay API: {exc}") from exc
        if not isinstance(answer, dict):
            raise GatewayError("VNPay API: not a JSON object")
        if not same(sign_fields(answer, answer_fields, self.secret), answer.get("vnp_SecureHash")):
            raise BadSignature("answer's vnp_SecureHash")
        return answer

    def _request(
        self, command: str, payment, client_ip: str, now: dt.datetime, request_id: str = ""
    ) -> dict:
        return {
            "vnp_RequestId": request_id or secrets.token_hex(16),
            "vnp_Version": VERSION,
            "vnp_Command": command,
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": f"{command} {payment.reference}",
            "vnp_TransactionDate": vietnam_timestamp(payment.created_at),
            "vnp_CreateDate": vietnam_timestamp(now),
            "vnp_IpAddr": client_ip or "127.0.0.1",
        }

    def query(self, payment, *, client_ip: str, now: dt.datetime) -> QueryResult:
        body = self._request("querydr", payment, client_ip, now)
        body["vnp_SecureHash"] = sign_fields(body, QUERYDR_FIELDS, self.secret)
        answer = self._post(body, QUERYDR_ANSWER_FIELDS)
        if answer.get("vnp_ResponseCode") != "00":
            return QueryResult(payment.reference, "unknown", raw=answer)
        status = answer.get("vnp_TransactionStatus")
        # 00 success; 01 not finished; others failed or reversed (VNPay's status table).
        state = {"00": "paid", "01": "pending"}.get(status, "failed")
        amount = str(answer.get("vnp_Amount", ""))
        return QueryResult(
            payment.reference,
            state,
            amount_vnd=int(amount) // 100 if amount.isdigit() else None,
            transaction=str(answer.get("vnp_TransactionNo", "")),
            raw=answer,
        )

    def refund(
        self,
        payment,
        amount_vnd: int,
        *,
        by: str,
        client_ip: str,
        now: dt.datetime,
        request_id: str = "",
    ) -> RefundResult:
        """``request_id``: the same for every attempt of one refund (the outbox's key), so that
        a repeated attempt can be recognised by the gateway."""
        body = self._request("refund", payment, client_ip, now, request_id)
        body.update(
            {
                # 02 full refund, 03 partial.
                "vnp_TransactionType": "02" if amount_vnd == payment.amount_vnd else "03",
                "vnp_Amount": str(amount_vnd * 100),
                "vnp_TransactionNo": payment.gateway_transaction or "0",
                "vnp_CreateBy": by,
            }
        )
        body["vnp_SecureHash"] = sign_fields(body, REFUND_FIELDS, self.secret)
        answer = self._post(body, REFUND_ANSWER_FIELDS)
        code = str(answer.get("vnp_ResponseCode", ""))
        return RefundResult(code == "00", code, raw=answer)


def from_settings() -> VNPay:
    from django.conf import settings

    return VNPay(
        tmn_code=settings.EGOV_VNPAY_TMN_CODE,
        secret=settings.EGOV_VNPAY_HASH_SECRET,
        pay_url=settings.EGOV_VNPAY_PAY_URL,
        api_url=settings.EGOV_VNPAY_API_URL,
        timeout=settings.EGOV_VNPAY_TIMEOUT,
    )
