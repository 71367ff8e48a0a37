"""The payments' scopes (see egov.accounts.scopes)."""

from egov.accounts.scopes import declare

READ = declare("payments.read", "Read the fees, payments and receipts of dossiers")
COLLECT = declare("payments.collect", "Record fees paid at the desk (cash or transfer)")
REFUND = declare("payments.refund", "Approve refunds of fees paid online")
