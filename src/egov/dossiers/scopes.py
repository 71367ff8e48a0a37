"""The one-stop shop's scopes (see egov.accounts.scopes)."""

from egov.accounts.scopes import declare

READ = declare("dossiers.read", "Read dossiers")
APPLY = declare(
    "dossiers.apply", "Apply for applicants; supplement and withdraw (applicants' own dossiers)"
)
RECEIVE = declare("dossiers.receive", "Receive and refuse dossiers (one-stop desk)")
RETURN = declare("dossiers.return", "Return results (one-stop desk)")
PROCESS = declare("dossiers.process", "Process dossiers")
APPROVE = declare("dossiers.approve", "Approve dossier results (leader)")
