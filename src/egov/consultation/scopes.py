"""The consultation's scopes (see egov.accounts.scopes)."""

from egov.accounts.scopes import declare

READ = declare(
    "consultation.read", "Read consultations, drafts and comments (all, hidden ones too)"
)
MANAGE = declare(
    "consultation.manage",
    "Record regulations and reform plans, write drafts and their versions, run consultations",
)
ANSWER = declare("consultation.answer", "Answer comments on the drafting agency's consultations")
MODERATE = declare("consultation.moderate", "Hide and restore comments (moderation)")
COMMENT = declare(
    "consultation.comment", "Comment on consultations for an organisation (its API client)"
)
