"""The petitions' scopes (see egov.accounts.scopes)."""

from egov.accounts.scopes import declare

READ = declare("petitions.read", "Read petitions (feedback and petitions, PAKN)")
SUBMIT = declare("petitions.submit", "Submit and supplement petitions (submitters' own)")
DISPATCH = declare("petitions.dispatch", "Forward, refuse and re-forward petitions (the centre)")
HANDLE = declare(
    "petitions.handle", "Accept, handle, ask for a supplement, return petitions (an organisation)"
)
ANSWER = declare("petitions.answer", "Answer petitions, signed by the organisation")
PUBLISH = declare("petitions.publish", "Publish answered petitions")
INBOUND = declare(
    "petitions.inbound",
    "Receive petitions forwarded by the national centre's instance (its API client)",
)
