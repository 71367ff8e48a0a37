"""The consultation's demo step: regulations with costs, an open consultation, the demo
citizens' comments with two answers, a reform plan; made once; no comments without an e-ID
provider."""

from __future__ import annotations

import pytest

from egov.consultation import demo
from egov.consultation.models import (
    Answer,
    AnswerKind,
    Comment,
    Consultation,
    DraftVersion,
    Phase,
    ReformItem,
    Regulation,
)
from egov.core.models import AuditEntry
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData

pytestmark = pytest.mark.django_db


@pytest.fixture
def ministry(settings):
    settings.PRODUCTION = False
    return org_services.create_organisation(
        OrganisationData("000.00.00.G02", "Bộ Công Thương", "central")
    )


def _counts():
    models = (Regulation, Consultation, DraftVersion, Comment, Answer, ReformItem, AuditEntry)
    return [m.objects.count() for m in models]


def test_the_demo_consultation_is_made_once(ministry, settings):
    settings.EGOV_OIDC_ISSUER = "http://127.0.0.1:9999"
    lines = []
    demo.load(lines.append)
    consultation = Consultation.objects.get()
    assert consultation.phase == Phase.COMMENTS and consultation.organisation == ministry
    assert Regulation.objects.filter(organisation=ministry).count() == 3
    assert all(r.cost > 0 for r in Regulation.objects.all())
    comments = Comment.objects.filter(consultation=consultation)
    assert {c.author_name for c in comments} == {"Nguyễn Văn An", "Trần Thị Bình"}
    assert comments.count() == 5 and DraftVersion.objects.count() == 2
    kinds = sorted(Answer.objects.values_list("kind", flat=True))
    assert kinds == [AnswerKind.ACCEPTED, AnswerKind.EXPLAINED]
    assert ReformItem.objects.filter(plan__organisation=ministry).count() == 2
    assert AuditEntry.objects.filter(action="consultation.comment.answer").count() == 2
    assert "soanthao" in lines[0] and "5 comments" in lines[0]
    before = _counts()
    demo.load(lines.append)
    assert _counts() == before


def test_without_an_e_id_provider_there_are_no_comments(ministry, settings):
    settings.EGOV_OIDC_ISSUER = ""
    lines = []
    demo.load(lines.append)
    assert Consultation.objects.count() == 1 and not Comment.objects.exists()
    assert DraftVersion.objects.count() == 1  # the next version comes with the answers
    assert "no demo citizens' comments" in lines[0]


def test_no_demo_consultation_in_production(settings, db):
    settings.PRODUCTION = True
    lines = []
    demo.load(lines.append)
    assert not Regulation.objects.exists() and "Production" in lines[0]
