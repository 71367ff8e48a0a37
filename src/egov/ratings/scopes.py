"""The satisfaction ratings' scopes (see egov.accounts.scopes)."""

from egov.accounts.scopes import declare

READ = declare("ratings.read", "Read satisfaction ratings of dossiers, with their comments")
RATE = declare("ratings.rate", "Rate a dossier whose result was returned (its applicant's own)")
