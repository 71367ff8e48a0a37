"""The statement check: the gateway's CSV parsed by hand-written vectors, the three kinds of
mismatch, bad files refused whole (nothing audited), and the command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone, translation

from egov.core.models import AuditEntry
from egov.payments.models import Method, Payment, PaymentStatus
from egov.payments.services import statement
from egov.payments.services.statement import Kind

from ..accounts.officials_support import make_official
from .support import fees_due_dossier, world_with_fees

DAY = dt.date(2026, 12, 5)
HEADER = "TxnRef,TransactionNo,Amount,BankCode,PayDate,Status"


def test_parse_header_order_bom_crlf_and_separators():
    data = (
        "\ufeffStatus;Amount;PayDate;TxnRef;BankCode;TransactionNo\r\n"
        '00;"1.234.000";20261205101500;A1;NCB;14000001\r\n'
        "\r\n"
        "00;70,000;20261205235959;A2;VCB;14000002;;\r\n"
        "2;5000;;A3;NCB;14000003\r\n"
    ).encode()
    rows, bad = statement.parse(data)
    assert bad == []
    assert [(r.reference, r.amount_vnd, r.status, r.line) for r in rows] == [
        ("A1", 1_234_000, "00", 2),
        ("A2", 70_000, "00", 4),
        ("A3", 5_000, "02", 5),
    ]
    assert rows[0].transaction == "14000001" and rows[1].bank == "VCB"
    assert timezone.localtime(rows[1].paid_at).replace(tzinfo=None) == dt.datetime(
        2026, 12, 5, 23, 59, 59
    )
    assert rows[2].paid_at is None


def test_parse_vietnamese_headers():
    data = (
        "Mã giao dịch merchant,Mã giao dịch VNPay,Số tiền,Ngân hàng,Ngày thanh toán,Trạng thái\n"
        "B1,1,20000,NCB,20261205080000,00\n"
    ).encode()
    rows, bad = statement.parse(data)
    assert [(r.reference, r.amount_vnd) for r in rows] == [("B1", 20_000)] and bad == []


@pytest.mark.parametrize(
    "line",
    [
        "C1,1,12.5,NCB,20261205080000,00",  # not whole đồng
        "C1,1,1.23.000,NCB,20261205080000,00",  # misplaced separators
        "C1,1,-5000,NCB,20261205080000,00",
        "C1,1,5000,NCB,2026-12-05,00",  # not yyyyMMddHHmmss
        "C1,1,5000,NCB,20261305080000,00",  # month 13
        ",1,5000,NCB,20261205080000,00",  # no reference
        "C1,1,5000",  # short row
        "C1,1,1,234.000,NCB,20261205080000,00",  # an unquoted comma: one cell too many
        "C1,1,5000,NCB,20261205080000,00,x",
        '"C1",1,"1,234.000",NCB,20261205080000,00',  # two kinds of separator
        "C1,1,5000,NCB,20261205080000,paid",  # not VNPay's status code
        "C1,1,5000,NCB,20261205080000,",  # no status
    ],
)
def test_unreadable_row_is_reported_with_its_line(line):
    data = f"{HEADER}\nOK1,1,5000,NCB,20261205080000,00\n{line}\n".encode()
    rows, bad = statement.parse(data)
    assert [r.reference for r in rows] == ["OK1"]
    assert [(m.kind, m.line) for m in bad] == [(Kind.UNREADABLE, 3)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7\n\x00\x01\x02binary", "CSV"),
        ("TxnRef,Amount,Status\nA,5000,00\n".encode("utf-16"), "CSV"),
        ("TxnRef,Amount,Status\nĐơn,5000,00\n".encode("cp1258"), "UTF-8"),
        (b"TxnRef,BankCode,Status\nA,NCB,00\n", "Amount".lower()),
        (b"", "empty".lower()),
    ],
)
def test_bad_files_are_refused_whole(data, message):
    with pytest.raises(ValidationError):
        statement.parse(data)


def _paid(w, reference, amount, settled_at, status=PaymentStatus.PAID):
    return Payment.objects.create(
        dossier=fees_due_dossier(w),
        reference=reference,
        method=Method.VNPAY,
        status=status,
        amount_vnd=amount,
        created_at=settled_at,
        payer_name="Nguyễn Văn A",
        gateway_transaction="1",
        settled_at=settled_at if status == PaymentStatus.PAID else None,
    )


def _at(hour):
    return timezone.make_aware(dt.datetime(2026, 12, 5, hour), timezone.get_default_timezone())


@pytest.fixture
def day_of_payments(db):
    w = world_with_fees()
    _paid(w, "OK", 70_000, _at(9))
    _paid(w, "DIFF", 70_000, _at(10))
    _paid(w, "OURS", 70_000, _at(23))
    _paid(w, "PENDING", 70_000, _at(11), status=PaymentStatus.PENDING)
    # Paid the day before: neither ours-only for this day nor a mismatch if listed.
    _paid(w, "YESTERDAY", 70_000, _at(9) - dt.timedelta(days=1))
    return w


STATEMENT = (
    f"{HEADER}\n"
    "OK,1,70000,NCB,20261205090000,00\n"
    "DIFF,2,75000,NCB,20261205100000,00\n"
    "PENDING,3,70000,NCB,20261205110000,00\n"
    "GHOST,4,70000,NCB,20261205120000,00\n"
    "FAILED,5,70000,NCB,20261205130000,02\n"
    "BROKEN,6,seventy,NCB,20261205130000,00\n"
).encode()


def test_the_three_mismatches(day_of_payments):
    before = AuditEntry.objects.count()
    check = statement.check_statement(STATEMENT, day=DAY, filename="saoke.csv")
    got = sorted(
        (m.kind, m.reference, m.gateway_amount_vnd, m.our_amount_vnd) for m in check.mismatches
    )
    assert got == [
        (Kind.AMOUNT, "DIFF", 75_000, 70_000),
        (Kind.GATEWAY_ONLY, "GHOST", 70_000, None),
        (Kind.GATEWAY_ONLY, "PENDING", 70_000, 70_000),
        (Kind.OURS_ONLY, "OURS", None, 70_000),
        (Kind.UNREADABLE, "", None, None),
    ]
    assert check.matched == 1 and check.rows == 5
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "payments.statement_checked"
    assert entry.summary["amount"] == 1 and entry.summary["gateway_only"] == 2


def test_no_mismatch_when_statement_agrees(day_of_payments):
    data = (
        f"{HEADER}\nOK,1,70000,NCB,20261205090000,00\nDIFF,2,70000,NCB,20261205100000,00\n"
        "OURS,3,70000,NCB,20261205230000,05\n"  # refunded since: it was paid
    ).encode()
    check = statement.check_statement(data, day=DAY)
    assert check.mismatches == [] and check.matched == 3
    # YESTERDAY, settled here the day before, is compared when listed, never missing.
    check = statement.check_statement(data + b"YESTERDAY,4,70000,NCB,20261205000100,00\n", day=DAY)
    assert check.mismatches == [] and check.matched == 4


def test_a_reference_paid_twice_at_the_gateway(day_of_payments):
    data = (
        f"{HEADER}\nOK,1,70000,NCB,20261205090000,00\nDIFF,2,70000,NCB,20261205100000,00\n"
        "OURS,3,70000,NCB,20261205230000,00\nOK,9,70000,NCB,20261205091000,00\n"
    ).encode()
    check = statement.check_statement(data, day=DAY)
    assert [(m.kind, m.reference, m.line) for m in check.mismatches] == [
        (Kind.GATEWAY_ONLY, "OK", 5)
    ]
    assert check.matched == 3


def test_bad_file_writes_nothing(day_of_payments):
    before = AuditEntry.objects.count()
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        statement.check_statement(b"TxnRef;Status\nA;00\n", day=DAY)
    assert exc.value.messages == ["Tệp sao kê thiếu cột: số tiền (Amount)."]
    assert AuditEntry.objects.count() == before


def test_command(day_of_payments, tmp_path, capsys):
    path = tmp_path / "saoke.csv"
    path.write_bytes(STATEMENT)
    with pytest.raises(SystemExit) as exit_:
        call_command("payments", "statement", str(path), "--date", "2026-12-05")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "amount line=3 DIFF 75000/70000" in out
    assert out.strip().endswith("ours_only=1 amount=1 unreadable=1")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01")
    with pytest.raises(CommandError):
        call_command("payments", "statement", str(bad), "--date", "2026-12-05")


# The officials' page: upload, see, export; only for those who read payments.


def _upload(client, data, day="2026-12-05", **extra):
    upload = SimpleUploadedFile("saoke.csv", data, content_type="text/csv")
    return client.post(reverse("payments:statement"), {"date": day, "statement": upload, **extra})


def test_page_shows_the_mismatches(client, day_of_payments):
    w = day_of_payments
    client.force_login(w.desk.user)
    page = client.get(reverse("payments:statement")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    workspace = client.get(reverse("workspace")).content.decode()
    assert f'href="{reverse("payments:statement")}"' in workspace  # in the officials' menu
    with translation.override("vi"):
        response = _upload(client, STATEMENT)
    assert response.status_code == 200
    text = response.content.decode()
    for ref in ("DIFF", "GHOST", "PENDING", "OURS"):
        assert f'<span class="egov-code">{ref}</span>' in text
    assert "75.000" in text and 'class="govuk-table mismatches"' in text


def test_page_limits_ours_to_the_officials_agencies(client, day_of_payments):
    # desk_b (Xã B) reads no payment of Xã A: nothing is "paid here" for them.
    client.force_login(day_of_payments.desk_b.user)
    text = _upload(client, STATEMENT).content.decode()
    assert '<span class="egov-code">OURS</span>' not in text
    assert '<span class="egov-code">GHOST</span>' in text


def test_page_refuses_bad_files_in_vietnamese_and_writes_nothing(client, day_of_payments):
    client.force_login(day_of_payments.desk.user)
    before = AuditEntry.objects.count()
    with translation.override("vi"):
        bad = _upload(client, "TxnRef,Amount,Status\nĐơn,5000,00\n".encode("cp1258"))
        no_date = _upload(client, STATEMENT, day="")
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()
    assert "Tệp sao kê không ở mã UTF-8" in bad.content.decode()
    assert "Hãy nhập ngày sao kê." in no_date.content.decode()
    assert no_date.status_code == 400
    assert AuditEntry.objects.count() == before


def test_page_access(client, day_of_payments):
    url = reverse("payments:statement")
    assert client.get(url).status_code == 302  # to the login
    client.force_login(day_of_payments.citizen.user)
    assert client.get(url).status_code == 403
    nobody = make_official("no_roles", day_of_payments.a)
    client.force_login(nobody.user)
    assert client.get(url).status_code == 403
    assert _upload(client, STATEMENT).status_code == 403


def test_xlsx_export_holds_the_rows(client, day_of_payments):
    from openpyxl import load_workbook

    client.force_login(day_of_payments.desk.user)
    response = _upload(client, STATEMENT, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "doi-soat-20261205.xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert sorted(((r[1] or ""), r[3], r[4], r[5]) for r in rows) == [
        ("", None, None, 7),
        ("DIFF", 75_000, 70_000, 3),
        ("GHOST", 70_000, None, 5),
        ("OURS", None, 70_000, None),
        ("PENDING", 70_000, 70_000, 4),
    ]
    assert ws["A1"].value.endswith("05/12/2026")
