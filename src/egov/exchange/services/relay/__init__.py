"""Hub to hub: a provincial hub relays to its parent (national) hub and takes the answers back.

With ``EGOV_EXCHANGE_ROLE=provincial`` the instance organisation's subtree is this hub's own:

- **Outward** (:mod:`.outbound`). A package with a recipient outside the subtree gets, for that
  recipient, a :class:`~egov.exchange.models.Delivery` with ``via="parent"`` and one outbox row
  (kind ``relay``) per package: the sender's signed bytes as received, POSTed by the task worker to
  ``<parent>/api/v1/exchange/packages/`` with this hub's bearer token and the header
  ``X-Egov-Relay`` (the parent leaves the recipients this hub receives for to it). Retries back off
  as webhook pushes do; a refusal (4xx other than 401/408/429) fails the relay at once, the
  delivery's transport state becomes ``failed`` and ``transport_error`` says why. The parent's
  signed receipt is kept in this hub's evidence chain.
- **Statuses back** (:mod:`.inbound`). :func:`~.inbound.pull` asks the parent for the status packets
  of this hub's organisations' packages (``GET /api/v1/exchange/statuses/?pending=true``), verifies
  each (signature, signer = From, the recipient is one this hub relayed to) and applies it to the
  relayed delivery through :func:`egov.exchange.services.hub.statuses.accept_parent_status`, then
  acknowledges it at the parent. A refused status is logged and audited here and acknowledged at the
  parent with the refusal (kept there in ``refusal``): final, not fetched again.
- **Inward** (:mod:`.inbound`). :func:`~.inbound.pull` also takes the packages the parent holds for
  this hub's organisations (``GET /api/v1/exchange/mailbox/?state=pending``, the sender's original
  bytes), accepts them here for the recipients inside the subtree (the sender's signature checked as
  for any package; de-duplicated by DocumentId) and acknowledges them at the parent, or refuses them
  there (the parent's delivery fails with the refusal as ``transport_error``). Status packets of
  local recipients about such a package are relayed up (outbox kind ``relay_status``), as is a local
  sender's recall of a relayed package.
- **Recalls inward** (:mod:`.inbound`). :func:`~.inbound.pull` then takes the outside senders'
  recalls (13) of those packages (``GET /api/v1/exchange/mailbox/?recall=pending``,
  ``/{id}/recall/``), applies them to the local deliveries and acknowledges them (or refuses them)
  at the parent; the recipients' 15/16 go up as any answer.
- **Retry** (:mod:`.outbound`). :func:`~.outbound.retry`: new outbox rows for what failed going up
  for a package: its relay and the relays of its status packets (kind ``relay_status``: a recall, an
  answer) (the sender's clerk or client, documents.send).

A hub with role ``national`` (the default) relays nothing: every function here is then a no-op.

:mod:`.client` knows the parent (the role, who is behind it, the HTTP calls with this hub's
token); :mod:`.outbound` is below the hub (the hub calls it when it stores a package or a
status), :mod:`.inbound` above it (it hands what it pulls to the hub).
"""
