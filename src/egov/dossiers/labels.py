"""Words the pages use for the acts of a dossier's history (English source, translated)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "submit": _("Submitted online"),
    "register": _("Registered at the desk"),
    "receive": _("Received"),
    "refuse": _("Not received (refused)"),
    "request_supplement": _("Supplement requested"),
    "supplement": _("Supplemented"),
    "start_processing": _("Processing started"),
    "assign": _("Assigned"),
    "forward": _("Passed to the next step"),
    "return_to_step": _("Returned to an earlier step"),
    "transfer": _("Transferred to another agency"),
    "require_fees": _("Fees or obligations due"),
    "record_fees_paid": _("Fees paid"),
    "approve": _("Approved"),
    "mark_processed": _("Processed"),
    "return_result": _("Result returned"),
    "withdraw": _("Withdrawn"),
    "stop": _("Stopped"),
    "apology": _("Apology and new date"),
    "attach_result": _("Result attached"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))
