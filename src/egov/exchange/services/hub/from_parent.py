"""Packages from the parent hub (provincial role): a package the inbound relay pulled from the
parent's mailbox, from a sender outside this hub's organisations for recipients inside them.
Stored as any package is (:func:`.packages.store_many`), without a receipt of this hub (the
parent gave the sender its own), and delivered here to the recipients inside only.
"""

from __future__ import annotations

import hashlib

from django.utils import timezone
from django.utils.translation import gettext as _

from egov.core.models import Organisation
from egov.exchange.models import Package
from egov.exchange.services.errors import HubError
from egov.exchange.services.hub import checks, packages, statuses
from egov.exchange.services.hub.packages import Accepted
from egov.exchange.services.relay import client as parent_hub


def accept_from_parent(data: bytes) -> Accepted:
    """A package pulled from the parent hub (provincial role): from a sender outside this hub's
    subtree, for recipients inside it. The sender's signature is checked as for any package;
    the parent checked who sent it. Delivered here to the recipients inside the subtree only."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        return _accept_from_parent(data, sha)
    except HubError as error:
        raise checks.record_refusal("system:parent", error, "parent_package", sha) from None


def _accept_from_parent(data: bytes, sha: str) -> Accepted:
    root, pkg, signer = checks.load_and_verify(data, "package")
    h = pkg.header
    sender = checks.check_sender("system:parent", signer, h.from_.organ_id, None)
    resend = packages.resend(h, sha, Package.objects.filter(document_id=h.document_id).first())
    if resend is not None:
        return resend
    hub = checks.hub_organisation()
    if not parent_hub.relays(sender, hub):
        raise HubError(
            "not_inward",
            _("A package of this hub's own organisations does not come from the parent hub."),
            element="MessageHeader/From/OrganId",
            rule="relay",
        )
    # One query for the recipients (each as resolve() would find it), with their mailboxes.
    registry = checks.organisations_on([to.organ_id for to in h.to], timezone.localdate())
    recipients: list[Organisation] = []
    for to in h.to:
        org = registry.get(to.organ_id)
        if org is not None and not parent_hub.relays(org, hub) and org not in recipients:
            recipients.append(org)
    if not recipients:
        raise HubError(
            "no_recipient",
            _("No recipient of this package is in this hub's organisations."),
            element="MessageHeader/To",
            rule="registry",
        )
    item = packages.Checked(
        data,
        sha,
        root,
        pkg,
        sender=sender,
        recipients=recipients,
        earlier=statuses.referenced(pkg, sender),
    )
    stored = packages.store_many([item], hub, "system:parent", inward=True)
    if stored is None:
        existing = Package.objects.filter(document_id=h.document_id, sha256=sha).first()
        return Accepted(existing, b"", created=False)
    return Accepted(stored[0][0], b"", created=True)
