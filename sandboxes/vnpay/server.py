#!/usr/bin/env python3
"""A development VNPay 2.1.0 gateway, for egov's tests and `egov serve` (loopback only).

A separate program with its own implementation of the protocol (Python standard library only; it
imports nothing from egov), so that the platform's adapter and this gateway check each other.
Written from VNPay's sandbox documentation (pay, IPN, querydr, refund pages):

- GET  /paymentv2/vpcpay.html?vnp_...   checks the merchant's signature, shows a payment page
- POST /paymentv2/decide                pay | cancel | fail | later (leave it pending)
  pay, cancel and fail send the signed IPN (GET, server to server) to VNPAY_IPN_URL, then send
  the browser to vnp_ReturnUrl with the same signed parameters; later leaves the order pending
- POST /merchant_webapi/api/transaction JSON: vnp_Command querydr or refund, pipe-joined HMACs
- GET  /sandbox/orders/<ref>            the order as JSON (for tests), /sandbox/ipn-log the IPNs
- GET  /sandbox/statement?date=yyyyMMdd the day's statement (sao kê) as CSV, UTF-8 with a BOM and
  CRLF as a spreadsheet saves it, one row per transaction settled that day (Vietnam time):
      TxnRef,TransactionNo,Amount,BankCode,PayDate,Status
  Amount in VND (not x100) with "." thousands separators as VNPay's merchant portal exports it,
  PayDate yyyyMMddHHmmss, Status VNPay's vnp_TransactionStatus (00 paid, 02 failed or
  cancelled, 05 refunded in full).

Environment: VNPAY_HOST, VNPAY_PORT, VNPAY_TMN_CODE, VNPAY_HASH_SECRET, VNPAY_IPN_URL.
"""

import contextlib
import csv
import hashlib
import hmac
import html
import io
import json
import os
import random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TMN = os.environ.get("VNPAY_TMN_CODE", "EGOVDEV1")
SECRET = os.environ.get("VNPAY_HASH_SECRET", "")
IPN_URL = os.environ.get("VNPAY_IPN_URL", "")
ICT = timezone(timedelta(hours=7))  # Vietnam, no daylight saving

ORDERS = {}  # vnp_TxnRef -> dict
IPN_LOG = []
LOCK = threading.Lock()


def now_ict():
    return datetime.now(ICT).strftime("%Y%m%d%H%M%S")


def _enc(text):
    # PHP urlencode, as in VNPay's samples: RFC 1738 with "+" for space; only A-Z a-z 0-9 - _ .
    out = []
    for byte in str(text).encode("utf-8"):
        ch = chr(byte)
        if ch.isascii() and (ch.isalnum() or ch in "-_."):
            out.append(ch)
        elif ch == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def secure_hash(params):
    keys = sorted(
        k
        for k in params
        if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType")
    )
    data = "&".join(_enc(k) + "=" + _enc(params[k]) for k in keys)
    return hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()


def pipe_hash(values, names):
    data = "|".join(str(values.get(n, "")) for n in names)
    return hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()


def signed(params):
    params = dict(params)
    params["vnp_SecureHash"] = secure_hash(params)
    return params


def result_params(order, code, status):
    return signed(
        {
            "vnp_TmnCode": TMN,
            "vnp_Amount": order["vnp_Amount"],
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": "VNP" + order["transaction_no"],
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": order["vnp_OrderInfo"],
            "vnp_PayDate": now_ict(),
            "vnp_ResponseCode": code,
            "vnp_TransactionNo": order["transaction_no"],
            "vnp_TransactionStatus": status,
            "vnp_TxnRef": order["vnp_TxnRef"],
        }
    )


def send_ipn(params):
    """The server-to-server confirmation: GET IPN_URL?params, read {"RspCode","Message"}."""
    if not IPN_URL:
        return None
    url = IPN_URL + ("&" if "?" in IPN_URL else "?") + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own http URL
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        answer = {"error": str(exc)}
    with LOCK:
        IPN_LOG.append({"ref": params["vnp_TxnRef"], "answer": answer})
    return answer


PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>VNPay sandbox</title></head><body>
<h1>Cổng thanh toán VNPay (thử nghiệm)</h1>
<p>Đơn hàng <strong>{ref}</strong>: {amount} VND</p><p>{info}</p>{note}
<form method="post" action="/paymentv2/decide">
<input type="hidden" name="ref" value="{ref}">
<button name="choice" value="pay">Thanh toán</button>
<button name="choice" value="fail">Giao dịch thất bại</button>
<button name="choice" value="cancel">Hủy giao dịch</button>
<button name="choice" value="later">Thanh toán sau</button>
</form></body></html>"""


STATEMENT_STATUS = {"paid": "00", "failed": "02", "cancelled": "02", "refunded": "05"}


def statement_csv(day):
    """The transactions settled on ``day`` (yyyyMMdd), oldest first, as the merchant portal's
    CSV export: a BOM, CRLF line ends, amounts with "." between thousands."""
    with LOCK:
        orders = [
            o
            for o in ORDERS.values()
            if o["state"] in STATEMENT_STATUS and o.get("pay_date", "").startswith(day)
        ]
        orders.sort(key=lambda o: (o["pay_date"], o["vnp_TxnRef"]))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["TxnRef", "TransactionNo", "Amount", "BankCode", "PayDate", "Status"])
        for o in orders:
            amount = f"{int(o['vnp_Amount']) // 100:,}".replace(",", ".")
            writer.writerow(
                [
                    o["vnp_TxnRef"],
                    o["transaction_no"],
                    amount,
                    "NCB",
                    o["pay_date"],
                    STATEMENT_STATUS[o["state"]],
                ]
            )
    return "\ufeff" + out.getvalue()


class Handler(BaseHTTPRequestHandler):
    server_version = "vnpay-sandbox/1"

    def log_message(self, fmt, *args):  # quiet: the platform's log is the one that matters
        pass

    def _send(self, status, body, ctype="text/html; charset=utf-8", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj), "application/json")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/paymentv2/vpcpay.html":
            return self.pay_page(dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True)))
        if url.path.startswith("/sandbox/orders/"):
            ref = urllib.parse.unquote(url.path.rsplit("/", 1)[1])
            with LOCK:
                order = ORDERS.get(ref)
            return self._json(200 if order else 404, order or {"error": "not found"})
        if url.path == "/sandbox/ipn-log":
            with LOCK:
                return self._json(200, list(IPN_LOG))
        if url.path == "/sandbox/statement":
            query = dict(urllib.parse.parse_qsl(url.query))
            day = query.get("date", datetime.now(ICT).strftime("%Y%m%d")).replace("-", "")
            if len(day) != 8 or not day.isdigit():
                return self._send(400, "date=yyyyMMdd", "text/plain")
            return self._send(
                200,
                statement_csv(day),
                "text/csv; charset=utf-8",
                headers=[("Content-Disposition", f'attachment; filename="saoke-{day}.csv"')],
            )
        if url.path == "/healthz":
            return self._json(200, {"ok": True})
        return self._send(404, "not found", "text/plain")

    def pay_page(self, params):
        problems = []
        if params.get("vnp_TmnCode") != TMN:
            problems.append("Sai mã website (vnp_TmnCode)")
        given = params.get("vnp_SecureHash", "")
        if not hmac.compare_digest(secure_hash(params).encode(), given.lower().encode()):
            problems.append("Sai chữ ký (vnp_SecureHash)")
        if params.get("vnp_Version") != "2.1.0" or params.get("vnp_Command") != "pay":
            problems.append("Sai phiên bản hoặc lệnh")
        amount = params.get("vnp_Amount", "")
        if not amount.isdigit() or int(amount) % 100 or int(amount) < 500000:
            # VNPay's smallest payment is 5,000 VND; vnp_Amount is VND x 100.
            problems.append("Số tiền không hợp lệ")
        for name in ("vnp_CreateDate", "vnp_ExpireDate"):
            try:
                datetime.strptime(params.get(name, ""), "%Y%m%d%H%M%S")
            except ValueError:
                problems.append(f"Sai định dạng {name}")
        if problems:
            return self._send(
                400,
                "<h1>Lỗi</h1><ul>"
                + "".join(f"<li>{html.escape(p)}</li>" for p in problems)
                + "</ul>",
            )
        ref = params["vnp_TxnRef"]
        with LOCK:
            order = ORDERS.get(ref)
            if order is None:
                order = dict(params)
                order.update(
                    state="pending",
                    transaction_no=str(random.randint(10**7, 10**8 - 1)),  # noqa: S311
                    refunded=0,
                    created=time.time(),
                )
                ORDERS[ref] = order
            elif order["state"] != "pending":
                return self._send(400, "<h1>Lỗi</h1><p>Giao dịch đã được xử lý</p>")
        return self._send(
            200,
            PAGE.format(
                ref=html.escape(ref),
                amount=f"{int(amount) // 100:,}".replace(",", "."),
                info=html.escape(params.get("vnp_OrderInfo", "")),
                note="",
            ),
        )

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if url.path == "/paymentv2/decide":
            return self.decide(dict(urllib.parse.parse_qsl(body.decode())))
        if url.path == "/merchant_webapi/api/transaction":
            try:
                request = json.loads(body)
            except ValueError:
                return self._json(400, {"vnp_ResponseCode": "03", "vnp_Message": "Invalid data"})
            return self.api(request)
        return self._send(404, "not found", "text/plain")

    def decide(self, form):
        ref, choice = form.get("ref", ""), form.get("choice", "")
        with LOCK:
            order = ORDERS.get(ref)
            if (
                order is None
                or order["state"] != "pending"
                or choice not in ("pay", "fail", "cancel", "later")
            ):
                return self._send(400, "<h1>Lỗi</h1><p>Không tìm thấy giao dịch chờ</p>")
            if choice == "later":
                note = "<p>Giao dịch đang chờ thanh toán.</p>"
                return self._send(
                    200,
                    PAGE.format(
                        ref=html.escape(ref),
                        amount=int(order["vnp_Amount"]) // 100,
                        info=html.escape(order["vnp_OrderInfo"]),
                        note=note,
                    ),
                )
            # 00 success; 24 the customer cancelled; 51 not enough money (VNPay's code table).
            code, status = {"pay": ("00", "00"), "cancel": ("24", "02"), "fail": ("51", "02")}[
                choice
            ]
            order["state"] = {"pay": "paid", "cancel": "cancelled", "fail": "failed"}[choice]
            order["pay_date"] = now_ict()
            params = result_params(order, code, status)
        send_ipn(params)
        target = order["vnp_ReturnUrl"] + "?" + urllib.parse.urlencode(params)
        return self._send(302, "", headers=[("Location", target)])

    def api(self, req):
        command = req.get("vnp_Command")
        response_id = f"{random.getrandbits(64):016x}"  # noqa: S311
        if command == "querydr":
            names = (
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
        elif command == "refund":
            names = (
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
        else:
            return self._json(200, {"vnp_ResponseCode": "99", "vnp_Message": "Unknown command"})
        answer = {
            "vnp_ResponseId": response_id,
            "vnp_Command": command,
            "vnp_TmnCode": TMN,
            "vnp_TxnRef": req.get("vnp_TxnRef", ""),
            "vnp_OrderInfo": req.get("vnp_OrderInfo", ""),
        }
        given = str(req.get("vnp_SecureHash", "")).lower()
        if not hmac.compare_digest(pipe_hash(req, names).encode(), given.encode()):
            answer.update(vnp_ResponseCode="97", vnp_Message="Invalid Checksum")
        elif req.get("vnp_TmnCode") != TMN:
            answer.update(vnp_ResponseCode="02", vnp_Message="Invalid TmnCode")
        else:
            with LOCK:
                order = ORDERS.get(req.get("vnp_TxnRef", ""))
                self._answer(command, req, order, answer)
        tail = 13 if command == "refund" else 15
        fields = (
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
        )[:tail]
        answer["vnp_SecureHash"] = pipe_hash(answer, fields)
        return self._json(200, answer)

    @staticmethod
    def _answer(command, req, order, answer):
        if order is None:
            answer.update(vnp_ResponseCode="91", vnp_Message="Transaction not found")
            return
        state_code = {
            "paid": "00",
            "pending": "01",
            "failed": "02",
            "cancelled": "02",
            "refunded": "05",
        }[order["state"]]
        answer.update(
            vnp_Amount=order["vnp_Amount"],
            vnp_BankCode="NCB",
            vnp_PayDate=order.get("pay_date", ""),
            vnp_TransactionNo=order["transaction_no"],
            vnp_TransactionType="01",
            vnp_TransactionStatus=state_code,
        )
        if command == "querydr":
            answer.update(
                vnp_ResponseCode="00",
                vnp_Message="QueryDR Success",
                vnp_PromotionCode="",
                vnp_PromotionAmount="",
            )
            return
        amount = str(req.get("vnp_Amount", ""))
        if order["state"] != "paid":
            answer.update(vnp_ResponseCode="94", vnp_Message="Transaction cannot be refunded")
        elif not amount.isdigit() or int(amount) + order["refunded"] > int(order["vnp_Amount"]):
            answer.update(vnp_ResponseCode="03", vnp_Message="Refund amount exceeds paid amount")
        else:
            order["refunded"] += int(amount)
            if order["refunded"] == int(order["vnp_Amount"]):
                order["state"] = "refunded"
            answer.update(
                vnp_ResponseCode="00",
                vnp_Message="Refund success",
                vnp_Amount=amount,
                vnp_TransactionType=req.get("vnp_TransactionType"),
            )


def main():
    host = os.environ.get("VNPAY_HOST", "127.0.0.1")
    port = int(os.environ.get("VNPAY_PORT", "8020"))
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"VNPay sandbox on http://{host}:{server.server_port}/", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
