"""What every input to the hub goes through before anything is stored: the size limits,
edXML validation, the one enveloped signature, the sender in the registry; and how a refusal
is recorded (logged and audited in a transaction of its own, nothing of the input kept).

Also the hub's own organisation and the edXML clock, which every job of the hub uses.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.core.models import Organisation
from egov.core.services import audit
from egov.core.services.organisations import resolve, valid_on
from egov.core.signing import verify_xml
from egov.exchange import edxml
from egov.exchange.services.errors import HubError

logger = logging.getLogger(__name__)

VN = edxml.VN  # the standard's times carry no zone: Vietnam time


def max_package() -> int:
    return settings.EGOV_EXCHANGE_MAX_PACKAGE


def max_attachment() -> int:
    return settings.EGOV_EXCHANGE_MAX_ATTACHMENT


def hub_organisation(registry: dict[str, Organisation] | None = None) -> Organisation:
    code = settings.EGOV_INSTANCE_ORG_CODE
    org = (registry or {}).get(code) or resolve(code)
    if org is None:
        raise HubError(
            "hub_not_configured",
            _("The hub organisation %(code)s is not in the registry.") % {"code": code},
            # The hub is not set up yet (its code is not loaded): the sender may try again later.
            status=503,
        )
    return org


def now_vn() -> dt.datetime:
    """Now in Vietnam, naive, to the second: the edXML timestamps."""
    return timezone.now().astimezone(VN).replace(tzinfo=None, microsecond=0)


def record_refusal(actor, error: HubError, what: str, sha: str = "") -> HubError:
    logger.warning("exchange: %s refused: %s (%s)", what, error.code, error.message)
    with transaction.atomic():
        audit.record(
            actor=policy.actor_of(actor),
            action=f"exchange.{what}_refused",
            object_type="exchange.input",
            object_id=sha[:16],
            summary={"code": error.code, "element": error.element, "rule": error.rule},
        )
    return error


def load_and_verify(data: bytes, kind: str):
    """Parse, validate and verify; return (root, parsed object, signer code)."""
    if len(data) > max_package():
        raise HubError(
            "too_large",
            _("The package is larger than %(n)s bytes.") % {"n": max_package()},
            status=413,
        )
    try:
        # The size is capped above, so large attachments may exceed libxml2's text limit.
        root = edxml.load(data, huge=True)
        # Last in the root (ours) or in edXMLHeader (VNPT's SDK): see edxml.validate.
        signatures = edxml.signatures(root)
        if kind == "package":
            parsed = edxml.parse(root, max_attachment=max_attachment(), decode=False)
        else:
            parsed = edxml.parse_status(root)
    except edxml.EdxmlError as exc:
        code = {"size": "attachment_too_large", "doctype": "doctype_forbidden"}.get(
            exc.rule, f"invalid_{exc.rule}"
        )
        raise HubError(code, exc.message, element=exc.element, rule=exc.rule) from None
    if len(signatures) != 1:
        raise HubError(
            "signature_missing",
            _("The document must carry exactly one enveloped XML signature."),
            element="Signature",
            rule="required",
        )
    result = verify_xml(root, huge=True, location=signatures[0][0])
    if not result.valid:
        raise signature_refusal(result.error or "")
    return root, parsed, result.signer_code


def signature_refusal(error: str) -> HubError:
    """A failed verification told in the request's language, the cause named.

    The verifier's own text is English and technical: it is logged, not shown. Its causes are
    told apart by that text: "validation failed: ..." is the certificate chain check
    (cryptography's X.509 verifier, behind signxml's and egov's verifiers alike), whatever it
    tripped on first (an unknown issuer, a self-signed certificate, keyUsage): for the sender
    it all means the certificate is not from a CA the hub trusts.
    """
    logger.info("exchange: signature does not verify: %s", error)
    if error.startswith("validation failed"):
        return HubError(
            "signer_not_trusted",
            _(
                "The signer's certificate was not issued by a certification authority this hub "
                "trusts."
            ),
            element="Signature",
            rule="trust",
        )
    if "expired" in error or "not yet valid" in error:
        return HubError(
            "signer_certificate_expired",
            _("The signer's certificate is not valid at this time (expired or not yet valid)."),
            element="Signature",
            rule="trust",
        )
    return HubError(
        "signature_invalid",
        _(
            "The XML signature does not match the document (it was changed after signing, or "
            "the signature is malformed)."
        ),
        element="Signature",
        rule="signature",
    )


def organisations_on(codes, day: dt.date) -> dict[str, Organisation]:
    """The organisations bearing ``codes`` on ``day`` (with their mailbox), in one query.

    Per code the same row as ``resolve(code, day)``: the latest ``valid_from`` first.
    """
    rows = (
        Organisation.objects.filter(code__in=set(codes))
        .filter(valid_on(day))
        .select_related("mailbox")
        .order_by("code", F("valid_from").desc(nulls_last=True), "pk")
    )
    found: dict[str, Organisation] = {}
    for org in rows:
        found.setdefault(org.code, org)
    return found


def organisation(
    code: str, element: str, error_code: str, registry: dict[str, Organisation] | None = None
) -> Organisation:
    org = registry.get(code) if registry is not None else resolve(code, timezone.localdate())
    if org is None:
        raise HubError(
            error_code,
            _("No organisation has the code %(code)s.") % {"code": code},
            element=element,
            rule="registry",
        )
    return org


def check_sender(
    actor,
    signer_code: str | None,
    organ_id: str,
    scope: str | None,
    registry: dict[str, Organisation] | None = None,
) -> Organisation:
    """The organisation in From, signed by itself; ``scope``: the actor must hold it there
    (None: the input comes from the parent hub, which checked its caller)."""
    if signer_code != organ_id:
        raise HubError(
            "signer_mismatch",
            _("The package is signed by %(signer)s but sent as %(sender)s.")
            % {"signer": signer_code, "sender": organ_id},
            element="Signature",
            rule="signer",
        )
    org = organisation(organ_id, "From/OrganId", "unknown_sender", registry)
    if scope is not None and not policy.can(actor, scope, org):
        raise HubError(
            "not_your_organisation",
            _("You may not send for %(code)s.") % {"code": organ_id},
            status=403,
        )
    return org
