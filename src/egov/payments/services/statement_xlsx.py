"""The statement check's mismatches as an Excel workbook (openpyxl, as the tracking book)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from .statement import Check


def columns() -> list[str]:
    return [
        _("Mismatch"),
        _("Reference"),
        _("VNPay transaction number"),
        _("Amount at the gateway (VND)"),
        _("Amount here (VND)"),
        _("Line of the statement"),
        _("Note"),
    ]


def statement_xlsx(check: Check) -> bytes:
    """A title block, then one row per mismatch; amounts as numbers so a spreadsheet sums them."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Doi soat"
    ws.append([_("Statement check of %(day)s") % {"day": check.day.strftime("%d/%m/%Y")}])
    ws.append(
        [
            _("Rows: %(rows)d, matched: %(matched)d, mismatches: %(mismatches)d")
            % {"rows": check.rows, "matched": check.matched, "mismatches": len(check.mismatches)}
        ]
    )
    ws.append([])
    header_row = 4
    ws.append(columns())
    for m in check.mismatches:
        ws.append(
            [
                str(m.label),
                m.reference,
                m.transaction,
                m.gateway_amount_vnd,
                m.our_amount_vnd,
                m.line,
                str(m.note),
            ]
        )
    ws["A1"].font = Font(bold=True, size=13)
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=header_row + 1, min_col=4, max_col=5):
        for cell in row:
            cell.number_format = "#,##0"
    for idx, width in enumerate([30, 24, 20, 18, 18, 10, 50], 1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
