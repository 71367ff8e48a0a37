"""The VNPay adapter against test vectors written from VNPay's documentation, one per formula."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from types import SimpleNamespace

import pytest

from egov.payments.gateways import BadSignature, vietnam_timestamp, vnpay

SECRET = "SECRETKEYDEMO0123456789ABCDEFGHIJ"


def _hmac(data: str) -> str:
    return hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()


def test_payment_url_hash_is_hmac_sha512_over_sorted_urlencoded_parameters():
    # The documentation's example, as its PHP sample builds hashdata: sorted by name, PHP's
    # urlencode (space "+", ":" "%3A", "/" "%2F"), joined with "&". Written out by hand.
    params = {
        "vnp_Version": "2.1.0",
        "vnp_Command": "pay",
        "vnp_TmnCode": "DEMOV210",
        "vnp_Amount": "1806000",
        "vnp_CreateDate": "20210801153333",
        "vnp_CurrCode": "VND",
        "vnp_IpAddr": "127.0.0.1",
        "vnp_Locale": "vn",
        "vnp_OrderInfo": "Thanh toan don hang :5",
        "vnp_OrderType": "other",
        "vnp_ReturnUrl": "https://domainmerchant.vn/ReturnUrl",
        "vnp_TxnRef": "5",
    }
    hashdata = (
        "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
        "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5"
        "&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl"
        "&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
    )
    assert vnpay.sign_query(params, SECRET) == _hmac(hashdata)
    # The hash itself and vnp_SecureHashType are left out of what is hashed.
    signed = {**params, "vnp_SecureHash": "x", "vnp_SecureHashType": "HmacSHA512"}
    assert vnpay.sign_query(signed, SECRET) == _hmac(hashdata)


def test_querydr_hash_is_the_documented_fields_joined_with_pipes():
    body = {
        "vnp_RequestId": "abc123",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": "DEMOV210",
        "vnp_TxnRef": "5",
        "vnp_OrderInfo": "Truy van GD:5",
        "vnp_TransactionDate": "20210801153333",
        "vnp_CreateDate": "20210801160000",
        "vnp_IpAddr": "127.0.0.1",
    }
    data = "abc123|2.1.0|querydr|DEMOV210|5|20210801153333|20210801160000|127.0.0.1|Truy van GD:5"
    assert vnpay.sign_fields(body, vnpay.QUERYDR_FIELDS, SECRET) == _hmac(data)


def test_refund_hash_is_the_documented_fields_joined_with_pipes():
    body = {
        "vnp_RequestId": "r1",
        "vnp_Version": "2.1.0",
        "vnp_Command": "refund",
        "vnp_TmnCode": "DEMOV210",
        "vnp_TransactionType": "03",
        "vnp_TxnRef": "5",
        "vnp_Amount": "1000000",
        "vnp_TransactionNo": "14226112",
        "vnp_TransactionDate": "20210801153333",
        "vnp_CreateBy": "desk_a",
        "vnp_CreateDate": "20210802090000",
        "vnp_IpAddr": "127.0.0.1",
        "vnp_OrderInfo": "Hoan tien GD:5",
    }
    data = (
        "r1|2.1.0|refund|DEMOV210|03|5|1000000|14226112|20210801153333|desk_a|20210802090000"
        "|127.0.0.1|Hoan tien GD:5"
    )
    assert vnpay.sign_fields(body, vnpay.REFUND_FIELDS, SECRET) == _hmac(data)


def test_timestamps_are_24_hour_vietnam_time():
    # 08:05 UTC is 15:05 in Vietnam: "15", never a 12-hour "03".
    when = dt.datetime(2026, 12, 6, 8, 5, 9, tzinfo=dt.UTC)
    assert vietnam_timestamp(when) == "20261206150509"
    assert vietnam_timestamp(dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)) == "20270101000000"


def _gateway():
    return vnpay.VNPay(tmn_code="DEMOV210", secret=SECRET, pay_url="https://x/pay", api_url="")


def test_payment_url_carries_amount_times_100_and_a_hash_the_documented_formula_accepts():
    payment = SimpleNamespace(
        amount_vnd=70_000, reference="HS1TABC", dossier=SimpleNamespace(code="000.00.01.H26-1")
    )
    now = dt.datetime(2026, 12, 6, 13, 30, tzinfo=dt.UTC)
    params = _gateway().payment_params(
        payment, return_url="http://r/", client_ip="1.2.3.4", now=now
    )
    assert params["vnp_Amount"] == "7000000"
    assert params["vnp_CreateDate"] == "20261206203000"
    assert params["vnp_ExpireDate"] == "20261206204500"
    given = params.pop("vnp_SecureHash")
    hashdata = "&".join(f"{k}={vnpay.php_urlencode(params[k])}" for k in sorted(params))
    assert given == _hmac(hashdata)


def test_a_callback_with_a_bad_hash_or_another_terminal_is_refused():
    gateway = _gateway()
    params = {"vnp_TmnCode": "DEMOV210", "vnp_TxnRef": "5", "vnp_Amount": "100000"}
    good = dict(params, vnp_SecureHash=vnpay.sign_query(params, SECRET))
    assert gateway.verify_callback(good).amount_vnd == 1000
    with pytest.raises(BadSignature):
        gateway.verify_callback(dict(good, vnp_Amount="200000"))
    with pytest.raises(BadSignature):
        gateway.verify_callback(dict(good, vnp_SecureHash=""))
    other = dict(params, vnp_TmnCode="OTHER")
    with pytest.raises(BadSignature):
        gateway.verify_callback(dict(other, vnp_SecureHash=vnpay.sign_query(other, SECRET)))


@pytest.mark.parametrize(
    ("code", "status", "paid"),
    [("00", "00", True), ("00", "01", False), ("24", "02", False), ("07", "00", False)],
)
def test_paid_only_when_both_codes_are_00(code, status, paid):
    params = {
        "vnp_TmnCode": "DEMOV210",
        "vnp_TxnRef": "5",
        "vnp_Amount": "100000",
        "vnp_ResponseCode": code,
        "vnp_TransactionStatus": status,
    }
    params["vnp_SecureHash"] = vnpay.sign_query(params, SECRET)
    assert _gateway().verify_callback(params).success is paid


def test_ipn_answers_have_the_documented_codes():
    assert vnpay.VNPay.ipn_answer("00") == {"RspCode": "00", "Message": "Confirm Success"}
    assert {vnpay.NOT_FOUND, vnpay.ALREADY_CONFIRMED, vnpay.BAD_AMOUNT, vnpay.BAD_CHECKSUM} == {
        "01",
        "02",
        "04",
        "97",
    }
