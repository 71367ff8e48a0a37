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


def test_the_secretariat_issues_on_the_page_and_secret_documents_are_refused(gov):
    client = _client(gov.secretary)
    assert client.get("/cabinet/new/").status_code == 200
    data = {"title": "Nghị quyết", "questions": "Thông qua?\nGiao Bộ Tư pháp?", "working_days": 3}
    secret = client.post("/cabinet/new/", {**data, "classification": "secret"})
    assert secret.status_code == 400 and "mật" in secret.content.decode()
    from egov.cabinet.models import Ballot

    assert not Ballot.objects.exists()
    response = client.post("/cabinet/new/", {**data, "classification": "normal"})
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.questions.count() == 2 and ballot.recipients.count() == 27
    assert _client(gov.members[1].official).get("/cabinet/new/").status_code == 403


def test_the_cabinet_link_shows_to_its_people_only(client, gov, django_assert_max_num_queries):
    """Members, assistants and the secretariat see "e-Cabinet" in the officials' navigation; an
    official of the same office without a cabinet role does not. One query decides it."""
    from egov.cabinet.access import takes_part

    from ..accounts.test_frame import nav

    for person, shown in (
        (gov.members[3].official, True),
        (gov.assistant, True),
        (gov.secretary, True),
        (gov.outsider, False),
    ):
        with django_assert_max_num_queries(1):
            assert takes_part(person.user) is shown
        client.force_login(person.user)
        links = nav(client.get("/workspace/").content.decode())
        assert ("/cabinet/" in links) is shown, person


def test_working_days_are_digits_only(gov):
    """Django's IntegerField read "1.000" as one working day: refused in Vietnamese now."""
    from egov.cabinet.models import Ballot

    client = _client(gov.secretary)
    data = {"title": "Nghị quyết", "questions": "Thông qua?", "classification": "normal"}
    for bad in ("1.000", "3,5", "ba"):
        response = client.post("/cabinet/new/", {**data, "working_days": bad})
        assert response.status_code == 400 and "Chỉ nhập chữ số" in response.content.decode()
        assert not Ballot.objects.exists()
    assert client.post("/cabinet/new/", {**data, "working_days": "5"}).status_code == 302
    assert Ballot.objects.get().working_days == 5
