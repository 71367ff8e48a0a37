"""Background tasks of the core app (Django's task API, database backend)."""

import logging

from django_tasks import task

from egov.core.services import audit

logger = logging.getLogger(__name__)


@task()
def verify_audit_chain() -> dict:
    """Walk the audit chain off the request path; the result is kept with the task."""
    verdict = audit.verify()
    if verdict.problem is not None:
        logger.error("audit chain broken: %s", verdict.problem)
    problem = str(verdict.problem) if verdict.problem else None
    return {"rows": verdict.length, "ok": verdict.intact, "problem": problem}
