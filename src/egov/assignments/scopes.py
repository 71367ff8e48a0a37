"""The assignments' scopes (see egov.accounts.scopes)."""

from egov.accounts.scopes import declare

READ = declare("assignments.read", "Read assigned tasks (lead, coordinating or assigning)")
REPORT = declare(
    "assignments.report", "Report progress and completion, ask for extensions (the lead)"
)
MANAGE = declare(
    "assignments.manage",
    "Assign tasks, accept or send back completion, decide extensions, withdraw (Government Office)",
)
