"""What the forms show, read from the dossier models: :func:`from_dossier` (forms 01–05) and
:func:`tracking_book` (form 06 for an organisation and a date range). Reads only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from egov.dossiers.acts import sheet_label
from egov.dossiers.models import Dossier, ProgressRecord, Status, related

from .data import (
    Applicant,
    BookRow,
    Component,
    FormData,
    FormError,
    Organisation,
    Step,
    TrackingBook,
)

STATUS_VI = {
    Status.NEW: "Mới",
    Status.RECEIVED: "Đã tiếp nhận",
    Status.NOT_RECEIVED: "Không tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung",
    Status.FEES_DUE: "Chờ thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Đã rút",
    Status.STOPPED: "Dừng xử lý",
    Status.PROCESSED: "Đã xử lý xong",
    Status.RESULT_RETURNED: "Đã trả kết quả",
}


def organisation_of(org) -> Organisation:
    parent = getattr(org, "parent", None)
    return Organisation(
        code=org.code,
        name=org.name,
        parent_name=parent.name if parent is not None else "",
        place="",
    )


def from_dossier(dossier: Dossier) -> FormData:
    """The plain data of ``dossier``'s forms (about four queries)."""
    dossier = (
        Dossier.objects.select_related(
            "organisation__parent", "procedure_version__procedure", "channel"
        )
        .prefetch_related("components")
        .get(pk=dossier.pk)
    )
    records = list(
        ProgressRecord.objects.filter(dossier=dossier).select_related("organisation").order_by("at")
    )
    history = []
    for i, r in enumerate(records):
        # A step is done when the next record is written; its timeliness is known then.
        done_at = records[i + 1].at if i + 1 < len(records) else None
        timeliness = ""
        if done_at is not None and r.step_due_at is not None:
            timeliness = "on_time" if done_at <= r.step_due_at else "late"
        history.append(
            Step(
                at=r.at,
                action=sheet_label(r.action),
                actor=r.actor_name,
                title=r.actor_title,
                unit=r.organisation.name if r.organisation else "",
                due_at=r.step_due_at,
                timeliness=timeliness,
                note=r.note,
            )
        )
    desk = next((r for r in records if r.action in {"receive", "register"}), None)
    version = dossier.procedure_version
    return FormData(
        organisation=organisation_of(dossier.organisation),
        code=dossier.code,
        procedure_name=version.name,
        procedure_code=version.procedure.code,
        applicant=Applicant(
            name=dossier.applicant_name,
            id_number=dossier.applicant_id_number,
            address=dossier.applicant_address,
            phone=dossier.applicant_phone,
            email=dossier.applicant_email,
        ),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        components=tuple(Component(c.name) for c in dossier.components.all()),
        history=tuple(history),
        official=desk.actor_name if desk else "",
        official_title=desk.actor_title if desk else "",
        result_place=f"Bộ phận Một cửa, {dossier.organisation.name}",
        status_label=STATUS_VI.get(dossier.status, ""),
    )


def tracking_book(organisation, date_from: dt.date, date_to: dt.date) -> TrackingBook:
    """Dossiers ``organisation`` received (or registered) from ``date_from`` to ``date_to``."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    in_range = Q(received_at__gte=start, received_at__lt=end) | Q(
        received_at__isnull=True, submitted_at__gte=start, submitted_at__lt=end
    )
    rows = (
        Dossier.objects.filter(in_range, origin_organisation=organisation)
        .select_related("organisation", "procedure_version")
        .order_by("received_at", "submitted_at", "id")
    )
    return TrackingBook(
        organisation=organisation_of(organisation),
        date_from=date_from,
        date_to=date_to,
        rows=tuple(
            BookRow(
                code=d.code,
                procedure_name=d.procedure_version.name,
                applicant_name=d.applicant_name,
                applicant_contact=", ".join(filter(None, [d.applicant_address, d.applicant_phone])),
                lead_unit=d.organisation.name,
                received_at=d.received_at or d.submitted_at,
                due_at=d.due_at,
                returned_at=d.returned_at,
                status_label=STATUS_VI.get(d.status, ""),
            )
            for d in rows
        ),
    )


def available_forms(dossier: Dossier) -> list[str]:
    """The forms 01–05 that exist for ``dossier`` as it is now."""
    kinds = []
    if dossier.received_at is not None and dossier.status != Status.NOT_RECEIVED:
        kinds.append("01")
    if related(dossier, "supplement_request") is not None:
        kinds.append("02")
    if dossier.status == Status.NOT_RECEIVED:
        kinds.append("03")
    if related(dossier, "apology") is not None:
        kinds.append("04")
    kinds.append("05")
    return kinds


def form_context(dossier: Dossier, kind: str, *, lookup_url: str = "") -> dict:
    """The context ``render_form(kind, dossier, **context)`` needs, read from the records."""
    if kind not in available_forms(dossier):
        raise FormError(f"Form {kind} does not exist for this dossier.")
    if kind == "01":
        return {"lookup_url": lookup_url, "at": dossier.received_at}
    if kind == "02":
        request = dossier.supplement_request
        missing = [
            " — ".join(filter(None, [item.get("name", ""), item.get("note", "")]))
            for item in request.items
        ]
        return {"missing": missing, "note": request.reason, "at": request.requested_at}
    if kind == "03":
        return {"reason": dossier.reason or "—", "at": dossier.closed_at or dossier.updated_at}
    if kind == "04":
        apology = dossier.apology
        return {
            "reason": apology.reason,
            "new_due_at": apology.new_due_at,
            "previous_due_at": apology.previous_due_at,
            "at": apology.issued_at,
        }
    return {}
