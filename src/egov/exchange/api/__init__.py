"""Exchange API: the hub for connected systems. Thin: every change goes through the hub's
services.

- ``POST /exchange/packages/`` (documents.send): a signed edXML package, ``application/xml``;
  201 with the hub's signed receipt, 200 for an identical resend, 4xx naming what was refused.
- ``GET /exchange/packages/`` and ``/{id}/`` (documents.send): the sender's packages with the
  transport state and business status per recipient; ``/{id}/receipt/``; ``/{id}/trail/``;
  ``POST /{id}/retry/``: a new attempt at the failed relays to the parent hub of a package and of
  its status packets (provincial role).
- ``GET /exchange/mailbox/`` and ``/{id}/`` (documents.receive): deliveries to the caller's
  organisations (``?state=pending``, ``?recall=pending``); ``/{id}/package/`` the package;
  ``POST /{id}/acknowledge/``; ``GET /{id}/recall/`` the sender's recall (13) and ``POST
  /{id}/recall/acknowledge/``. Every acknowledge takes an optional ``{"refused", "reason"}``: the
  caller (a provincial hub) refused the item; kept, final, off the pending list.
- ``POST /exchange/statuses/`` (documents.receive): a signed status packet (02-06, 15, 16; a
  recall 13 also needs documents.send for the sending organisation).
- ``GET /exchange/statuses/`` and ``/{id}/`` (documents.send): the answers to the caller's
  packages (``?pending=true``, ``?after=<id>``), with their signed XML; ``POST
  /{id}/acknowledge/`` takes one off the pending list (how a provincial hub pulls from its parent).

The package: :mod:`.serializers` (what goes in and out), :mod:`.permissions` (the scope each
action needs), :mod:`.viewsets` (the endpoints, mounted by ``egov.exchange.api_urls``).
"""
