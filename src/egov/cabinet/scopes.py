"""The e-Cabinet's scopes (see egov.accounts.scopes).

Officials hold them through the cabinet's own roles (a Government member, a member's assistant,
the secretariat: egov.cabinet.access), API clients through their token.
"""

from egov.accounts.scopes import declare

READ = declare("cabinet.read", "Read the e-Cabinet ballots one takes part in")
ANSWER = declare("cabinet.answer", "Answer opinion ballots (signed by the member)")
ISSUE = declare("cabinet.issue", "Issue and close opinion ballots (the secretariat)")
