"""The hub: accept signed edXML packages, deliver them to mailboxes, route status packets.

One module per job, each state change in one transaction with its audit row and evidence row:

- :mod:`.packages`: packages in (accept, check, store, batches) and the hub's signed copy;
- :mod:`.deliveries`: the mailboxes (pushes to webhooks; acknowledge or refuse a pulled
  package, acknowledge a pulled recall);
- :mod:`.statuses`: status packets (02-06 answers, 13 recall and its 15/16 answers) and the
  reference of an update or replacement to the earlier document;
- :mod:`.from_parent`: packages pulled from the parent hub (provincial role);
- :mod:`.checks`: what every input goes through (size, edXML, signature, sender) and how a
  refusal is recorded.

Imports run one way: from_parent → packages → statuses → deliveries → checks. The relay to the
parent (:mod:`egov.exchange.services.relay`) sits below the hub for what goes up (its client
and outbound modules) and above it for what comes down (inbound).
"""
