"""The reporting system's scopes (see egov.accounts.scopes).

The three were declared in accounts before this app existed (the REPORTER and APPROVER roles
already hold them); they are reused here under the app's own names, not declared again.
"""

from egov.accounts.scopes import REPORTS_APPROVE, REPORTS_READ, REPORTS_SUBMIT

READ = REPORTS_READ
SUBMIT = REPORTS_SUBMIT
APPROVE = REPORTS_APPROVE
