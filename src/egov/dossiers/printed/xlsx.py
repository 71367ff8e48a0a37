"""The tracking book (form 06) as an Excel workbook."""

from __future__ import annotations

import io

from .data import BOOK_COLUMNS, KINDS, TrackingBook, book_cells, fmt_short, local_time


def tracking_book_xlsx(book: TrackingBook) -> bytes:
    """The tracking book as an Excel workbook: a title block, then one row per dossier."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi ho so"
    ws.append([book.organisation.name])
    ws.append([f"{KINDS['06']} (Mẫu số 06)"])
    ws.append([f"Từ ngày {fmt_short(book.date_from)} đến ngày {fmt_short(book.date_to)}"])
    header_row = 5  # after the title block and an empty row
    for col, title in enumerate(BOOK_COLUMNS, 1):
        ws.cell(row=header_row, column=col, value=title)
    for i, r in enumerate(book.rows, 1):
        cells = book_cells(i, r)
        # Real dates in the date columns, so a spreadsheet sorts and filters them.
        for col, value in ((7, r.received_at), (8, r.due_at), (9, r.returned_at)):
            cells[col] = local_time(value).replace(tzinfo=None) if value else None
        ws.append(cells)
    thin = Side(style="thin")
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    ws["A1"].font = Font(bold=True)
    ws["A2"].font = Font(bold=True, size=13)
    for row in ws.iter_rows(min_row=header_row + 1, min_col=8, max_col=10):
        for cell in row:
            cell.number_format = "dd/mm/yyyy hh:mm"
    widths = [6, 24, 40, 10, 26, 30, 28, 17, 17, 17, 24]
    for idx, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(idx)].width = w
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(BOOK_COLUMNS))}{ws.max_row}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
