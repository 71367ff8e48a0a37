"""The sealed tally report (egov.cabinet.services.report), made by the outbox's worker."""

import pytest
from django.core.management import call_command

from egov.cabinet.models import Ballot
from egov.core.signing import verify_pdf

from .conftest import issue, vote


@pytest.mark.django_db(transaction=True)
@pytest.mark.outbox
def test_the_decided_ballot_gets_a_sealed_report(gov):
    ballot = issue(gov, allow_assistants=True)
    for member in gov.members[1:14]:
        vote(ballot, member, "agree")
    vote(ballot, gov.members[20], "other", "Đề nghị làm rõ kinh phí")
    from egov.cabinet.services import ballots

    ballots.answer_as(gov.assistant.user, ballot, ballot.questions.first(), "agree", member=gov.pm)
    call_command("worker", batch=True)
    ballot = Ballot.objects.get(pk=ballot.pk)
    pdf = bytes(ballot.report_pdf)
    check = verify_pdf(pdf)
    assert check.valid, check
    assert pdf.startswith(b"%PDF-")
