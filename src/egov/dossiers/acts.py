"""The dossier's state machine: one declaration per act, read by the services, the API, the
officials' pages, the citizen's pages and the forms.

An act is declared once in :data:`ACTS`: the statuses it leaves from, the status it leads to, who
may make it (scopes at the dossier's agency, and maybe the applicant), its words (the button,
the history, the sentence of a refusal, the control sheet), the fields of its page form, and
whether it can be made on a batch. Two questions are answered here and nowhere else:

- :func:`check_transition` (the services, inside their transaction): may the dossier's status
  take this act? IllegalTransition otherwise;
- :func:`allowed_acts` (the pages): which acts may this actor make on this dossier now? The
  status, the scopes (at the current step, for the acts whose scopes depend on it), and the act's
  own condition (``guard``: asked once only, a later step to go to, ...).

The services check the same things again when the act is made; the API and the pages only ask
this table, so what a page offers is what the API accepts (tests/dossiers/test_acts.py walks
every status, role and act).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from egov.accounts import policy
from egov.dossiers.actors import is_applicant
from egov.dossiers.errors import IllegalTransition
from egov.dossiers.models import Dossier, Status, related, steps_for
from egov.dossiers.scopes import APPLY, APPROVE, PROCESS, RECEIVE, RETURN

S = Status
# ``target`` of an act that leaves the status as it is, and of one that goes back to the status
# the dossier had before (a supplement returns it to where the request found it).
SAME = None
BEFORE = 0


def _steps(dossier: Dossier) -> tuple[list, list]:
    """(earlier, later) steps than the dossier's current one at its agency."""
    steps = steps_for(dossier)
    current = dossier.current_step.order if dossier.current_step_id else -1
    return [s for s in steps if s.order < current], [s for s in steps if s.order > current]


def _no_supplement_request(dossier):
    return related(dossier, "supplement_request") is None


def _no_result(dossier):
    return related(dossier, "result") is None


def _apology_possible(dossier):
    return (
        related(dossier, "apology") is None
        and dossier.due_at is not None
        and timezone.now() < dossier.due_at
    )


def _has_later_step(dossier):
    return bool(_steps(dossier)[1])


def _has_earlier_step(dossier):
    return bool(_steps(dossier)[0])


@dataclass(frozen=True)
class Act:
    name: str
    # Statuses it leaves from; empty for the acts that make the dossier (submit, register).
    sources: frozenset
    # The status it leads to; SAME leaves it, BEFORE goes back to the one before (supplement).
    target: int | None
    # Any one of these at the dossier's agency allows the act ...
    scopes: tuple[str, ...]
    # ... or these, at a step of this role (forward and return: the step's holder moves it on).
    step_scopes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The applicant (the dossier's owner) may make it too.
    applicant: bool = False
    # The button on the page, the line in the history, the word in "cannot be <past>".
    label: Promise = ""
    done: Promise = ""
    past: Promise = ""
    # The control sheet's wording (form 05 is always in Vietnamese).
    sheet: str = ""
    # The fields of its page form (dossiers/_act.html); () for a bare confirmation.
    fields: tuple[str, ...] = ()
    # Made on up to 100 dossiers at once (POST /dossiers/batch/<act>/, the queue's bulk acts).
    batch: bool = False
    # Besides its status, what the dossier must be for the act (asked for once only, ...).
    guard: Callable[[Dossier], bool] | None = None
    # Its name in the API (action, URL, operationId) and in the history, when not ``name``.
    api_action: str = ""
    recorded_as: str = ""

    @property
    def api(self) -> str:
        return self.api_action or self.name

    @property
    def record(self) -> str:
        return self.recorded_as or self.name

    @property
    def all_scopes(self) -> tuple[str, ...]:
        """Every scope that allows the act at some step (what the API asks before the object)."""
        extra = [s for scopes in self.step_scopes.values() for s in scopes]
        return tuple(dict.fromkeys([*self.scopes, *extra]))

    def scopes_at(self, dossier: Dossier) -> tuple[str, ...]:
        step = dossier.current_step if dossier.current_step_id else None
        if step is not None and step.role in self.step_scopes:
            return self.step_scopes[step.role]
        return self.scopes

    def __str__(self) -> str:
        return self.name


_WHILE_OPEN = frozenset({S.NEW, S.RECEIVED, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.FEES_DUE})
_HANDLED = _WHILE_OPEN - {S.NEW}
# Who moves a dossier on from a step: its holder (the leader at the approval step, the desk at a
# desk step) or a specialist.
_AT_STEP = {"approver": (APPROVE, PROCESS), "desk": (RECEIVE, PROCESS)}

_TABLE = (
    Act(
        "submit",
        frozenset(),
        S.NEW,
        (APPLY,),
        applicant=True,
        label=_("Submit"),
        done=_("Submitted online"),
        past=_("submitted"),
        sheet="Nộp hồ sơ trực tuyến",
    ),
    Act(
        "register",
        frozenset(),
        S.NEW,
        (RECEIVE,),
        label=_("Register"),
        done=_("Registered at the desk"),
        past=_("registered"),
        sheet="Tiếp nhận hồ sơ trực tiếp",
    ),
    Act(
        "receive",
        frozenset({S.NEW}),
        S.RECEIVED,
        (RECEIVE,),
        label=_("Receive"),
        done=_("Received"),
        past=_("received"),
        sheet="Tiếp nhận hồ sơ",
        fields=("note",),
        batch=True,
    ),
    Act(
        "refuse",
        frozenset({S.NEW}),
        S.NOT_RECEIVED,
        (RECEIVE,),
        label=_("Refuse (form 03)"),
        done=_("Not received (refused)"),
        past=_("refused"),
        sheet="Từ chối tiếp nhận",
        fields=("reason",),
    ),
    Act(
        "request_supplement",
        frozenset({S.NEW, S.RECEIVED, S.PROCESSING}),
        S.SUPPLEMENT_REQUESTED,
        (RECEIVE, PROCESS),
        label=_("Request a supplement (form 02)"),
        done=_("Supplement requested"),
        past=_("asked for a supplement"),
        sheet="Yêu cầu bổ sung hồ sơ",
        fields=("reason", "items"),
        guard=_no_supplement_request,
    ),
    Act(
        "supplement",
        frozenset({S.SUPPLEMENT_REQUESTED}),
        BEFORE,
        (RECEIVE,),
        applicant=True,
        label=_("Record the supplement"),
        done=_("Supplemented"),
        past=_("supplemented"),
        sheet="Bổ sung hồ sơ",
        fields=("files", "note"),
    ),
    Act(
        "start_processing",
        frozenset({S.RECEIVED}),
        S.PROCESSING,
        (RECEIVE, PROCESS),
        label=_("Start processing"),
        done=_("Processing started"),
        past=_("put into processing"),
        sheet="Chuyển xử lý",
        fields=("official",),
        batch=True,
    ),
    Act(
        # The desk gives received dossiers to a specialist; specialists pass them on.
        "assign",
        _HANDLED,
        SAME,
        (PROCESS, RECEIVE),
        label=_("Assign"),
        done=_("Assigned"),
        past=_("assigned"),
        sheet="Phân công xử lý",
        fields=("official",),
    ),
    Act(
        "forward",
        frozenset({S.PROCESSING}),
        SAME,
        (PROCESS,),
        step_scopes=_AT_STEP,
        label=_("Pass to the next step"),
        done=_("Passed to the next step"),
        past=_("forwarded"),
        sheet="Chuyển bước xử lý",
        fields=("official", "step", "note"),
        guard=_has_later_step,
    ),
    Act(
        "return_to_step",
        frozenset({S.PROCESSING}),
        SAME,
        (PROCESS,),
        step_scopes=_AT_STEP,
        label=_("Return to an earlier step"),
        done=_("Returned to an earlier step"),
        past=_("returned to an earlier step"),
        sheet="Trả lại bước trước",
        fields=("reason", "earlier_step"),
        guard=_has_earlier_step,
    ),
    Act(
        "transfer",
        frozenset({S.RECEIVED, S.PROCESSING}),
        S.PROCESSING,
        (PROCESS, APPROVE),
        label=_("Transfer to another agency"),
        done=_("Transferred to another agency"),
        past=_("transferred"),
        sheet="Chuyển liên thông",
        fields=("reason", "to_organisation"),
    ),
    Act(
        "require_fees",
        frozenset({S.PROCESSING}),
        S.FEES_DUE,
        (PROCESS,),
        label=_("Ask for fees or obligations"),
        done=_("Fees or obligations due"),
        past=_("asked for fees"),
        sheet="Yêu cầu thực hiện nghĩa vụ tài chính",
        fields=("amount_vnd", "note"),
    ),
    Act(
        "record_fees_paid",
        frozenset({S.FEES_DUE}),
        S.PROCESSING,
        (PROCESS, RECEIVE),
        label=_("Fees paid"),
        done=_("Fees paid"),
        past=_("marked as paid"),
        sheet="Đã thực hiện nghĩa vụ tài chính",
        fields=("note",),
        api_action="fees_paid",
    ),
    Act(
        "approve",
        frozenset({S.PROCESSING}),
        S.PROCESSED,
        (APPROVE,),
        label=_("Approve"),
        done=_("Approved"),
        past=_("approved"),
        sheet="Phê duyệt",
        # signed_result: the result generated or uploaded, signed by the approver in the act.
        fields=("signed_result", "note"),
        batch=True,
    ),
    Act(
        "mark_processed",
        frozenset({S.PROCESSING}),
        S.PROCESSED,
        (PROCESS,),
        label=_("Mark as processed"),
        done=_("Processed"),
        past=_("marked as processed"),
        sheet="Hoàn thành xử lý",
        fields=("note",),
        batch=True,
    ),
    Act(
        "attach_result",
        frozenset({S.PROCESSING, S.PROCESSED}),
        SAME,
        (PROCESS, APPROVE),
        label=_("Attach the electronic result"),
        done=_("Result attached"),
        past=_("given a result document"),
        sheet="Đính kèm kết quả điện tử",
        fields=("result",),
        guard=_no_result,
        api_action="result",
    ),
    Act(
        "return_result",
        frozenset({S.PROCESSED}),
        S.RESULT_RETURNED,
        (RETURN,),
        label=_("Return the result"),
        done=_("Result returned"),
        past=_("given its result"),
        sheet="Trả kết quả",
        fields=("note",),
        batch=True,
    ),
    Act(
        "issue_apology",
        _HANDLED,
        SAME,
        (PROCESS, RECEIVE),
        label=_("Apologise and set a new date (form 04)"),
        done=_("Apology and new date"),
        past=_("given an apology"),
        sheet="Xin lỗi và hẹn lại ngày trả",
        fields=("reason", "new_due_at"),
        guard=_apology_possible,
        api_action="apology",
        recorded_as="apology",
    ),
    Act(
        "withdraw",
        _WHILE_OPEN,
        S.WITHDRAWN,
        (RECEIVE,),
        applicant=True,
        label=_("Withdraw (applicant's request)"),
        done=_("Withdrawn"),
        past=_("withdrawn"),
        sheet="Rút hồ sơ",
        fields=("reason",),
    ),
    Act(
        "stop",
        _HANDLED,
        S.STOPPED,
        (APPROVE,),
        label=_("Stop processing"),
        done=_("Stopped"),
        past=_("stopped"),
        sheet="Dừng xử lý",
        fields=("reason",),
    ),
)

ACTS: dict[str, Act] = {act.name: act for act in _TABLE}
# The acts by the name the history and the audit log record them under.
RECORDED: dict[str, Act] = {act.record: act for act in _TABLE}
BATCH_ACTS: tuple[str, ...] = tuple(act.name for act in _TABLE if act.batch)


def check_transition(dossier: Dossier, act: str) -> int | None:
    """The status ``act`` leads to (SAME, BEFORE); IllegalTransition if the dossier's status
    does not allow it."""
    spec = ACTS[act]
    if dossier.status not in spec.sources:
        raise IllegalTransition(
            gettext("A dossier that is “%(status)s” cannot be %(act)s.")
            % {"status": Status(dossier.status).label, "act": spec.past},
            code="illegal_transition",
        )
    return spec.target


def may(actor, act: str, dossier: Dossier) -> bool:
    """Whether ``actor`` holds what ``act`` needs at the dossier (scopes at its current step, or
    the applicant's right); not whether the status allows it."""
    spec = ACTS[act]
    if actor is None:
        return True
    if spec.applicant and is_applicant(actor, dossier):
        return True
    return any(policy.can(actor, scope, dossier) for scope in spec.scopes_at(dossier))


def allowed_acts(dossier: Dossier, actor) -> list[Act]:
    """The acts ``actor`` may make on ``dossier`` now, in the table's order (what its page
    offers; the service decides again when the act is made)."""
    return [
        act
        for act in _TABLE
        if dossier.status in act.sources
        and may(actor, act.name, dossier)
        and (act.guard is None or act.guard(dossier))
    ]


def done_label(recorded: str) -> str:
    """The history's line for an act recorded as ``recorded``."""
    act = RECORDED.get(recorded)
    return str(act.done) if act is not None else recorded


def past_label(act: str) -> str:
    spec = ACTS.get(act) or RECORDED.get(act)
    return str(spec.past) if spec is not None else act


def sheet_label(recorded: str) -> str:
    act = RECORDED.get(recorded)
    return act.sheet if act is not None else recorded


__all__ = [
    "ACTS",
    "BATCH_ACTS",
    "BEFORE",
    "SAME",
    "Act",
    "allowed_acts",
    "check_transition",
    "may",
]
