"""The monthly report of one ministry or province (the lead): its tasks as they stood at the end
of the month, in the four categories and ongoing, as .xlsx and as a PDF signed by the Government
Office (egov.core.signing.sign_pdf, PAdES, as the petitions' answers).

"As they stood": a task assigned after the month, or withdrawn by its end, is left out; one
accepted after the month counts as not done then. Figures are computed task by task with the
one-task rule (:func:`egov.assignments.status.category`): an organisation has hundreds of tasks,
not hundreds of thousands.
"""

from __future__ import annotations

import calendar as month_calendar
import io
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from egov.assignments.models import Assignment
from egov.assignments.reports import Row
from egov.assignments.status import CATEGORIES, Category, category
from egov.core.signing import sign_pdf

# The one-stop shop's PDF layout (fonts with Vietnamese diacritics, the national heading, the
# grid): the only import of dossiers, for print.
from egov.dossiers.printed.layout import font_dir, grid, make_styles, para, register_fonts


@dataclass
class Monthly:
    organisation: object
    year: int
    month: int
    as_of: date
    tasks: list[tuple[Assignment, Category]]
    totals: Row

    @property
    def period(self) -> str:
        return f"{self.month:02d}/{self.year}"


def build(organisation, year: int, month: int) -> Monthly:
    as_of = date(year, month, month_calendar.monthrange(year, month)[1])
    qs = (
        Assignment.objects.filter(lead=organisation, assigned_on__lte=as_of)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__date__gt=as_of))
        .order_by("due_on", "pk")
    )
    tasks, counts = [], {c.value: 0 for c in CATEGORIES}
    for task in qs:
        done = task.completed_on if task.completed_on and task.completed_on <= as_of else None
        cat = category(task.due_on, done, as_of)
        tasks.append((task, cat))
        counts[cat.value] += 1
    return Monthly(organisation, year, month, as_of, tasks, Row(None, organisation.name, counts))


def _heading(report: Monthly) -> str:
    return _("Assigned tasks of %(org)s, month %(period)s") % {
        "org": report.organisation.name,
        "period": report.period,
    }


def _columns() -> list[str]:
    return [
        _("Source document"),
        _("Content"),
        _("Key task"),
        _("Deadline"),
        _("Original deadline"),
        _("Category"),
    ]


def _line(task: Assignment, cat: Category) -> list:
    def day(value):
        return value.strftime("%d/%m/%Y") if value else _("Ongoing")

    return [
        f"{task.source_number} ({task.source_date:%d/%m/%Y})",
        task.content,
        _("Yes") if task.is_key else "",
        day(task.deadline),
        day(task.original_deadline),
        str(cat.label),
    ]


def summary_lines(report: Monthly) -> list[tuple[str, str]]:
    return [(str(c.label), str(report.totals.share(c))) for c in CATEGORIES] + [
        (_("Total"), f"{report.totals.total:,}".replace(",", "."))
    ]


def xlsx(report: Monthly) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    with translation.override("vi"):
        wb = Workbook()
        ws = wb.active
        ws.title = f"Thang {report.month:02d}-{report.year}"
        ws.append([_heading(report)])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([])
        # Counts as numbers so that a spreadsheet sums them; the share beside each.
        for c in CATEGORIES:
            ws.append([str(c.label), report.totals.count(c), str(report.totals.share(c))])
        ws.append([_("Total"), report.totals.total])
        ws.append([])
        header = ws.max_row + 1
        ws.append(_columns())
        for cell in ws[header]:
            cell.font = Font(bold=True)
        for task, cat in report.tasks:
            ws.append(_line(task, cat))
        out = io.BytesIO()
        wb.save(out)
    return out.getvalue()


def signed_pdf(report: Monthly, signer) -> bytes:
    """The report as a PDF signed with ``signer``'s certificate (the Government Office)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    register_fonts(str(font_dir()))
    styles = make_styles(10)
    buf = io.BytesIO()
    with translation.override("vi"):
        heading = _heading(report)
        doc = SimpleDocTemplate(
            buf,
            pagesize=landscape(A4),
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            bottomMargin=15 * mm,
            title=heading,
            author=signer.name,
            creator="egov",
            lang="vi-VN",
        )
        width = landscape(A4)[0] - 30 * mm
        now = timezone.localtime()
        story = [
            para(signer.name.upper(), styles["head_center_bold"]),
            para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", styles["head_center_bold"]),
            para("Độc lập - Tự do - Hạnh phúc", styles["head_center"]),
            Spacer(1, 3 * mm),
            para(f"Ngày {now:%d} tháng {now:%m} năm {now:%Y}", styles["right"]),
            para(heading.upper(), styles["title"]),
            para(_("As at %(day)s") % {"day": report.as_of.strftime("%d/%m/%Y")}, styles["center"]),
            Spacer(1, 3 * mm),
            grid(
                [[_("Category"), _("Tasks")], *summary_lines(report)],
                [width * 0.5, width * 0.3],
                styles,
            ),
            Spacer(1, 4 * mm),
        ]
        if report.tasks:
            story.append(
                grid(
                    [_columns(), *(_line(t, c) for t, c in report.tasks)],
                    [width * f for f in (0.17, 0.38, 0.07, 0.11, 0.11, 0.16)],
                    styles,
                )
            )
        doc.build(story)
        return sign_pdf(buf.getvalue(), signer, reason=heading)
