"""The reporting system's scopes (see egov.accounts.scopes).

The three were declared in accounts before this app existed (the REPORTER and APPROVER roles
already hold them); they are reused here under the app's own names, not declared again.
"""

from egov.accounts.scopes import REPORTS_APPROVE, REPORTS_READ, REPORTS_SUBMIT, declare

READ = REPORTS_READ
SUBMIT = REPORTS_SUBMIT
APPROVE = REPORTS_APPROVE

# Setting the indicators' targets: an administrator's task (granted in apps.py). A target for
# every organisation (none named) is set by a holder at a central body or a superuser.
TARGETS = declare("reports.targets", "Set the indicators' targets")
