"""Forms 01–06 as signed PDFs and the tracking book as .xlsx (egov.dossiers.printed), from plain
data: every form validates with pyHanko's validator (the command line when installed) against the
CA, signed by the organisation's certificate, with the font embedded and the national paper size."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings
from openpyxl import load_workbook
from pyhanko.pdf_utils.reader import PdfFileReader

from egov.core.signing import ensure_ca, verify_pdf
from egov.dossiers.printed import data, layout
from egov.dossiers.printed import pdf as pdf_module
from egov.dossiers.printed.data import (
    Applicant,
    BookRow,
    Component,
    FormData,
    FormError,
    Organisation,
    Step,
    TrackingBook,
)
from egov.dossiers.printed.pdf import render_form
from egov.dossiers.printed.xlsx import tracking_book_xlsx
from tests.core.test_signing import pyhanko_cli, pyhanko_independent_valid

TZ = dt.timezone(dt.timedelta(hours=7))
RECEIVED = dt.datetime(2026, 11, 27, 9, 5, tzinfo=TZ)
DUE = dt.datetime(2026, 12, 2, 16, 30, tzinfo=TZ)
ORG = Organisation(
    code="000.00.07.H26",
    name="Ủy ban nhân dân phường Ba Đình",
    parent_name="Ủy ban nhân dân thành phố Hà Nội",
    place="Hà Nội",
)
DATA = FormData(
    organisation=ORG,
    code="000.00.07.H26-261127-0001",
    procedure_name="Thủ tục đăng ký khai sinh",
    procedure_code="1.001193",
    applicant=Applicant("Nguyễn Thị Ánh Dương", "001234567890", "Số 1 Điện Biên Phủ", "0912345678"),
    received_at=RECEIVED,
    due_at=DUE,
    components=(
        Component("Tờ khai đăng ký khai sinh"),
        Component("Giấy chứng sinh", 1, "bản chính"),
    ),
    history=(
        Step(RECEIVED, "Tiếp nhận", "Trần Văn Bình", "Chuyên viên", "Bộ phận Một cửa", DUE),
        Step(
            RECEIVED + dt.timedelta(hours=2),
            "Chuyển xử lý",
            "Lê Thị Hoa",
            "Công chức tư pháp",
            "Tư pháp - Hộ tịch",
            DUE,
            "on_time",
        ),
    ),
    official="Trần Văn Bình",
    official_title="Người tiếp nhận",
    result_place="Bộ phận Một cửa phường Ba Đình",
)
BOOK = TrackingBook(
    organisation=ORG,
    date_from=dt.date(2026, 11, 1),
    date_to=dt.date(2026, 11, 30),
    rows=(
        BookRow(
            DATA.code,
            DATA.procedure_name,
            DATA.applicant.name,
            "Số 1 Điện Biên Phủ, 0912345678",
            ORG.name,
            RECEIVED,
            DUE,
            DUE - dt.timedelta(days=1),
            "Đã trả kết quả",
        ),
        BookRow(
            "000.00.07.H26-261128-0002",
            "Cấp bản sao trích lục hộ tịch",
            "Phạm Minh Tuấn",
            "0987654321",
            ORG.name,
            RECEIVED + dt.timedelta(days=1),
            DUE,
        ),
    ),
)
CONTEXT = {
    "01": {"lookup_url": "https://dichvucong.example.vn/tra-cuu/?code=000.00.07.H26-261127-0001"},
    "02": {"missing": ["Bản sao giấy chứng nhận kết hôn", "Giấy ủy quyền"], "note": "Thiếu"},
    "03": {"reason": "Thủ tục không thuộc thẩm quyền giải quyết của cơ quan"},
    "04": {"reason": "Cần xác minh thêm", "new_due_at": DUE + dt.timedelta(days=3)},
    "05": {},
}
A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)
A4 = (595.28, 841.89)


@pytest.fixture(scope="module")
def module_pki(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("forms") / "pki"
    with override_settings(EGOV_PKI_DIR=directory, EGOV_PKI_AUTO_CREATE=True):
        ensure_ca()
    return directory


@pytest.fixture(scope="module")
def signed_forms(module_pki) -> dict[str, bytes]:
    """Every form once, signed (made once per module: signing and validating cost time)."""
    with override_settings(EGOV_PKI_DIR=module_pki, EGOV_PKI_AUTO_CREATE=True):
        forms = {kind: render_form(kind, DATA, **ctx) for kind, ctx in CONTEXT.items()}
        forms["06"] = render_form("06", BOOK)
    return forms


def _page_size(pdf: bytes) -> tuple[float, float]:
    page = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0]
    box = [float(v) for v in page["/MediaBox"]]
    return round(box[2] - box[0], 2), round(box[3] - box[1], 2)


@pytest.mark.slow  # pyHanko's own validator in subprocesses
def test_every_form_validates_with_pyhanko_against_the_ca(signed_forms, module_pki, tmp_path):
    """pyHanko's command-line validator (pyhanko-cli, the dev extra), the six forms at once;
    without it, pyHanko's API with a trust root loaded by pyHanko itself."""
    ca = module_pki / "ca.pem"
    cli = pyhanko_cli()
    if cli is None:
        for kind, pdf in signed_forms.items():
            ok, output = pyhanko_independent_valid(pdf, ca, tmp_path)
            assert ok, f"form {kind}: {output}"
        return
    runs = {}
    for kind, pdf in signed_forms.items():
        path = tmp_path / f"form-{kind}.pdf"
        path.write_bytes(pdf)
        command = [cli, "sign", "validate", "--trust", str(ca), "--trust-replace"]
        command += ["--no-revocation-check", str(path)]
        runs[kind] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for kind, run in runs.items():
        output = run.communicate(timeout=120)[0].decode()
        assert run.returncode == 0, f"form {kind}: {output}"
        # e.g. "Signature1:<sha256>:INTACT:TRUSTED,UNTOUCHED"
        assert ":INTACT:TRUSTED,UNTOUCHED" in output, f"form {kind}: {output}"
    assert sorted(runs) == ["01", "02", "03", "04", "05", "06"]


def test_forms_are_signed_by_the_organisation_and_fail_when_altered(
    signed_forms, module_pki, settings
):
    settings.EGOV_PKI_DIR = module_pki
    for kind, pdf in signed_forms.items():
        result = verify_pdf(pdf)
        assert result.valid and result.trusted, (kind, result)
        assert result.signer_code == ORG.code
        assert len(result.signatures) == 1 and result.signatures[0].covers_whole_file
    pdf = bytearray(signed_forms["01"])
    at = pdf.index(b"/MediaBox")
    pdf[at + 1 : at + 9] = b"Mediabox"
    assert not verify_pdf(bytes(pdf)).valid


def test_paper_sizes_font_and_vietnamese_metadata(signed_forms):
    for kind in ("01", "02", "03", "04"):
        assert _page_size(signed_forms[kind]) == A5, kind
    assert _page_size(signed_forms["05"]) == A4
    assert _page_size(signed_forms["06"]) == A4_LANDSCAPE
    for kind, pdf in signed_forms.items():
        assert b"DejaVuSans" in pdf, kind  # the TrueType subset is embedded, not a base-14 font
        meta = PdfFileReader(io.BytesIO(pdf)).document_meta_view
        assert meta.title == f"Mẫu số {kind}: {data.KINDS[kind].capitalize()}"
        assert meta.author == ORG.name
    assert data.KINDS["01"] == "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"


def test_form_01_carries_a_qr_code_of_the_lookup_url(monkeypatch):
    seen = []
    real = layout.qr_code

    def spy(value, size):
        seen.append(value)
        return real(value, size)

    monkeypatch.setattr(pdf_module, "qr_code", spy)
    render_form("01", DATA, sign=False, **CONTEXT["01"])
    assert seen == [CONTEXT["01"]["lookup_url"]]


@pytest.mark.parametrize(
    ("kind", "ctx", "message"),
    [
        ("01", {}, "lookup_url"),
        ("02", {"missing": []}, "missing"),
        ("03", {}, "reason"),
        ("04", {"reason": "x"}, "new_due_at"),
        ("07", {}, "Unknown form"),
        ("06", {}, "TrackingBook"),
    ],
)
def test_missing_context_is_a_clear_error(kind, ctx, message):
    with pytest.raises(FormError, match=message):
        render_form(kind, DATA, sign=False, **ctx)


def test_form_01_05_refuse_a_tracking_book():
    with pytest.raises(FormError, match="TrackingBook"):
        render_form("05", BOOK, sign=False)


def test_missing_font_names_the_file(settings, tmp_path):
    settings.EGOV_PDF_FONT_DIR = tmp_path
    layout.register_fonts.cache_clear()
    try:
        with pytest.raises(FormError, match="fonts-dejavu-core"):
            render_form("05", DATA, sign=False)
    finally:
        layout.register_fonts.cache_clear()


def test_dates_in_vietnamese_local_time():
    utc = dt.datetime(2026, 11, 27, 2, 5, tzinfo=dt.UTC)
    assert data.fmt_datetime(utc) == "09 giờ 05 phút, ngày 27/11/2026"
    assert data.fmt_place_date("Hà Nội", utc) == "Hà Nội, ngày 27 tháng 11 năm 2026"
    assert data.fmt_short(None) == ""


def test_tracking_book_xlsx():
    wb = load_workbook(io.BytesIO(tracking_book_xlsx(BOOK)))
    ws = wb.active
    assert ws["A1"].value == ORG.name
    assert ws["A3"].value == "Từ ngày 01/11/2026 đến ngày 30/11/2026"
    header = [c.value for c in ws[5]]
    assert header == list(data.BOOK_COLUMNS)
    first = [c.value for c in ws[6]]
    assert first[:3] == [1, DATA.code, DATA.procedure_name]
    # Dates are real dates (local time, naive as Excel wants), not text.
    assert first[7] == dt.datetime(2026, 11, 27, 9, 5)
    assert first[9] == dt.datetime(2026, 12, 1, 16, 30)
    assert first[10] == "Đã trả kết quả"
    second = [c.value for c in ws[7]]
    assert second[1] == "000.00.07.H26-261128-0002" and second[9] is None
    assert ws.max_row == 7
    assert ws.freeze_panes == "A6"


def test_empty_tracking_book_still_renders(module_pki, settings):
    settings.EGOV_PKI_DIR = module_pki
    book = TrackingBook(ORG, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert verify_pdf(render_form("06", book)).valid
    ws = load_workbook(io.BytesIO(tracking_book_xlsx(book))).active
    assert ws.max_row == 5


def test_form_06s_headers_keep_their_words_whole(signed_forms, tmp_path):
    """Issue 13: narrow columns broke "STT" into "ST T" and "Số lượng" into "Số l ượn g"."""
    import subprocess

    from egov.dossiers.printed.layout import fit_words, make_styles

    path = tmp_path / "06.pdf"
    path.write_bytes(signed_forms["06"])
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = set(text.split())
    assert {"STT", "lượng", "chức", "thoại", "quyết"} <= words, text[:1500]
    # Every header word fits its column (whatever the shares asked for), the total width kept.
    style = make_styles(10)["head"]
    widths = fit_words(["STT", "Số lượng hồ sơ"], [10.0, 200.0], style)
    assert widths[0] > 10 and abs(sum(widths) - 210) < 1e-6
