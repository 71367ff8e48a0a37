"""The catalogue's scopes (see egov.accounts.scopes)."""

from egov.accounts.scopes import declare

WRITE = declare("catalog.write", "Change the catalogue of administrative procedures")
