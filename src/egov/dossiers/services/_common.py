"""What every dossier service shares: who acts, may they, is the move allowed, and the record."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.services import audit
from egov.dossiers.actors import is_applicant, official_of, user_of
from egov.dossiers.acts import ACTS, check_transition
from egov.dossiers.models import Dossier, ProgressRecord
from egov.dossiers.signals import acts_recorded

from .notifications import queue_status_email

__all__ = [
    "authorise",
    "check_transition",
    "is_applicant",
    "lock",
    "lock_many",
    "official_of",
    "record",
    "record_many",
    "save_many",
    "user_of",
]


def authorise(actor, dossier: Dossier, act: str):
    """The policy's decision for the first scope of ``act`` (egov.dossiers.acts) the actor holds
    at the dossier (at its current step); the applicant passes when the act allows it; None
    actor is the system. PermissionDenied otherwise."""
    if actor is None:
        return None
    spec = ACTS[act]
    if spec.applicant and is_applicant(actor, dossier):
        return policy.Decision(True, reason="applicant")
    for scope in spec.scopes_at(dossier):
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
    # The status sync (egov.sync) queues each act here, in this transaction.
    acts_recorded.send(sender=ProgressRecord, records=progress)
    for item, record_ in zip(acts, progress, strict=True):
        if item.get("notify", True) and item.get("from_status") != item["dossier"].status:
            queue_status_email(item["dossier"], record_)
    return progress
