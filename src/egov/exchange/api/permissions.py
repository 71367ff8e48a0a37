"""Who may call what: the scope each action of the exchange API needs, read by
:class:`egov.accounts.scopes.ScopePermission` from the viewset's ``required_scopes`` (an
action missing there is closed to everyone). Which organisations' rows the caller sees is the
policy's answer (``policy.scope_queryset`` in each viewset's queryset).
"""

from __future__ import annotations

SEND = "documents.send"
RECEIVE = "documents.receive"

PACKAGES = {
    "list": SEND,
    "retrieve": SEND,
    "create": SEND,
    "batch": SEND,
    "receipt": SEND,
    "trail": SEND,
    "retry": SEND,
}
MAILBOX = {
    "list": RECEIVE,
    "retrieve": RECEIVE,
    "package": RECEIVE,
    "acknowledge": RECEIVE,
    "recall": RECEIVE,
    "recall_acknowledge": RECEIVE,
    "retry": RECEIVE,
}
STATUSES = {"create": RECEIVE, "list": SEND, "retrieve": SEND, "acknowledge": SEND}
