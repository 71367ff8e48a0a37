"""The service index's scopes (see egov.accounts.scopes)."""

from egov.accounts.scopes import declare

READ = declare(
    "serviceindex.read",
    "See the dossiers and petitions counted in an organisation's service index figures",
)
RECOMPUTE = declare("serviceindex.recompute", "Recompute a frozen month of the service index")
