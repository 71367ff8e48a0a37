"""The document exchange's scopes (see egov.accounts.scopes)."""

from egov.accounts.scopes import declare

READ = declare("documents.read", "Read official documents")
SEND = declare("documents.send", "Send official documents through the hub")
RECEIVE = declare("documents.receive", "Receive official documents from the hub")
