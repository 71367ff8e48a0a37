"""The moderation queue of one consultation: the leader narrows the queue to a consultation
they moderate (a plain GET form, each consultation with its comments waiting), decides there
and comes back to it; a consultation of another agency is not theirs to see (404)."""

from __future__ import annotations

from egov.consultation import services
from egov.consultation.models import Comment, Moderation
from egov.core.models import AuditEntry

from .conftest import TEXT_V1, make_citizen, window

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
QUEUE = "/consultation/manage/moderation/"


def _second(world):
    draft = services.create_draft(
        world.drafter, world.m, title="Dự thảo thứ hai", doc_type="decree", text=TEXT_V1
    )
    c = services.create_consultation(world.drafter, draft, title="Lần hai", windows=window())
    return services.make(world.drafter, c, "open_comments")


def _reported(person, reporters, consultation, text, times=1):
    comment = services.submit(person, consultation, services.CommentData(text, "dieu-1"))
    for reporter in reporters[:times]:
        services.report(reporter, comment, reason="spam")
    return comment


def test_the_queue_of_one_consultation(client, world, consultation, django_assert_max_num_queries):
    other = _second(world)
    reporters = [make_citizen(f"r{i}", f"00109900077{i}") for i in range(3)]
    first = _reported(world.citizen, reporters, consultation, "Quảng cáo ở lần một", times=3)
    second = _reported(world.citizens[0], reporters, other, "Lạc đề ở lần hai")
    client.force_login(world.lead)
    everything = client.get(QUEUE, **VI).content.decode()
    assert "Quảng cáo ở lần một" in everything and "Lạc đề ở lần hai" in everything
    # The filter lists the consultations moderated, each with its comments waiting for review.
    assert f'<option value="{consultation.code}">Lấy ý kiến dự thảo Nghị định' in everything
    assert "· 1 chờ xem xét</option>" in everything
    url = f"{QUEUE}?consultation={other.code}"
    with django_assert_max_num_queries(20) as few:
        one = client.get(url, **VI).content.decode()
    assert "Lạc đề ở lần hai" in one and "Quảng cáo ở lần một" not in one
    assert f'<option value="{other.code}" selected>' in one
    for i in range(4):
        _reported(world.citizens[1 + i % 3], reporters, other, f"Thêm {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, **VI).content.decode().count('class="govuk-summary-card"') == 5
    # A decision made from the consultation's queue comes back to it.
    decided = client.post(
        f"/consultation/manage/comments/{second.pk}/hide/",
        {"reason": "Lạc đề", "consultation": other.code},
    )
    assert decided.status_code == 302 and decided["Location"] == url
    assert Comment.objects.get(pk=second.pk).moderation == Moderation.HIDDEN
    # A refused decision shows that queue again with the reason.
    refused = client.post(
        f"/consultation/manage/comments/{first.pk}/hide/",
        {"reason": "", "consultation": consultation.code},
        **VI,
    )
    html = refused.content.decode()
    assert refused.status_code == 400 and "Quảng cáo ở lần một" in html
    assert "Lạc đề ở lần hai" not in html
    # The consultation page links to its queue.
    page = client.get(f"/consultation/manage/{consultation.code}/", **VI).content.decode()
    assert f"{QUEUE}?consultation={consultation.code}" in page


def test_a_consultation_not_moderated_is_not_shown(client, world, consultation):
    comment = _reported(world.citizen, [world.citizens[0]], consultation, "Tin rác")
    before = AuditEntry.objects.count()
    client.force_login(world.outsider)  # the other ministry's leader
    refused = client.get(f"{QUEUE}?consultation={consultation.code}", **VI)
    assert refused.status_code == 404 and "Tin rác" not in refused.content.decode()
    assert client.get(f"{QUEUE}?consultation=LYK-0000", **VI).status_code == 404
    own = client.get(QUEUE, **VI).content.decode()
    assert consultation.code not in own and "Tin rác" not in own
    client.force_login(world.drafter)  # at the agency, but not a moderator
    assert client.get(f"{QUEUE}?consultation={consultation.code}", **VI).status_code == 403
    assert AuditEntry.objects.count() == before and comment.reports.count() == 1
