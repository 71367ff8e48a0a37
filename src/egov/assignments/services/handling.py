"""The acts on a task after it is assigned (egov.assignments.acts): reports by the lead,
decisions by the Government Office. Each is one transaction writing the task, its report or
extension row and one audit row; a refused act changes nothing."""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.assignments.errors import AssignmentError
from egov.assignments.models import (
    Assignment,
    DeadlineKind,
    Extension,
    ExtensionState,
    Report,
    ReportDocument,
    ReportKind,
    Stage,
)
from egov.assignments.services import files as report_files
from egov.assignments.services._common import begin, record, required, user_of
from egov.assignments.status import due_day_for


@dataclass(frozen=True)
class DocumentRef:
    """A document attached to a report: the exchange's (``document``) or typed (paper)."""

    number: str
    date: date | None = None
    subject: str = ""
    document: object | None = None

    @classmethod
    def of(cls, document) -> DocumentRef:
        return cls(document.notation, document.promulgation_date, document.subject, document)


def _today(on):
    return on or timezone.localdate()


def _attach(report: Report, documents: Iterable[DocumentRef], result: DocumentRef | None):
    rows = [
        ReportDocument(
            report=report,
            document=d.document,
            number=d.number.strip(),
            date=d.date,
            subject=d.subject[:500],
            is_result=is_result,
        )
        for d, is_result in [(d, False) for d in documents] + ([(result, True)] if result else [])
    ]
    ReportDocument.objects.bulk_create(rows)


def _stored(work):
    """Runs ``work(stored)`` in one transaction; the files it stored go again if it raises."""
    stored = report_files.StoredFiles()
    try:
        with transaction.atomic():
            return work(stored)
    except BaseException:
        stored.discard()
        raise


def report_progress(
    actor,
    assignment,
    *,
    text: str,
    documents: Iterable[DocumentRef] = (),
    files: Iterable[report_files.Upload] = (),
    on=None,
):
    """The lead's progress report, with documents (the exchange's or typed) and uploaded files
    (checked by content before anything is written)."""
    text = required(text, "text", _("Write what has been done."))
    documents = list(documents)
    checked = report_files.checked(files)

    def work(stored):
        task, _stage = begin(actor, assignment, "report_progress", on)
        report = Report.objects.create(
            assignment=task,
            kind=ReportKind.PROGRESS,
            text=text,
            by=user_of(actor),
            at=timezone.now(),
        )
        _attach(report, documents, None)
        report_files.attach(report, checked, stored)
        task.save(update_fields=["updated_at"])
        record(
            actor,
            task,
            "report_progress",
            report=report.pk,
            documents=len(documents),
            files=[f.sha256 for f in checked],
        )
        return report

    return _stored(work)


def report_completion(
    actor,
    assignment,
    *,
    text: str,
    result: DocumentRef | None,
    documents: Iterable[DocumentRef] = (),
    files: Iterable[report_files.Upload] = (),
    on=None,
):
    """The lead says the task is done, with the result document; it counts as done only when
    the Government Office accepts it."""
    text = required(text, "text", _("Write what was done."))
    if result is None or not (result.number or "").strip():
        raise AssignmentError(
            {"result": [_("Attach the result document (its number and symbol).")]},
            code="result",
        )
    documents = list(documents)
    checked = report_files.checked(files)

    def work(stored):
        task, stage = begin(actor, assignment, "report_completion", on)
        report = Report.objects.create(
            assignment=task,
            kind=ReportKind.COMPLETION,
            text=text,
            by=user_of(actor),
            at=timezone.now(),
        )
        _attach(report, documents, result)
        report_files.attach(report, checked, stored)
        task.stage = stage
        task.save(update_fields=["stage", "updated_at"])
        record(
            actor,
            task,
            "report_completion",
            report=report.pk,
            result=result.number,
            files=[f.sha256 for f in checked],
        )
        return report

    return _stored(work)


def _pending_completion(task) -> Report:
    return task.reports.filter(kind=ReportKind.COMPLETION, accepted__isnull=True).latest("at")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def accept(actor, assignment, *, note: str = "", on=None) -> Assignment:
    """Completion counts from today. A recurring task's period is done: the task stays open with
    the next period's deadline."""
    with transaction.atomic():
        task, stage = begin(actor, assignment, "accept", on)
        now = timezone.now()
        report = _pending_completion(task)
        report.accepted, report.answer = True, note
        report.save(update_fields=["accepted", "answer"])
        period = task.deadline
        if task.deadline_kind in (DeadlineKind.MONTHLY, DeadlineKind.QUARTERLY):
            step = 1 if task.deadline_kind == DeadlineKind.MONTHLY else 3
            task.deadline = task.original_deadline = add_months(task.deadline, step)
            task.due_on = task.original_due_on = due_day_for(task.deadline, task.lead)
            task.stage = Stage.OPEN
        else:
            task.stage = stage
            task.completed_at = now
            task.completed_on = timezone.localdate(now) if on is None else on
        task.save()
        record(
            actor,
            task,
            "accept",
            report=report.pk,
            period=period.isoformat() if period else None,
            completed_on=task.completed_on.isoformat() if task.completed_on else None,
        )
    return task


def send_back(actor, assignment, *, reason: str, on=None) -> Assignment:
    reason = required(reason, "reason", _("Say why the completion is sent back."))
    with transaction.atomic():
        task, stage = begin(actor, assignment, "send_back", on)
        report = _pending_completion(task)
        report.accepted, report.answer = False, reason
        report.save(update_fields=["accepted", "answer"])
        task.stage = stage
        task.save(update_fields=["stage", "updated_at"])
        record(actor, task, "send_back", report=report.pk, reason=reason)
    return task


def request_extension(actor, assignment, *, new_deadline: date | None, reason: str, on=None):
    """The lead asks, on or before the deadline, to move it; the original deadline is kept."""
    reason = required(reason, "reason", _("Say why the task needs more time."))
    with transaction.atomic():
        task, _stage = begin(actor, assignment, "request_extension", on)
        if new_deadline is None or new_deadline <= task.deadline:
            raise AssignmentError(
                {"new_deadline": [_("The new deadline must be after the current one.")]},
                code="new_deadline",
            )
        extension = Extension.objects.create(
            assignment=task,
            requested_deadline=new_deadline,
            deadline_before=task.deadline,
            reason=reason,
            requested_by=user_of(actor),
            requested_at=timezone.now(),
        )
        task.save(update_fields=["updated_at"])
        record(
            actor,
            task,
            "request_extension",
            extension=extension.pk,
            requested_deadline=new_deadline.isoformat(),
        )
    return extension


def _decide(actor, assignment, act: str, state: str, answer: str, on):
    with transaction.atomic():
        task, _stage = begin(actor, assignment, act, on)
        extension = task.extensions.select_for_update().get(state=ExtensionState.PENDING)
        extension.state, extension.answer = state, answer
        extension.decided_by, extension.decided_at = user_of(actor), timezone.now()
        extension.save()
        if state == ExtensionState.APPROVED:
            task.deadline = extension.requested_deadline
            task.due_on = due_day_for(task.deadline, task.lead)
        task.save()
        record(
            actor,
            task,
            act,
            extension=extension.pk,
            deadline=task.deadline.isoformat(),
            original_deadline=task.original_deadline.isoformat(),
        )
    return extension


def approve_extension(actor, assignment, *, note: str = "", on=None) -> Extension:
    return _decide(actor, assignment, "approve_extension", ExtensionState.APPROVED, note, on)


def refuse_extension(actor, assignment, *, reason: str, on=None) -> Extension:
    reason = required(reason, "reason", _("Say why the extension is refused."))
    return _decide(actor, assignment, "refuse_extension", ExtensionState.REFUSED, reason, on)


def withdraw(actor, assignment, *, reason: str, decision: str, on=None) -> Assignment:
    """A withdrawn task leaves every count (the denominators too); the reason and the decision
    withdrawing it are kept."""
    reason = required(reason, "reason", _("Say why the task is withdrawn."))
    decision = required(
        decision, "decision", _("Give the number and symbol of the decision withdrawing it.")
    )
    with transaction.atomic():
        task, stage = begin(actor, assignment, "withdraw", on)
        task.stage = stage
        task.withdrawn_at = timezone.now()
        task.withdrawal_reason, task.withdrawal_decision = reason, decision
        task.save()
        record(actor, task, "withdraw", reason=reason, decision=decision)
    return task


ACT_FUNCTIONS = {
    "report_progress": report_progress,
    "report_completion": report_completion,
    "accept": accept,
    "send_back": send_back,
    "request_extension": request_extension,
    "approve_extension": approve_extension,
    "refuse_extension": refuse_extension,
    "withdraw": withdraw,
}
