"""The page where a person logged in with the e-ID reports a published comment: a link on
each comment in the margin, a form of reasons, back to the comment with a message; refused
(twice, hidden, no reason, another consultation's comment) with the reason and nothing
changed; the third report hides the comment until a moderator reviews it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from egov.consultation import services
from egov.consultation.models import Comment, Moderation, Report
from egov.core.models import AuditEntry

pytestmark = pytest.mark.django_db
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def _snapshot():
    return (Report.objects.count(), AuditEntry.objects.count())


@pytest.fixture
def comment(world, consultation):
    return services.submit(
        world.citizen, consultation, services.CommentData("Mua hàng giá rẻ tại đây", "dieu-3")
    )


def _url(comment):
    return f"/consultation/{comment.consultation.code}/comments/{comment.pk}/report/"


def test_each_comment_links_to_its_report_form(client, comment):
    page = client.get(f"/consultation/{comment.consultation.code}/", **VI).content.decode()
    assert f'href="{_url(comment)}" rel="nofollow">Báo cáo vi phạm</a>' in page


def test_an_anonymous_reader_is_sent_to_the_e_id_login(client, comment):
    before = _snapshot()
    for response in (client.get(_url(comment)), client.post(_url(comment), {"reason": "spam"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("oidc-login") + "?next=/consultation/")
        assert f"{comment.pk}/report/" in response["Location"]
    assert _snapshot() == before


def test_a_citizen_reports_once_and_the_third_report_hides(client, world, comment):
    client.force_login(world.citizens[0])
    form = client.get(_url(comment), **VI).content.decode()
    assert "Mua hàng giá rẻ tại đây" in form and 'value="off_topic"' in form
    done = client.post(_url(comment), {"reason": "spam"}, **VI)
    assert done.status_code == 302
    assert done["Location"] == f"/consultation/{comment.consultation.code}/#comment-{comment.pk}"
    page = client.get(done["Location"], **VI).content.decode()
    assert "Cảm ơn bạn: báo cáo đã được gửi tới người kiểm duyệt." in page
    report = Report.objects.get(comment=comment)
    assert (report.reporter, report.reason) == (world.citizens[0], "spam")
    assert AuditEntry.objects.filter(action="consultation.comment.report").count() == 1

    # A second report by the same person: refused, nothing changed.
    before = _snapshot()
    again = client.post(_url(comment), {"reason": "offensive"}, **VI)
    assert again.status_code == 400
    assert "Bạn đã báo cáo góp ý này rồi." in again.content.decode()
    assert _snapshot() == before

    # No reason, or one not on the list: refused.
    client.force_login(world.citizens[1])
    for body in ({}, {"reason": "boring"}):
        refused = client.post(_url(comment), body, **VI)
        assert refused.status_code == 400
        assert "Chọn lý do: thư rác, xúc phạm hoặc không đúng chủ đề." in refused.content.decode()
        assert _snapshot() == before

    assert client.post(_url(comment), {"reason": "off_topic"}).status_code == 302
    client.force_login(world.citizens[2])
    assert client.post(_url(comment), {"reason": "offensive"}).status_code == 302
    comment.refresh_from_db()
    assert (comment.moderation, comment.reports_count) == (Moderation.PENDING, 3)
    assert AuditEntry.objects.filter(action="consultation.comment.auto_hide").count() == 1

    # Hidden now: no form (its text not shown) and a report is refused.
    client.force_login(world.citizens[3])
    gone = client.get(_url(comment), **VI)
    assert gone.status_code == 404 and "Góp ý này không được công khai." in gone.content.decode()
    before = _snapshot()
    hidden = client.post(_url(comment), {"reason": "spam"}, **VI)
    assert hidden.status_code == 400
    html = hidden.content.decode()
    assert "Góp ý này không được công khai." in html and "Mua hàng giá rẻ" not in html
    assert _snapshot() == before


def test_an_unknown_comment_or_another_consultations_is_not_found(client, world, comment):
    client.force_login(world.citizens[0])
    code = comment.consultation.code
    before = _snapshot()
    for url in (
        f"/consultation/{code}/comments/{comment.pk + 1000}/report/",
        f"/consultation/LYK-1900-0001/comments/{comment.pk}/report/",
    ):
        response = client.post(url, {"reason": "spam"}, **VI)
        assert response.status_code == 404
        assert "Không có góp ý này trong đợt lấy ý kiến." in response.content.decode()
    assert _snapshot() == before
    assert Comment.objects.get(pk=comment.pk).reports_count == 0
