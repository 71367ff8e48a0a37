"""Consultations on drafts: their phases' windows and the acts of the act table."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.consultation import acts, scopes
from egov.consultation.errors import ConsultationError
from egov.consultation.models import Consultation, Draft, Phase, PhaseWindow
from egov.consultation.services import summary_files
from egov.consultation.services._common import next_code, record, require, required
from egov.dossiers.services.files import StoredFiles

WINDOW_PHASES = (Phase.DEBATE, Phase.COMMENTS, Phase.ANSWERS, Phase.RESULT)


def _clean_windows(windows: dict) -> dict:
    cleaned, errors = {}, {}
    for phase, (start, end) in (windows or {}).items():
        if phase not in WINDOW_PHASES:
            errors[f"phases.{phase}"] = [_("Unknown phase.")]
        elif not isinstance(start, datetime) or not isinstance(end, datetime) or end <= start:
            errors[f"phases.{phase}"] = [_("The phase must end after it starts.")]
        else:
            cleaned[phase] = (start, end)
    if Phase.COMMENTS not in cleaned and not errors:
        errors["phases.comments"] = [_("Give the comment window's start and end.")]
    if errors:
        raise ConsultationError(errors, code="invalid_phases")
    return cleaned


def create_consultation(
    actor, draft: Draft, *, title: str, windows: dict, allow_late: bool = False
) -> Consultation:
    """A consultation on ``draft`` by its drafting agency, being prepared; ``windows`` maps
    phases to (start, end); the comments' one is required."""
    require(actor, scopes.MANAGE, draft)
    title = required(title, "title", _("Give the consultation's title."))
    cleaned = _clean_windows(windows)
    with transaction.atomic():
        consultation = Consultation.objects.create(
            code=next_code("LYK"),
            title=title,
            draft=draft,
            organisation=draft.organisation,
            allow_late=allow_late,
        )
        PhaseWindow.objects.bulk_create(
            PhaseWindow(consultation=consultation, phase=p, starts_at=s, ends_at=e)
            for p, (s, e) in cleaned.items()
        )
        record(
            actor,
            "consultation.create",
            consultation,
            consultation.organisation,
            code=consultation.code,
            draft=draft.code,
            allow_late=allow_late,
        )
    return consultation


def make(actor, consultation: Consultation, name: str) -> Consultation:
    """Make the act ``name`` of the act table: PermissionDenied, or IllegalTransition when the
    phase or the gate (every comment answered) refuses; nothing changes then."""
    if name not in acts.ACTS:
        raise ConsultationError(_("Unknown act."), code="unknown_act")
    stored = StoredFiles()
    try:
        return _make(actor, consultation, name, stored)
    except BaseException:
        stored.discard()
        raise


def _make(actor, consultation: Consultation, name: str, stored: StoredFiles) -> Consultation:
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if not acts.may(actor, name, locked):
            raise PermissionDenied(_("You may not do this to this consultation."))
        before = locked.phase
        locked.phase = acts.check_transition(locked, name)
        locked.save(update_fields=["phase", "updated_at"])
        record(
            actor,
            name,
            locked,
            locked.organisation,
            code=locked.code,
            before=before,
            after=locked.phase,
        )
        if locked.phase == Phase.RESULT:
            # The table of acceptance and explanation is published with the result, sealed.
            table = summary_files.write(locked, stored)
            record(
                actor,
                "summary.publish",
                table,
                locked.organisation,
                code=locked.code,
                answers=table.answers,
                commenters=table.commenters,
                pdf_sha256=table.pdf_sha256,
                docx_sha256=table.docx_sha256,
            )
    return locked


def comment_window(consultation: Consultation) -> PhaseWindow | None:
    for window in consultation.windows.all():
        if window.phase == Phase.COMMENTS:
            return window
    return None


def days_left(consultation: Consultation, now=None) -> int | None:
    """Whole days left in the comment window (0 on its last day), None when it is closed."""
    window = comment_window(consultation)
    now = now or timezone.now()
    if window is None or consultation.phase != Phase.COMMENTS or now > window.ends_at:
        return None
    return (timezone.localdate(window.ends_at) - timezone.localdate(now)).days
