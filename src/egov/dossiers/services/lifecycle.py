"""Status transitions with the national codes. Each function: one transaction, audit, progress."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.catalog.forms import clean_submission
from egov.dossiers.acts import ACTS, BATCH_ACTS
from egov.dossiers.errors import BatchRefused, DossierError
from egov.dossiers.models import Dossier, DossierAssignment, Status, SupplementRequest

from . import _common, files, form_schema
from .deadlines import (
    PerBatch,
    classify_finished,
    fix_due,
    pause,
    resume,
    step_due,
    steps_for,
)


def _need(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [_("This field is required.")]})
    return text


def _move(dossier, act, *, actor, note="", change=None, summary=None, locked=False):
    """Lock, authorise, check the transition, apply ``change(dossier, now)``, save, record.
    ``locked``: the caller's transaction already holds ``dossier`` as :func:`_common.lock` gives
    it (a payment's confirmation locks the dossier to check the amount due): used as it is."""
    return _move_many(
        [dossier],
        act,
        actor=actor,
        note=note,
        change=change,
        summary=summary,
        locked=locked,
    )[0]


def _move_many(dossiers, act, *, actor, note="", change=None, summary=None, locked=False):
    """:func:`_move` for a batch, all or nothing: every dossier is checked before anything is
    written; if one may not make the move, BatchRefused names each refused code and why."""
    if locked and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locked=True: only inside the transaction that holds the rows")
    with transaction.atomic():
        if locked:
            locked = list(dossiers)
        elif len(dossiers) > 1:
            locked = _common.lock_many(dossiers)
        else:
            locked = [_common.lock(dossiers[0])]
        decisions, refused = [], {}
        for dossier in locked:
            try:
                decisions.append(_common.authorise(actor, dossier, act))
                _common.check_transition(dossier, act)
            except (PermissionDenied, ValidationError) as exc:
                refused[dossier.code] = exc
        if refused:
            if len(locked) == 1:
                raise next(iter(refused.values()))
            raise BatchRefused(refused)
        now = timezone.now()
        to_status = ACTS[act].target
        froms = []
        for dossier in locked:
            froms.append(dossier.status)
            if to_status:
                dossier.status = to_status
            if change is not None:
                change(dossier, now)
        _common.save_many(locked, now)
        _common.record_many(
            [
                {
                    "dossier": dossier,
                    "act": act,
                    "from_status": from_status,
                    "note": note,
                    "decision": decision,
                    "summary": summary,
                    "at": now,
                }
                for dossier, from_status, decision in zip(locked, froms, decisions, strict=True)
            ],
            actor=actor,
        )
    return locked


def act_on_many(dossiers, act: str, *, actor, note: str = "") -> list[Dossier]:
    """Make ``act`` on every dossier of ``dossiers`` in one transaction, all or nothing:
    BatchRefused (each refused code with its reason) leaves every dossier as it was."""
    if act not in BATCH_ACTS:
        raise ValueError(f"{act} cannot be made on a batch")
    if not dossiers:
        return []
    spec = _SPECS[act]
    return _move_many(list(dossiers), act, actor=actor, note=note, **spec())


def _start_first_step(dossier, now, *, skip_desk: bool, cal=None, steps=None):
    steps = steps if steps is not None else steps_for(dossier)
    step = steps[0] if steps else None
    if skip_desk and len(steps) > 1 and dossier.current_step_id == steps[0].pk:
        step = steps[1]
    dossier.current_step = step
    dossier.step_due_at = step_due(dossier, step, steps, cal=cal)


def _receive_spec() -> dict:
    shared = PerBatch()

    def change(d, now):
        cal = shared.calendar(d)  # once for the due time and the first step's
        fix_due(d, now, cal)
        _start_first_step(d, now, skip_desk=False, cal=cal, steps=shared.steps_of(d))

    return {"change": change}


def _start_processing_spec() -> dict:
    shared = PerBatch()

    def change(d, now):
        _start_first_step(d, now, skip_desk=True, cal=shared.calendar(d), steps=shared.steps_of(d))

    return {"change": change}


def receive(dossier: Dossier, *, actor, note: str = "") -> Dossier:
    """1 → 2. Fixes ``due_at`` from the channel's time limit (egov.core.calendar.due at the
    agency), ``at_risk_at`` (80%) and the first step's due time. Scope ``dossiers.receive``."""
    return _move(dossier, "receive", actor=actor, note=note, **_receive_spec())


def refuse(dossier: Dossier, *, actor, reason: str) -> Dossier:
    """1 → 3 not received, with a reason (form 03). Scope ``dossiers.receive``."""
    reason = _need(reason)

    def change(d, now):
        d.reason = reason
        d.closed_at = now

    return _move(dossier, "refuse", actor=actor, note=reason, change=change)


def request_supplement(
    dossier: Dossier, *, actor, items: list[dict], reason: str = ""
) -> SupplementRequest:
    """1/2/4 → 5, once per dossier, listing everything missing (``items``: [{"name", "note",
    "required_document"}], at least one). The clock stops (``paused_at``). A second request
    raises DossierError (code ``supplement_once``). Scope ``dossiers.receive`` or
    ``dossiers.process``."""
    cleaned = []
    for item in items or []:
        name = str((item or {}).get("name", "")).strip()
        if not name:
            raise ValidationError({"items": [_("Each missing item needs a name.")]})
        cleaned.append(
            {
                "name": name[:500],
                "note": str(item.get("note", ""))[:1000],
                "required_document": item.get("required_document"),
            }
        )
    if not cleaned:
        raise ValidationError({"items": [_("List everything that is missing.")]})
    with transaction.atomic():
        dossier = _common.lock(dossier)
        decision = _common.authorise(actor, dossier, "request_supplement")
        if SupplementRequest.objects.filter(dossier=dossier).exists():
            raise DossierError(
                _(
                    "A supplement was already requested for this dossier; it can be requested "
                    "only once, listing everything missing."
                ),
                code="supplement_once",
            )
        _common.check_transition(dossier, "request_supplement")
        from_status = dossier.status
        now = timezone.now()
        request = SupplementRequest.objects.create(
            dossier=dossier,
            items=cleaned,
            reason=reason or "",
            requested_at=now,
            requested_by=_common.user_of(actor),
            resume_status=from_status,
        )
        dossier.status = Status.SUPPLEMENT_REQUESTED
        if dossier.received_at is not None:
            pause(dossier, now)
        dossier.save()
        _common.record(
            dossier,
            actor=actor,
            act="request_supplement",
            from_status=from_status,
            note="; ".join(i["name"] for i in cleaned),
            decision=decision,
            summary={"items": len(cleaned)},
            at=now,
        )
    return request


def supplement(
    dossier: Dossier, *, actor, uploads=(), form_data: dict | None = None, note: str = ""
) -> Dossier:
    """5 → the status before the request. The paused working time is added to ``due_at``,
    ``at_risk_at`` and the step's due time. The applicant (owner) or the desk."""
    stored = files.StoredFiles()
    try:
        with transaction.atomic():
            dossier = _common.lock(dossier)
            decision = _common.authorise(actor, dossier, "supplement")
            _common.check_transition(dossier, "supplement")
            request = dossier.supplement_request
            from_status = dossier.status
            now = timezone.now()
            if form_data is not None:
                schema, again = form_schema.effective(dossier.procedure_version)
                form_data = form_schema.without_documents(form_data, again)
                dossier.form_data = clean_submission(schema, form_data) if schema else form_data
            checked = files.checked_uploads(dossier.procedure_version, uploads)
            files.add_components(dossier, checked, supplement=True, stored=stored)
            paused = resume(dossier, now)
            dossier.status = request.resume_status
            dossier.save()
            request.supplemented_at = now
            request.paused_working_time = paused
            request.save(update_fields=["supplemented_at", "paused_working_time"])
            _common.record(
                dossier,
                actor=actor,
                act="supplement",
                from_status=from_status,
                note=note,
                decision=decision,
                summary={"paused_seconds": int(paused.total_seconds())},
                at=now,
            )
    except BaseException:
        stored.discard()
        raise
    return dossier


def start_processing(dossier: Dossier, *, actor, assignee=None) -> Dossier:
    """2 → 4 at the first processing step (after the desk step); optional assignment.
    Scope ``dossiers.receive`` or ``dossiers.process``."""
    dossier = _move(dossier, "start_processing", actor=actor, **_start_processing_spec())
    if assignee is not None:
        assign(dossier, actor=actor, official=assignee)
    return dossier


def assign(dossier: Dossier, *, actor, official) -> DossierAssignment:
    """Give the dossier (at its current step) to ``official``; ends the previous assignment.
    Status unchanged. Scope ``dossiers.process`` (or ``dossiers.receive`` at the desk). The
    official must work at the dossier's agency or above it."""
    with transaction.atomic():
        dossier = _common.lock(dossier)
        decision = _common.authorise(actor, dossier, "assign")
        _common.check_transition(dossier, "assign")
        path = dossier.organisation.path
        if not path.startswith(official.organisation.path):
            raise ValidationError(
                {"official": [_("The official does not work at the dossier's agency.")]}
            )
        now = timezone.now()
        DossierAssignment.objects.filter(dossier=dossier, ended_at__isnull=True).update(
            ended_at=now
        )
        assignment = DossierAssignment.objects.create(
            dossier=dossier,
            step=dossier.current_step,
            official=official,
            assigned_by=_common.user_of(actor),
            assigned_at=now,
        )
        _common.record(
            dossier,
            actor=actor,
            act="assign",
            from_status=dossier.status,
            note=str(official),
            decision=decision,
            summary={"official": official.pk},
            at=now,
        )
    return assignment


def require_fees(dossier: Dossier, *, actor, amount_vnd: int, note: str = "") -> Dossier:
    """4 → 6 fees or obligations due. Scope ``dossiers.process``."""
    if amount_vnd is None or int(amount_vnd) < 0:
        raise ValidationError({"amount_vnd": [_("Give the amount due in VND.")]})

    def change(d, now):
        d.fees_due_vnd = int(amount_vnd)
        pause(d, now)  # obligations due: the applicant's time, not the agency's

    return _move(
        dossier,
        "require_fees",
        actor=actor,
        note=note,
        change=change,
        summary={"amount_vnd": int(amount_vnd)},
    )


def record_fees_paid(dossier: Dossier, *, actor, note: str = "", locked: bool = False) -> Dossier:
    """6 → 4. Scope ``dossiers.process`` (or a payment task: actor None). ``locked``: see
    :func:`_move`."""

    def change(d, now):
        d.fees_paid_at = now
        resume(d, now)

    return _move(
        dossier,
        "record_fees_paid",
        actor=actor,
        note=note,
        change=change,
        locked=locked,
    )


def _finish(d, now):
    d.processed_at = now
    d.timeliness = classify_finished(now, d.due_at)
    d.step_due_at = None


def _approve_spec() -> dict:
    return {"change": _finish}


def _mark_processed_spec() -> dict:
    return {"change": _finish}


def _return_result(d, now):
    d.returned_at = now
    d.closed_at = now
    d.current_step = None


def _return_result_spec() -> dict:
    return {"change": _return_result}


_SPECS = {
    "receive": _receive_spec,
    "start_processing": _start_processing_spec,
    "approve": _approve_spec,
    "mark_processed": _mark_processed_spec,
    "return_result": _return_result_spec,
}


def approve(dossier: Dossier, *, actor, note: str = "") -> Dossier:
    """4 → 9 processed by the leader (approval step). Scope ``dossiers.approve``. Sets
    ``processed_at`` and the timeliness (early / on time / late)."""
    return _move(dossier, "approve", actor=actor, note=note, **_approve_spec())


def mark_processed(dossier: Dossier, *, actor, note: str = "") -> Dossier:
    """4 → 9 without an approval step. Scope ``dossiers.process``."""
    return _move(dossier, "mark_processed", actor=actor, note=note, **_mark_processed_spec())


def return_result(dossier: Dossier, *, actor, note: str = "") -> Dossier:
    """9 → 10 result returned to the applicant (result desk). Scope ``dossiers.return``."""
    return _move(dossier, "return_result", actor=actor, note=note, **_return_result_spec())


def _close(reason):
    def change(d, now):
        d.reason = reason
        d.closed_at = now
        d.paused_at = None

    return change


def withdraw(dossier: Dossier, *, actor, reason: str) -> Dossier:
    """Open → 7 withdrawn by the applicant (owner) or by the desk (``dossiers.receive``)."""
    reason = _need(reason)
    return _move(
        dossier,
        "withdraw",
        actor=actor,
        note=reason,
        change=_close(reason),
    )


def stop(dossier: Dossier, *, actor, reason: str) -> Dossier:
    """Open → 8 stopped (e.g. supplement never came). Scope ``dossiers.approve``."""
    reason = _need(reason)
    return _move(
        dossier,
        "stop",
        actor=actor,
        note=reason,
        change=_close(reason),
    )
