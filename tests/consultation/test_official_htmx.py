"""htmx on the officials' pages: answering comments and the moderation's hide and restore post
to the same URLs; a request with ``HX-Request`` gets back the part of the page it changed (the
answering part with the counts out of band, the comment's row of the queue), a refusal that part
with its reason (4xx kept, nothing written); a plain request the redirect, as before."""

from __future__ import annotations

from egov.consultation import services
from egov.consultation.models import Answer, Comment, Moderation
from egov.core.models import AuditEntry

from .conftest import make_citizen

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
HX = {"HTTP_HX_REQUEST": "true", **VI}


def _comment(person, consultation, text, anchor=""):
    return services.submit(person, consultation, services.CommentData(text, anchor))


def _explained(text="Giữ nguyên vì lý do an toàn"):
    return {"kind": "explained", "text": text}


def test_the_pages_carry_htmx_and_keep_their_plain_forms(client, world, consultation):
    comment = _comment(world.citizen, consultation, "Bỏ giấy chứng nhận", "dieu-3.khoan-1")
    services.report(world.citizens[0], comment, reason="spam")
    url = f"/consultation/manage/{consultation.code}/"
    client.force_login(world.lead)
    html = client.get(url, **VI).content.decode()
    answer = f"{url}answer/"
    assert f'action="{answer}" hx-post="{answer}" hx-target="#answering"' in html
    assert '<div id="answering" data-swap-refusals>' in html
    queue = client.get("/consultation/manage/moderation/", **VI).content.decode()
    hide = f"/consultation/manage/comments/{comment.pk}/hide/"
    assert f'action="{hide}" hx-post="{hide}" hx-target="#comment-{comment.pk}"' in queue


def test_answering_with_htmx_swaps_the_answering_part(client, world, consultation):
    a = _comment(world.citizen, consultation, "Bỏ giấy chứng nhận", "dieu-3.khoan-1")
    b = _comment(world.citizens[1], consultation, "Giữ giấy sức khỏe", "dieu-3.khoan-2.diem-b")
    client.force_login(world.drafter)
    url = f"/consultation/manage/{consultation.code}/answer/"
    before = AuditEntry.objects.count()
    # Refused (no reason): the part again with the reason and what was typed; nothing written.
    refused = client.post(url, {"comments": [a.pk], "kind": "explained"}, **HX)
    html = refused.content.decode()
    assert refused.status_code == 400 and html.startswith('<div id="answering"')
    assert "<html" not in html and "govuk-error-summary" in html
    assert f'value="{a.pk}" checked' in html
    assert not Answer.objects.exists() and AuditEntry.objects.count() == before
    done = client.post(url, {"comments": [a.pk], **_explained()}, **HX)
    html = done.content.decode()
    assert done.status_code == 200 and html.startswith('<div id="answering"')
    assert "<html" not in html and "Đã trả lời góp ý." in html
    # a left the unanswered list for the latest answers; b is still to answer.
    unanswered, latest = html.split("Các trả lời gần đây")
    assert f'value="{a.pk}"' not in unanswered and f'value="{b.pk}"' in unanswered
    assert "Bỏ giấy chứng nhận" in latest and "Giữ nguyên vì lý do an toàn" in latest
    # The counts of the page's summary come along, out of band.
    assert 'id="comment-counts" hx-swap-oob="true"' in html
    assert "1 chưa được trả lời" in html.split('id="comment-counts"')[1].split("</dd>")[0]
    assert Answer.objects.count() == 1
    # The same post without htmx: the redirect, as before.
    plain = client.post(url, {"comments": [b.pk], **_explained()})
    assert (
        plain.status_code == 302
        and plain["Location"] == f"/consultation/manage/{consultation.code}/"
    )


def test_hiding_and_restoring_with_htmx_swap_the_row(client, world, consultation):
    reported = _comment(world.citizen, consultation, "Quảng cáo bán hàng", "dieu-1")
    services.report(world.citizens[0], reported, reason="spam")
    plain = _comment(world.citizens[1], consultation, "Ý kiến bình thường", "dieu-1")
    client.force_login(world.lead)
    hide = f"/consultation/manage/comments/{reported.pk}/hide/"
    row = f'<div class="govuk-summary-card" id="comment-{reported.pk}"'
    before = AuditEntry.objects.count()
    refused = client.post(hide, {"reason": ""}, **HX)
    html = refused.content.decode()
    assert refused.status_code == 400 and html.startswith(row)
    assert "<html" not in html and "govuk-error-summary" in html
    assert AuditEntry.objects.count() == before
    assert Comment.objects.get(pk=reported.pk).moderation != Moderation.HIDDEN
    done = client.post(hide, {"reason": "Quảng cáo"}, **HX)
    html = done.content.decode()
    assert done.status_code == 200 and html.startswith(row)
    assert "<html" not in html and "Đã ẩn góp ý" in html and "Quảng cáo bán hàng" in html
    # Hidden now: the row offers restoring, not hiding.
    assert (
        f"/comments/{reported.pk}/restore/" in html and f"/comments/{reported.pk}/hide/" not in html
    )
    assert Comment.objects.get(pk=reported.pk).moderation == Moderation.HIDDEN
    # Decided from one consultation's queue: the row keeps the way back to it.
    back = client.post(
        f"/consultation/manage/comments/{reported.pk}/restore/",
        {"reason": "", "consultation": consultation.code},
        **HX,
    )
    html = back.content.decode()
    assert back.status_code == 200 and "Góp ý đã được hiển thị lại." in html
    assert f'name="consultation" value="{consultation.code}"' in html
    # A comment hidden with no report leaves the queue once restored: the row says so.
    client.post(f"/consultation/manage/comments/{plain.pk}/hide/", {"reason": "Thử"}, **HX)
    gone = client.post(f"/consultation/manage/comments/{plain.pk}/restore/", {"reason": ""}, **HX)
    html = gone.content.decode()
    assert gone.status_code == 200 and f'id="comment-{plain.pk}"' in html
    assert "Ý kiến bình thường" not in html and "Góp ý đã được hiển thị lại." in html
    assert "Góp ý không còn trong hàng chờ kiểm duyệt." in html
    # The same post without htmx: the redirect, as before.
    again = client.post(hide, {"reason": "Quảng cáo"})
    assert again.status_code == 302 and again["Location"] == "/consultation/manage/moderation/"


def test_htmx_changes_nobodys_rights(client, world, consultation):
    comment = _comment(world.citizen, consultation, "Tin rác", "dieu-1")
    services.report(make_citizen("r1", "001099000771"), comment, reason="spam")
    before = AuditEntry.objects.count()
    client.force_login(world.outsider)
    assert (
        client.post(
            f"/consultation/manage/comments/{comment.pk}/hide/", {"reason": "x"}, **HX
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/consultation/manage/{consultation.code}/answer/",
            {"comments": [comment.pk], **_explained()},
            **HX,
        ).status_code
        == 404
    )
    client.force_login(world.citizen)
    assert (
        client.post(
            f"/consultation/manage/comments/{comment.pk}/hide/", {"reason": "x"}, **HX
        ).status_code
        == 403
    )
    assert AuditEntry.objects.count() == before and not Answer.objects.exists()
