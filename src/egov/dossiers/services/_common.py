"""What every dossier service shares: who acts, may they, is the move allowed, and the record."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.services import audit
from egov.dossiers.models import Dossier, ProgressRecord, Status

from .errors import IllegalTransition


def user_of(actor):
    """The user behind ``actor`` (a user or a request), or None (system, API client)."""
    actor = policy.actor_of(actor) if actor is not None else None
    if actor is None or getattr(actor, "is_client", False) or isinstance(actor, str):
        return None
    return actor if getattr(actor, "pk", None) else None


def official_of(user):
    if user is None:
        return None
    try:
        return user.official
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: not an official
        return None


def is_applicant(actor, dossier: Dossier) -> bool:
    user = user_of(actor)
    if user is None or dossier.applicant_citizen_id is None:
        return False
    return dossier.applicant_citizen.user_id == user.pk


def authorise(actor, dossier: Dossier, *scopes: str, applicant: bool = False):
    """The policy's decision for the first of ``scopes`` the actor holds at the dossier; the
    applicant passes when ``applicant``; None actor is the system. PermissionDenied otherwise."""
    if actor is None:
        return None
    if applicant and is_applicant(actor, dossier):
        return policy.Decision(True, reason="applicant")
    for scope in scopes:
        decision = policy.decide(actor, scope, dossier)
        if decision.allowed:
            return decision
    raise PermissionDenied(_("You may not do this to this dossier."))


def lock(dossier: Dossier) -> Dossier:
    """The dossier's row, locked until the end of the transaction (SELECT ... FOR UPDATE)."""
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related(
            "organisation",
            "channel",
            "procedure_version__procedure",
            "applicant_citizen",
            "current_step",
        )
        .get(pk=dossier.pk)
    )


def check_transition(dossier: Dossier, act: str) -> int:
    """The status ``act`` leads to; IllegalTransition if not allowed from the current status."""
    from .lifecycle import TRANSITIONS

    allowed_from, to_status = TRANSITIONS[act]
    if dossier.status not in allowed_from:
        raise IllegalTransition(
            _("A dossier that is “%(status)s” cannot be %(act)s.")
            % {"status": Status(dossier.status).label, "act": act_label(act)},
            code="illegal_transition",
        )
    return to_status


def act_label(act: str) -> str:
    labels = {
        "submit": _("submitted"),
        "register": _("registered"),
        "receive": _("received"),
        "refuse": _("refused"),
        "request_supplement": _("asked for a supplement"),
        "supplement": _("supplemented"),
        "start_processing": _("put into processing"),
        "assign": _("assigned"),
        "forward": _("forwarded"),
        "return_to_step": _("returned to an earlier step"),
        "transfer": _("transferred"),
        "require_fees": _("asked for fees"),
        "record_fees_paid": _("marked as paid"),
        "approve": _("approved"),
        "mark_processed": _("marked as processed"),
        "return_result": _("given its result"),
        "withdraw": _("withdrawn"),
        "stop": _("stopped"),
        "apology": _("given an apology"),
        "attach_result": _("given a result document"),
    }
    return labels.get(act, act)


def lock_many(dossiers) -> list[Dossier]:
    """The dossiers' rows, locked until the end of the transaction, in id order (two batches
    never wait on each other crosswise), with what the acts read loaded in the same query."""
    ids = sorted({d.pk for d in dossiers})
    return list(
        Dossier.objects.select_for_update(of=("self",))
        .select_related(
            "organisation",
            "channel",
            "procedure_version__procedure",
            "applicant_citizen",
            "current_step",
        )
        .filter(pk__in=ids)
        .order_by("pk")
    )


# Columns an act may change; a batch writes these (unchanged values included).
MOVABLE = (
    "status",
    "received_at",
    "due_at",
    "original_due_at",
    "at_risk_at",
    "paused_at",
    "paused_total",
    "processed_at",
    "returned_at",
    "closed_at",
    "current_step",
    "step_due_at",
    "fees_due_vnd",
    "fees_paid_at",
    "reason",
    "timeliness",
    "updated_at",
)


def save_many(dossiers: list[Dossier], now) -> None:
    """Write the MOVABLE columns of a batch of dossiers: one UPDATE per distinct set of values
    (an act gives most dossiers of a batch the same ones: its time, its status, the due time of
    the same agency and channel). Django's bulk_update would build a CASE per column and row:
    most of a batch's CPU time, measured."""
    if len(dossiers) == 1:
        dossiers[0].save()
        return
    fields = [Dossier._meta.get_field(name) for name in MOVABLE]
    groups: dict[tuple, list[int]] = {}
    for dossier in dossiers:
        dossier.updated_at = now
        values = tuple(getattr(dossier, f.attname) for f in fields)
        groups.setdefault(values, []).append(dossier.pk)
    for values, ids in groups.items():
        Dossier.objects.filter(pk__in=ids).update(
            **{f.attname: value for f, value in zip(fields, values, strict=True)}
        )


def _who(actor, dossier: Dossier) -> tuple:
    """(user, name, title, unit) of whoever acts, as the progress record shows them."""
    user = user_of(actor)
    official = official_of(user)
    if official is not None:
        name = user.get_full_name() or user.get_username()
        return user, name, official.title, official.organisation_id
    if user is not None and is_applicant(user, dossier):
        return user, dossier.applicant_name, _("Applicant"), None
    if user is not None:
        return user, user.get_username(), "", None
    if actor is not None and getattr(policy.actor_of(actor), "is_client", False):
        return None, policy.actor_of(actor).get_username(), _("API client"), None
    return None, _("System"), "", None


def record(
    dossier: Dossier,
    *,
    actor,
    act: str,
    from_status: int | None,
    note: str = "",
    decision=None,
    summary: dict | None = None,
    at: datetime | None = None,
    notify: bool = True,
) -> ProgressRecord:
    """The progress record and the audit row of one act; the applicant's e-mail when the status
    changed. Call inside the act's transaction, after saving the dossier."""
    return record_many(
        [
            {
                "dossier": dossier,
                "act": act,
                "from_status": from_status,
                "note": note,
                "decision": decision,
                "summary": summary,
                "at": at,
                "notify": notify,
            }
        ],
        actor=actor,
    )[0]


def record_many(acts: list[dict], *, actor) -> list[ProgressRecord]:
    """:func:`record` for several acts by the same actor (each a dict of its arguments): one
    INSERT of progress records, one append to the audit log, then the e-mails."""
    from .notifications import queue_status_email

    now = timezone.now()
    progress = []
    for item in acts:
        dossier = item["dossier"]
        user, name, title, unit = _who(actor, dossier)
        progress.append(
            ProgressRecord(
                dossier=dossier,
                at=item.get("at") or now,
                action=item["act"],
                from_status=item.get("from_status"),
                to_status=dossier.status,
                actor=user,
                actor_name=name[:255],
                actor_title=(title or "")[:255],
                organisation_id=unit or dossier.organisation_id,
                step=dossier.current_step,
                step_due_at=dossier.step_due_at,
                note=item.get("note") or "",
            )
        )
    if len(progress) == 1:
        progress[0].save(force_insert=True)
    else:
        ProgressRecord.objects.bulk_create(progress)
    rows = []
    for item in acts:
        dossier = item["dossier"]
        details = {"code": dossier.code, "from": item.get("from_status"), "to": dossier.status}
        details.update(item.get("summary") or {})
        rows.append(
            policy.audit_rows(
                actor if actor is not None else "system",
                f"dossiers.{item['act']}",
                dossier,
                item.get("decision"),
                summary=details,
                organisation=dossier.organisation_id,
            )
        )
    audit.record_many(rows)
    for item, record_ in zip(acts, progress, strict=True):
        if item.get("notify", True) and item.get("from_status") != item["dossier"].status:
            queue_status_email(item["dossier"], record_)
    return progress
