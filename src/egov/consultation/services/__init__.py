"""The consultation's operations: every state change is one function, one transaction, one
audit row (egov.core.services.audit)."""

from egov.consultation.services.answers import answer
from egov.consultation.services.comments import CommentData, hide, report, restore, submit
from egov.consultation.services.consultations import create_consultation, days_left, make
from egov.consultation.services.drafts import add_version, compare, create_draft
from egov.consultation.services.reform import (
    add_item,
    create_plan,
    remove_item,
    submit_plan,
    totals,
)
from egov.consultation.services.regulations import RegulationData, record_regulation, search

__all__ = [
    "CommentData",
    "RegulationData",
    "add_item",
    "add_version",
    "answer",
    "compare",
    "create_consultation",
    "create_draft",
    "create_plan",
    "days_left",
    "hide",
    "make",
    "record_regulation",
    "remove_item",
    "report",
    "restore",
    "search",
    "submit",
    "submit_plan",
    "totals",
]
