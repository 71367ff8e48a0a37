"""Where the consultation's objects belong, for :mod:`egov.accounts.policy` (imported by the
app's ``ready``): everything belongs to the drafting agency. What is published (drafts'
versions, consultations, visible comments and answers) is read by anyone without a scope: the
public API and pages filter to that, not the policy."""

from __future__ import annotations

from egov.accounts import policy
from egov.consultation.models import (
    Answer,
    Comment,
    Consultation,
    Draft,
    DraftVersion,
    ReformPlan,
    Regulation,
    Report,
)

policy.register(Regulation, organisation="organisation")
policy.register(Draft, organisation="organisation")
policy.register(DraftVersion, organisation="draft__organisation")
policy.register(Consultation, organisation="organisation")
policy.register(Comment, organisation="consultation__organisation")
policy.register(Answer, organisation="consultation__organisation")
policy.register(Report, organisation="comment__consultation__organisation")
policy.register(ReformPlan, organisation="organisation")
