#!/usr/bin/env python3
"""A development national payment platform (Cổng DVC quốc gia, PaymentPlatform 1.0.6), for egov's
tests and `egov serve` (loopback only).

A separate program with its own implementation of the protocol (Python standard library only; it
imports nothing from egov), so that the platform's adapter and this sandbox check each other.
MaXacThuc = lowercase hex SHA-256 of the message's fields joined with "|", then "|" and the secret.

- POST /init      INIT (bearer token, MaXacThuc): {"error_code": "0", "message": "{UrlThanhToan}"}
- GET  /pay/<ref> the payment page; POST /pay/<ref> choice=pay|fail|cancel|later: pay, fail and
  cancel POST the signed callback (JSON) to DVCQG_CALLBACK_URL, then send the browser back to
  DVCQG_RETURN_URL with the same fields; later leaves the transaction pending (TrangThaiGD 3)
- POST /query     QUERY: the transaction with TrangThaiGD 1 paid, 3 pending, 4 failed
- POST /getbill   GET_BILL: the platform's receipt (a PDF) of a paid transaction
- GET  /sandbox/callbacks   the callbacks sent and the answers received (for tests)

Environment: DVCQG_HOST, DVCQG_PORT, DVCQG_PARTNER, DVCQG_SECRET, DVCQG_TOKEN, DVCQG_CALLBACK_URL,
DVCQG_RETURN_URL.
"""

# ruff: noqa: S310, S311 - loopback URLs; random transaction numbers of a sandbox
import contextlib
import hashlib
import html
import json
import os
import random
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PARTNER = os.environ.get("DVCQG_PARTNER", "EGOVDEV")
SECRET = os.environ.get("DVCQG_SECRET", "")
TOKEN = os.environ.get("DVCQG_TOKEN", "")
CALLBACK_URL = os.environ.get("DVCQG_CALLBACK_URL", "")
RETURN_URL = os.environ.get("DVCQG_RETURN_URL", "")
ICT = timezone(timedelta(hours=7))
INIT = (
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
CALLBACK = (
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
LOOKUP = ("LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD")

TRANSACTIONS = {}
CALLBACKS = []
LOCK = threading.Lock()


def mxt(message, names):
    text = "|".join("" if message.get(n) is None else str(message.get(n)) for n in names)
    return hashlib.sha256((text + "|" + SECRET).encode("utf-8")).hexdigest()


def result(tx, ma_loi):
    out = {
        "LoaiBanTin": "CONFIRM",
        "MaLoi": ma_loi,
        "MaDoiTac": PARTNER,
        "MaThamChieu": tx["MaThamChieu"],
        "SoTien": tx["SoTien"],
        "MaTienTe": "VND",
        "MaGiaoDich": tx["MaGiaoDich"],
        "MaNganHang": "VCB",
        "ThoiGianGD": datetime.now(ICT).strftime("%Y%m%d%H%M%S"),
        "ThongTinGiaoDich": tx["ThongTinGiaoDich"],
    }
    out["MaXacThuc"] = mxt(out, CALLBACK)
    return out


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]"
    b"/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 420 595]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class Handler(BaseHTTPRequestHandler):
    server_version = "dvcqg-sandbox/1"

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, body, ctype="application/json", headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, obj, status=200):
        self._send(status, json.dumps(obj, ensure_ascii=False))

    def _body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/healthz":
            return self._json({"ok": True})
        if path == "/sandbox/callbacks":
            with LOCK:
                return self._json(list(CALLBACKS))
        if path.startswith("/pay/"):
            ref = urllib.parse.unquote(path[5:])
            with LOCK:
                tx = TRANSACTIONS.get(ref)
            if tx is None:
                return self._send(
                    404, "<h1>Không tìm thấy giao dịch</h1>", "text/html; charset=utf-8"
                )
            return self._send(200, self.page(tx), "text/html; charset=utf-8")
        return self._send(404, "{}")

    @staticmethod
    def page(tx, note=""):
        ref = html.escape(tx["MaThamChieu"])
        items = "".join(
            f"<li>{html.escape(p.get('TenPhiLePhi', ''))}: {html.escape(p.get('SoTien', ''))}"
            f" ({html.escape(p.get('LoaiPhiLePhi', ''))})</li>"
            for p in tx["PhiLePhi"]
        )
        return (
            f"<!doctype html><html lang=vi><meta charset=utf-8><title>PaymentPlatform</title>"
            f"<h1>Nền tảng thanh toán (thử nghiệm)</h1><p>Hồ sơ {html.escape(tx['MaHoSo'])}: "
            f"{html.escape(tx['SoTien'])} VND</p><ul>{items}</ul>{note}"
            f"<form method=post action='/pay/{ref}'>"
            "<button name=choice value=pay>Thanh toán</button>"
            "<button name=choice value=fail>Thất bại</button>"
            "<button name=choice value=cancel>Hủy</button>"
            "<button name=choice value=later>Thanh toán sau</button></form>"
        )

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        body = self._body()
        if path.startswith("/pay/"):
            return self.decide(
                urllib.parse.unquote(path[5:]), dict(urllib.parse.parse_qsl(body.decode()))
            )
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._json({"error_code": "401", "message": "Unauthorized"}, 401)
        try:
            message = json.loads(body)
        except ValueError:
            return self._json({"error_code": "400", "message": "Bad JSON"}, 400)
        if path == "/init":
            return self.init(message)
        if path in ("/query", "/getbill"):
            return self.lookup(message, path)
        return self._json({"error_code": "404", "message": "Not found"}, 404)

    def init(self, m):
        if m.get("LoaiBanTin") != "INIT" or m.get("MaDoiTac") != PARTNER:
            return self._json({"error_code": "2", "message": "Sai loại bản tin hoặc mã đối tác"})
        if str(m.get("MaXacThuc", "")) != mxt(m, INIT):
            return self._json({"error_code": "3", "message": "Sai mã xác thực"})
        try:
            datetime.strptime(m.get("ThoiGianGD", ""), "%Y%m%d%H%M%S")
        except ValueError:
            return self._json({"error_code": "4", "message": "Sai ThoiGianGD"})
        info = m.get("ThongTinBienLai") or {}
        fees = info.get("PhiLePhi") or []
        amount = str(m.get("SoTien", ""))
        if not amount.isdigit() or sum(int(p.get("SoTien", 0)) for p in fees) != int(amount):
            return self._json({"error_code": "5", "message": "Tổng PhiLePhi khác SoTien"})
        ref = str(m.get("MaThamChieu", ""))
        with LOCK:
            if ref in TRANSACTIONS:
                return self._json({"error_code": "6", "message": "Trùng MaThamChieu"})
            TRANSACTIONS[ref] = {
                "MaThamChieu": ref,
                "SoTien": amount,
                "MaHoSo": info.get("MaHoSo", ""),
                "ThongTinGiaoDich": m.get("ThongTinGiaoDich", ""),
                "PhiLePhi": fees,
                "ThoiGianGD": m["ThoiGianGD"],
                "state": "3",
                "MaGiaoDich": str(random.randint(10**9, 10**10 - 1)),
            }  # noqa: S311
        host = self.headers.get("Host", "127.0.0.1")
        url = f"http://{host}/pay/{urllib.parse.quote(ref)}"
        return self._json({"error_code": "0", "message": json.dumps({"UrlThanhToan": url})})

    def decide(self, ref, form):
        choice = form.get("choice")
        with LOCK:
            tx = TRANSACTIONS.get(ref)
            if tx is None or tx["state"] != "3" or choice not in ("pay", "fail", "cancel", "later"):
                return self._send(400, "<h1>Lỗi</h1>", "text/html; charset=utf-8")
            if choice == "later":
                return self._send(
                    200, self.page(tx, "<p>Giao dịch đang chờ.</p>"), "text/html; charset=utf-8"
                )
            tx["state"] = "1" if choice == "pay" else "4"
            message = result(
                tx, "00" if choice == "pay" else ("24" if choice == "cancel" else "01")
            )
        answer = self.callback(message)
        with LOCK:
            CALLBACKS.append({"ref": ref, "answer": answer})
        target = RETURN_URL + "?" + urllib.parse.urlencode(message)
        return self._send(302, "", "text/plain", headers=[("Location", target)])

    @staticmethod
    def callback(message):
        if not CALLBACK_URL:
            return None
        request = urllib.request.Request(
            CALLBACK_URL,
            data=json.dumps(message).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                answer = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return {"error": str(exc)}
        names = ("MaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
        answer["_verified"] = answer.get("MaXacThuc") == mxt(answer, names)
        return answer

    def lookup(self, m, path):
        kind = "QUERY" if path == "/query" else "GET_BILL"
        if m.get("LoaiBanTin") != kind or str(m.get("MaXacThuc", "")) != mxt(m, LOOKUP):
            return self._json({"MaLoi": "03", "MoTaLoi": "Sai mã xác thực"})
        with LOCK:
            tx = TRANSACTIONS.get(str(m.get("MaThamChieu", "")))
            tx = dict(tx) if tx else None
        if tx is None:
            return self._json({"MaLoi": "01", "MoTaLoi": "Không tìm thấy giao dịch"})
        if kind == "GET_BILL":
            if tx["state"] != "1":
                return self._json({"MaLoi": "02", "MoTaLoi": "Giao dịch chưa thành công"})
            return self._send(200, PDF, "application/pdf")
        answer = result(tx, "00")
        answer["LoaiBanTin"] = "QUERY"
        answer["MaXacThuc"] = mxt(answer, CALLBACK)
        answer["TrangThaiGD"] = tx["state"]
        return self._json(answer)


def main():
    host = os.environ.get("DVCQG_HOST", "127.0.0.1")
    port = int(os.environ.get("DVCQG_PORT", "8021"))
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"Payment platform sandbox on http://{host}:{server.server_port}/", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
