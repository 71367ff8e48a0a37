"""Access-matrix rows of the dossier API (5a), used by tests/accounts/test_access_matrix.py.

Each case makes a dossier of commune A in the state its act needs; an official of A holding the
desk, processor and approver roles is the insider; officials of commune B and of another
province (whole subtree) are outsiders, and so are a plain user, an anonymous caller and an API
client of the other province.
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal

from egov.catalog.forms import default_form
from egov.catalog.models import ProcedureVersion
from egov.catalog.services import versions as catalog_versions
from egov.dossiers import services
from egov.dossiers.models import WorkflowStep

from ..accounts.officials_support import make_official
from .core_support import CONTENT, valid_form
from .web_support import small_signed_pdf

BASE = "/api/v1/dossiers/{dossier_code}/"


def _version():
    version = ProcedureVersion.objects.filter(procedure__code=CONTENT["code"]).first()
    if version is None:
        version = catalog_versions.create_procedure(CONTENT, actor="test")
        version = catalog_versions.publish(version, effective_from=dt.date(2020, 1, 1), actor="t")
        ProcedureVersion.objects.filter(pk=version.pk).update(application_form=default_form())
        version.refresh_from_db()
        for i, role in enumerate(["desk", "processor", "approver", "desk"]):
            WorkflowStep.objects.create(
                procedure_version=version, order=i, name=role, role=role, share=Decimal("0.25")
            )
    return version


def _case(setup, body=None):
    def case(t):
        version = _version()
        insider = make_official("all_a", t.a, "desk", "processor", "approver")
        applicant = services.ApplicantData(name="Lê Văn C", id_number="001099012399")
        dossier = services.register_in_person(
            actor=None,
            procedure_version=version,
            organisation=t.a,
            applicant=applicant,
            form_data=valid_form(None, version),
            receive=False,
        )
        dossier = setup(dossier) or dossier
        return {
            "id": dossier.code,
            "insider": insider.user,
            "outsiders": [
                make_official("all_b", t.b, "desk", "processor", "approver").user,
                make_official("all_q", t.q, "desk", "processor", "approver", subtree=True).user,
            ],
            "scopes": ["dossiers.read", "dossiers.receive", "dossiers.process"],
            "body": body(dossier, insider, t) if callable(body) else (body or {}),
        }

    return case


def _c(t):
    """Commune C of province P: it handles the procedure (communes do), and no outsider works
    there (the dossier it receives stays out of their sight)."""
    from egov.core.services import organisations as org_services
    from egov.core.services.organisations import OrganisationData

    return org_services.create_organisation(
        OrganisationData("000.00.03.H26", "Xã C", "commune", parent=t.p)
    )


def _received(d):
    return services.receive(d, actor=None)


def _processing(d):
    return services.start_processing(_received(d), actor=None)


def _second_step(d):
    return services.forward(_processing(d), actor=None)


def _supplement_requested(d):
    services.request_supplement(_received(d), actor=None, items=[{"name": "x"}])


def _fees_due(d):
    services.require_fees(_processing(d), actor=None, amount_vnd=1000)


def _processed(d):
    services.mark_processed(_processing(d), actor=None)


def _new(d):
    return d


REASON = {"reason": "Lý do"}
CASES = {
    (BASE, "get"): _case(_new),
    (BASE + "receive/", "post"): _case(_new),
    (BASE + "refuse/", "post"): _case(_new, REASON),
    (BASE + "request-supplement/", "post"): _case(_received, {"items": [{"name": "Ảnh"}]}),
    (BASE + "supplement/", "post"): _case(_supplement_requested),
    (BASE + "start-processing/", "post"): _case(_received),
    (BASE + "forward/", "post"): _case(_processing),
    (BASE + "return-to-step/", "post"): _case(
        _second_step,
        lambda d, o, t: {
            "step": WorkflowStep.objects.get(procedure_version=d.procedure_version, order=1).pk,
            "reason": "Thiếu",
        },
    ),
    (BASE + "assign/", "post"): _case(_processing, lambda d, o, t: {"official": o.pk}),
    (BASE + "require-fees/", "post"): _case(_processing, {"amount_vnd": 5000}),
    (BASE + "fees-paid/", "post"): _case(_fees_due),
    (BASE + "approve/", "post"): _case(_processing),
    (BASE + "mark-processed/", "post"): _case(_processing),
    (BASE + "return-result/", "post"): _case(_processed),
    (BASE + "withdraw/", "post"): _case(_new, REASON),
    (BASE + "stop/", "post"): _case(_received, REASON),
    (BASE + "transfer/", "post"): _case(_processing, lambda d, o, t: {"organisation": _c(t).code}),
    (BASE + "apology/", "post"): _case(
        _received,
        lambda d, o, t: {
            "reason": "Chậm",
            "new_due_at": (d.due_at + dt.timedelta(days=5)).isoformat(),
        },
    ),
    (BASE + "result/", "post"): _case(
        _processing,
        lambda d, o, t: {
            "filename": "kq.pdf",
            "content_base64": base64.b64encode(small_signed_pdf(t.a)).decode(),
            "name": "KQ",
        },
    ),
}
