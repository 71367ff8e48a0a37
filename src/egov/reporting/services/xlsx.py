"""The .xlsx template of a report: downloaded per regime, organisation and period, filled in
Excel, uploaded and checked cell by cell.

The template is drawn from the same form as the web page (services.forms): one row per value,
with the unit and the previous period's value, and the value to fill in column G. Column A
(hidden) names each row's indicator and disaggregation, and a hidden sheet names the regime,
the organisation and the period, so an upload is matched by names, not by positions, and a
template of another organisation or period is refused.

An upload is checked by its content, not its name: a ZIP holding a spreadsheet's parts, within
size limits before anything is unpacked, that openpyxl can read. Then every value goes through
services.submissions (the API's checks); each problem is reported against its cell
("'Báo cáo'!G7: ..."), a rule's against its indicator's first cell, and nothing is written
unless all of it is valid.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..models import ValueType
from . import forms, submissions

SHEET = "Báo cáo"
META = "egov"
HEADER_ROW = 6
FIRST_ROW = HEADER_ROW + 1
KEY_COL, VALUE_COL = "A", "G"
MAX_UPLOAD = 5 * 1024 * 1024
# A ZIP bomb stops here: the parts' declared sizes are added up before openpyxl opens them.
MAX_UNPACKED = 50 * 1024 * 1024
MAX_ROWS = 20000


class CellErrors(ValidationError):
    """The upload's problems, each as "sheet!cell: message" (``cells`` keeps the pairs)."""

    def __init__(self, cells: list[tuple[str, str]], warnings: list[dict] | None = None):
        super().__init__([f"{ref}: {message}" if ref else message for ref, message in cells])
        self.cells = cells
        self.warnings = warnings or []


def ref(cell: str) -> str:
    return f"'{SHEET}'!{cell}"


def period_label(regime, year: int, number: int) -> str:
    names = {
        "month": _("Month %(n)s/%(y)s"),
        "quarter": _("Quarter %(n)s/%(y)s"),
        "half": _("Half %(n)s/%(y)s"),
        "year": _("Year %(y)s"),
    }
    label = names.get(regime.periodicity, _("Year %(y)s"))
    return label % {"n": number, "y": year}


def template(form: forms.Form) -> bytes:
    """The template of ``form`` (its saved values filled in, if any) as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["B1"] = form.regime.name
    ws["B1"].font = Font(bold=True, size=13)
    ws["B2"] = form.organisation.name
    ws["B3"] = _("Reporting period: %(period)s") % {
        "period": period_label(form.regime, form.year, form.number)
    }
    ws["B4"] = _("Fill in column G only; leave a cell empty when there is no value.")
    headers = [
        "",
        _("No."),
        pgettext("report", "Indicator"),
        _("Breakdown"),
        pgettext("report", "Unit"),
    ]
    headers += [_("Previous period"), _("Value")]
    for col, title in enumerate(headers, 1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    whole = DataValidation(type="whole", allow_blank=True, showErrorMessage=True)
    number = DataValidation(type="decimal", allow_blank=True, showErrorMessage=True)
    for dv in (whole, number):
        dv.error = _("Enter a number.")
        ws.add_data_validation(dv)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for index, line in enumerate(form.lines):
        row = FIRST_ROW + index
        ws.cell(row=row, column=1, value=line.name)
        ws.cell(row=row, column=2, value=index + 1)
        ws.cell(row=row, column=3, value=line.indicator.name)
        ws.cell(row=row, column=4, value=line.part)
        ws.cell(row=row, column=5, value=line.indicator.unit)
        ws.cell(row=row, column=6, value=line.previous)
        value = ws.cell(row=row, column=7, value=_number(line.value))
        value.fill = fill
        value.protection = Protection(locked=False)
        is_whole = line.indicator.value_type == ValueType.INTEGER
        (whole if is_whole else number).add(value.coordinate)
    for col, width in zip("ABCDEFG", (4, 6, 60, 22, 18, 16, 18), strict=True):
        ws.column_dimensions[col].width = width
    ws.column_dimensions["A"].hidden = True
    ws.freeze_panes = f"B{FIRST_ROW}"
    meta = wb.create_sheet(META)
    for row in (
        ("regime", form.regime.code),
        ("organisation", form.organisation.code),
        ("year", form.year),
        ("number", form.number),
    ):
        meta.append(row)
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _number(text: str):
    if not text:
        return None
    try:
        from decimal import Decimal

        value = Decimal(text)
    except ArithmeticError:
        return text
    return int(value) if value == value.to_integral_value() else float(value)


def _refuse_content() -> ValidationError:
    return ValidationError(
        _("The file is not an Excel workbook (.xlsx): download the template and fill it in.")
    )


def open_workbook(content: bytes):
    """The workbook in ``content``, read-only; ValidationError (Vietnamese) for anything else."""
    if not content:
        raise ValidationError(_("Choose the filled-in template (.xlsx)."))
    if len(content) > MAX_UPLOAD:
        raise ValidationError(_("The file is larger than 5 MB."))
    if not content.startswith(b"PK\x03\x04"):
        raise _refuse_content()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                raise _refuse_content()
            if unpacked > MAX_UNPACKED:
                raise ValidationError(_("The workbook is too large once unpacked."))
    except zipfile.BadZipFile as exc:
        raise _refuse_content() from exc
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken part
        raise _refuse_content() from exc


@dataclass
class Read:
    lines: list[forms.Line]  # the lines given, in order
    cells: list[str]  # each given line's cell
    errors: list[tuple[str, str]]


def _meta(wb) -> dict:
    if META not in wb.sheetnames:
        return {}
    return {str(row[0]): row[1] for row in wb[META].iter_rows(values_only=True) if row and row[0]}


def read(form: forms.Form, content: bytes) -> Read:
    """The values of the uploaded template for ``form``; problems of the file and its cells."""
    wb = open_workbook(content)
    try:
        meta = _meta(wb)
        expected = {
            "regime": form.regime.code,
            "organisation": form.organisation.code,
            "year": form.year,
            "number": form.number,
        }
        if SHEET not in wb.sheetnames or any(
            str(meta.get(k)) != str(v) for k, v in expected.items()
        ):
            raise ValidationError(
                _(
                    "This workbook is not the template of this report (regime, organisation "
                    "and period): download the template of this report."
                )
            )
        lines = form.by_name()
        given, cells, errors, seen = [], [], [], set()
        for row in wb[SHEET].iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + MAX_ROWS):
            key, value = row[0].value if row else None, row[6].value if len(row) > 6 else None
            if key is None and value is None:
                continue
            number = row[0].row
            line = lines.get(str(key)) if key is not None else None
            if line is None or line.name in seen:
                errors.append(
                    (ref(f"{KEY_COL}{number}"), _("This row is not a row of the template."))
                )
                continue
            seen.add(line.name)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, bool | dt.date | dt.datetime | dt.time):
                errors.append((ref(f"{VALUE_COL}{number}"), _("Enter a number.")))
                continue
            line.value = forms.normalise(value)
            given.append(line)
            cells.append(ref(f"{VALUE_COL}{number}"))
    finally:
        wb.close()
    return Read(given, cells, errors)


def check(*, actor, form: forms.Form, content: bytes) -> tuple[list, list[str], object]:
    """Read and check an upload: (the entries, their cells, the examination); CellErrors when
    a cell or the file is wrong."""
    got = read(form, content)
    if got.errors:
        raise CellErrors(got.errors)
    if not got.lines:
        raise ValidationError(_("The workbook has no value: fill in column G."))
    entries = forms.entries_of(got.lines)
    found = submissions.examine(
        actor=actor,
        regime=form.regime,
        organisation=form.organisation,
        year=form.year,
        number=form.number,
        entries=entries,
    )
    first = {}
    for line, cell in zip(got.lines, got.cells, strict=True):
        first.setdefault(line.indicator.key, cell)
    for index, line in enumerate(form.lines):
        first.setdefault(line.indicator.key, ref(f"{VALUE_COL}{FIRST_ROW + index}"))
    cells = [
        (got.cells[p.entry] if p.entry is not None else first.get(p.indicator, ""), p.message)
        for p in found.errors
    ]
    if cells:
        raise CellErrors(cells)
    return entries, got.cells, found


def upload(*, actor, form: forms.Form, content: bytes, confirm: bool = False):
    """Check the upload and, when all of it is valid (warnings confirmed), submit it."""
    entries, _cells, found = check(actor=actor, form=form, content=content)
    if found.warnings and not confirm:
        raise submissions.WarningsToConfirm(found.warnings)
    return submissions.submit(
        actor=actor,
        regime=form.regime,
        organisation=form.organisation,
        year=form.year,
        number=form.number,
        entries=entries,
        confirm=confirm,
    )
