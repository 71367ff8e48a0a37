"""The member's ballot page (no JavaScript: a form round trip) and who sees what."""

from django.test import Client

from egov.cabinet.models import Answer

from .conftest import issue


def _client(official):
    client = Client()
    client.force_login(official.user)
    return client


def test_a_member_answers_on_the_page_and_sees_the_tally(gov):
    ballot = issue(gov, members=[m.pk for m in gov.members[:5]])
    member = gov.members[1]
    client = _client(member.official)
    page = client.get(f"/cabinet/{ballot.number}/")
    assert page.status_code == 200 and "Đồng ý" in page.content.decode()
    question = ballot.questions.first()
    answer = {"member": member.pk, "question": question.pk, "choice": "agree"}
    assert client.post(f"/cabinet/{ballot.number}/", answer).status_code == 302
    assert Answer.objects.get().member == member
    fragment = client.get(f"/cabinet/{ballot.number}/tally/").content.decode()
    assert "1 / 27" in fragment
    # Someone not asked sees nothing of it.
    assert _client(gov.members[10].official).get(f"/cabinet/{ballot.number}/").status_code == 404
    assert _client(gov.secretary).get(f"/cabinet/{ballot.number}/").status_code == 200


def test_other_without_text_is_refused_on_the_page(gov):
    ballot = issue(gov)
    member = gov.members[1]
    client = _client(member.official)
    data = {"member": member.pk, "question": ballot.questions.first().pk, "choice": "other"}
    page = client.post(f"/cabinet/{ballot.number}/", data, follow=True)
    assert "ý kiến khác" in page.content.decode()
    assert not Answer.objects.exists()
