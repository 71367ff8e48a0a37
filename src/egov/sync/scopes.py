"""The status sync's scopes (see egov.accounts.scopes)."""

from egov.accounts.scopes import declare

# Officials of a province: see what failed to sync and send it again.
READ = declare("sync.read", "See the status sync with the national portal")
RETRY = declare("sync.retry", "Send a failed sync to the national portal again")
# A province's API client at the national side: its session and its records.
INGEST = declare("sync.ingest", "Sync a province's dossiers to the national side")
