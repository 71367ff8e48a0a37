"""The drafting agency's pages: its consultations with their counts (queries not growing with
rows), a consultation's unanswered comments (a group shown once with its count) answered one
by one or together, the phases moved on (the gate's refusal as a message, nothing changed),
the result published with its files, and the moderation queue (hidden text for moderators,
acts audited). Bad input: 4xx with the reason, nothing written."""

from __future__ import annotations

from egov.consultation import services
from egov.consultation.models import Answer, Comment, Consultation, Moderation, Phase
from egov.core.models import AuditEntry

from .conftest import TEXT_V1, TEXT_V2, make_citizen, window

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def _comment(person, consultation, text, anchor=""):
    return services.submit(person, consultation, services.CommentData(text, anchor))


def test_the_workspace_lists_the_agencys_consultations_with_counts(
    client, world, draft, consultation, django_assert_max_num_queries
):
    _comment(world.citizen, consultation, "Bỏ giấy chứng nhận", "dieu-3.khoan-1")
    _comment(world.citizens[0], consultation, "bỏ giấy chứng nhận!", "dieu-3.khoan-1")
    _comment(world.citizens[1], consultation, "Ý kiến chung")
    client.force_login(world.drafter)
    with django_assert_max_num_queries(20) as first:
        page = client.get("/consultation/manage/", **VI)
    assert page.status_code == 200
    html = page.content.decode()
    assert consultation.title in html and "Bộ Công Thương" in html
    row = html.split(consultation.title)[1].split("</tr>")[0]
    # 3 received, 2 published (the duplicate is grouped), 2 without an answer.
    assert [c.split("<")[0] for c in row.split('numeric">')[1:]] == ["3", "2", ""]
    assert 'govuk-tag--orange">2<' in row
    for i in range(5):
        c = services.create_consultation(world.drafter, draft, title=f"Đợt {i}", windows=window())
        services.make(world.drafter, c, "open_comments")
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get("/consultation/manage/", **VI)
    assert page.content.decode().count("/consultation/manage/LYK-") == 6
    # Another ministry's official sees none of them; the nav link is there for both.
    client.force_login(world.outsider)
    html = client.get("/consultation/manage/", **VI).content.decode()
    assert consultation.title not in html and 'href="/consultation/manage/"' in html


def test_answering_one_comment_and_a_group(client, world, consultation):
    a = _comment(world.citizen, consultation, "Bỏ giấy chứng nhận", "dieu-3.khoan-1")
    _comment(world.citizens[0], consultation, "Bỏ giấy chứng nhận.", "dieu-3.khoan-1")
    b = _comment(world.citizens[1], consultation, "Giữ giấy sức khỏe", "dieu-3.khoan-2.diem-b")
    client.force_login(world.drafter)
    url = f"/consultation/manage/{consultation.code}/"
    html = client.get(url, **VI).content.decode()
    # The group shown once, with its count; units by their names, not their anchors.
    assert html.count("Bỏ giấy chứng nhận") == 1 and "2 góp ý giống nhau" in html
    assert "Khoản 1 Điều 3" in html and "Điểm b khoản 2 Điều 3" in html
    assert "dieu-3.khoan-1<" not in html
    # Accepted before a later version exists: refused, nothing written.
    before = AuditEntry.objects.count()
    refused = client.post(
        f"{url}answer/",
        {"comments": [a.pk], "kind": "accepted", "text": "Đã sửa", "changed_anchor": "dieu-3"},
        **VI,
    )
    assert refused.status_code == 400
    assert "Hãy đăng phiên bản tiếp theo" in refused.content.decode()
    assert AuditEntry.objects.count() == before and not Answer.objects.exists()
    services.make(world.drafter, consultation, "close_comments")
    services.add_version(world.drafter, consultation.draft, text=TEXT_V2)
    # A clause that is not in the draft's latest version (a wrong draft's anchor): 400.
    refused = client.post(
        f"{url}answer/",
        {"comments": [a.pk], "kind": "accepted", "text": "Đã sửa", "changed_anchor": "dieu-99"},
        **VI,
    )
    assert refused.status_code == 400 and "dieu-99" in refused.content.decode()
    # An unchanged clause: 400.
    refused = client.post(
        f"{url}answer/",
        {
            "comments": [b.pk],
            "kind": "accepted",
            "text": "Đã sửa",
            "changed_anchor": "dieu-3.khoan-2.diem-b",
        },
        **VI,
    )
    assert refused.status_code == 400 and not Answer.objects.exists()
    # Explained without a reason: 400, what was typed kept.
    refused = client.post(f"{url}answer/", {"comments": [b.pk], "kind": "explained"}, **VI)
    assert refused.status_code == 400 and f'value="{b.pk}" checked' in refused.content.decode()
    # A comment id that is not a number, or of no consultation: 400.
    assert client.post(f"{url}answer/", {"comments": ["x"], **_explained()}).status_code == 400
    assert client.post(f"{url}answer/", {"comments": [99999], **_explained()}).status_code == 400
    assert not Answer.objects.exists()
    done = client.post(
        f"{url}answer/",
        {
            "comments": [a.pk],
            "kind": "accepted",
            "text": "Bỏ giấy chứng nhận",
            "changed_anchor": "dieu-3.khoan-1",
        },
    )
    assert done.status_code == 302
    answer = Answer.objects.get()
    assert (
        answer.changed_unit.anchor == "dieu-3.khoan-1" and answer.changed_unit.version.number == 2
    )
    done = client.post(f"{url}answer/", {"comments": [b.pk], **_explained()})
    assert done.status_code == 302
    html = client.get(url, **VI).content.decode()
    assert "Mọi góp ý đã công khai đều đã được trả lời" in html
    assert "Khoản 1, phiên bản 2" in html
    # Answered twice: 400.
    assert client.post(f"{url}answer/", {"comments": [b.pk], **_explained()}).status_code == 400


def _explained():
    return {"kind": "explained", "text": "Giữ như dự thảo vì lý do an toàn"}


def test_another_agency_cannot_answer(client, world, consultation):
    a = _comment(world.citizen, consultation, "Ý kiến", "dieu-1")
    client.force_login(world.outsider)
    url = f"/consultation/manage/{consultation.code}/answer/"
    refused = client.post(url, {"comments": [a.pk], **_explained()}, **VI)
    assert refused.status_code == 404
    assert "Không có cuộc lấy ý kiến nào" in refused.content.decode()
    assert not Answer.objects.exists()


def test_the_gate_refuses_with_its_reason_then_the_result_is_published(client, world, consultation):
    a = _comment(world.citizen, consultation, "Ý kiến", "dieu-1")
    client.force_login(world.drafter)
    url = f"/consultation/manage/{consultation.code}/"
    assert client.post(f"{url}act/close-comments/").status_code == 302
    html = client.get(url, **VI).content.decode()
    # The refusal is shown before the button is pressed.
    assert "1 góp ý đã công khai chưa được trả lời" in html
    before = AuditEntry.objects.count()
    refused = client.post(f"{url}act/publish-result/", **VI)
    assert refused.status_code == 409
    assert "1 góp ý đã công khai chưa được trả lời" in refused.content.decode()
    consultation.refresh_from_db()
    assert consultation.phase == Phase.ANSWERS and AuditEntry.objects.count() == before
    # An act the phase does not allow: 409; an unknown act: 404.
    assert client.post(f"{url}act/open-debate/", **VI).status_code == 409
    assert client.post(f"{url}act/nothing/", **VI).status_code == 404
    services.answer(world.drafter, consultation, [a.pk], kind="explained", text="Giữ")
    assert client.post(f"{url}act/publish-result/").status_code == 302
    consultation.refresh_from_db()
    assert consultation.phase == Phase.RESULT
    html = client.get(url, **VI).content.decode()
    assert f"/consultation/{consultation.code}/tiep-thu-giai-trinh.pdf" in html
    assert f"/consultation/{consultation.code}/tiep-thu-giai-trinh.docx" in html


def test_the_moderation_queue(client, world, consultation, django_assert_max_num_queries):
    spam = _comment(world.citizen, consultation, "Mua hàng giá rẻ tại đây", "dieu-1")
    for person, reason in zip(world.citizens[:3], ["spam", "spam", "offensive"], strict=True):
        services.report(person, spam, reason=reason)
    one = _comment(world.citizens[3], consultation, "Ý kiến bình thường", "dieu-2")
    services.report(world.citizen, one, reason="off_topic")
    # The drafter (processor) does not moderate; the leader does.
    client.force_login(world.drafter)
    assert client.get("/consultation/manage/moderation/", **VI).status_code == 403
    client.force_login(world.lead)
    with django_assert_max_num_queries(20) as first:
        page = client.get("/consultation/manage/moderation/", **VI)
    html = page.content.decode()
    assert page.status_code == 200
    # The hidden text is shown to the moderator, with the reports' reasons counted.
    assert "Mua hàng giá rẻ tại đây" in html and "Thư rác: 2" in html and "Xúc phạm: 1" in html
    assert html.index("Mua hàng giá rẻ") < html.index("Ý kiến bình thường")  # waiting first
    extra = make_citizen("citizen_9", "001099000099")
    for i in range(4):
        c = _comment(world.citizens[i], consultation, f"Góp ý số {i}", "dieu-3")
        services.report(extra, c, reason="spam")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/consultation/manage/moderation/", **VI)
    # Hiding needs a reason: 400, nothing changes.
    url = f"/consultation/manage/comments/{spam.pk}/"
    before = AuditEntry.objects.count()
    assert client.post(f"{url}hide/", {"reason": ""}, **VI).status_code == 400
    assert AuditEntry.objects.count() == before
    assert client.post(f"{url}hide/", {"reason": "Quảng cáo"}).status_code == 302
    spam.refresh_from_db()
    assert spam.moderation == Moderation.HIDDEN and spam.text == "Mua hàng giá rẻ tại đây"
    entry = AuditEntry.objects.filter(action="consultation.comment.hide").get()
    assert entry.summary["reason"] == "Quảng cáo"
    # Hidden twice: 409. Hidden text never on the public page.
    assert client.post(f"{url}hide/", {"reason": "Lại"}, **VI).status_code == 409
    public = client.get(f"/consultation/{consultation.code}/", **VI).content.decode()
    assert "Mua hàng giá rẻ" not in public
    assert client.post(f"{url}restore/", {"reason": "Nhầm"}).status_code == 302
    spam.refresh_from_db()
    assert spam.moderation == Moderation.VISIBLE
    assert AuditEntry.objects.filter(action="consultation.comment.restore").count() == 1
    # Another ministry's moderator: 404 with a message, nothing changes.
    client.force_login(world.outsider)
    refused = client.post(f"{url}hide/", {"reason": "x"}, **VI)
    assert refused.status_code == 404 and "<h1" in refused.content.decode()
    assert Comment.objects.get(pk=spam.pk).moderation == Moderation.VISIBLE
    html = client.get("/consultation/manage/moderation/", **VI).content.decode()
    assert "Mua hàng giá rẻ" not in html


def test_the_drafts_list_reads_a_fixed_number_of_queries(
    client, world, draft, django_assert_max_num_queries
):
    client.force_login(world.drafter)
    with django_assert_max_num_queries(20) as first:
        client.get("/consultation/manage/drafts/", **VI)
    for i in range(4):
        services.create_draft(
            world.drafter, world.m, title=f"Dự thảo {i}", doc_type="decree", text=TEXT_V1
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get("/consultation/manage/drafts/", **VI).content.decode()
    assert html.count("/consultation/manage/drafts/DT-") == 5
    client.force_login(world.outsider)
    assert (
        "/consultation/manage/drafts/DT-"
        not in client.get("/consultation/manage/drafts/", **VI).content.decode()
    )


def test_drafts_typed_from_docx_versions_and_comparison(client, world):
    import io

    from docx import Document

    client.force_login(world.drafter)
    page = client.get("/consultation/manage/drafts/", **VI)
    assert page.status_code == 200 and "Bộ Công Thương" in page.content.decode()
    # Neither text nor file: 400, nothing written.
    refused = client.post(
        "/consultation/manage/drafts/",
        {"organisation": world.m.pk, "title": "Dự thảo", "doc_type": "decree"},
        **VI,
    )
    assert refused.status_code == 400 and "Hãy nhập văn bản" in refused.content.decode()
    # Another ministry as the drafting agency: not offered, 400.
    refused = client.post(
        "/consultation/manage/drafts/",
        {"organisation": world.n.pk, "title": "Dự thảo", "doc_type": "decree", "text": TEXT_V1},
        **VI,
    )
    assert refused.status_code == 400
    done = client.post(
        "/consultation/manage/drafts/",
        {"organisation": world.m.pk, "title": "Dự thảo gõ", "doc_type": "decree", "text": TEXT_V1},
    )
    assert done.status_code == 302
    url = done["Location"]
    doc = Document()
    for line in TEXT_V2.splitlines():
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    buf.name = "v2.docx"
    assert client.post(f"{url}version/", {"docx": buf, "note": "Sau góp ý"}).status_code == 302
    html = client.get(url, **VI).content.decode()
    assert "Phiên bản 2" in html and "Sau góp ý" in html
    compared = html.split('id="compare"')[1]
    assert "Khoản 1 Điều 3" in compared and "Tự công bố bảo đảm an toàn thực phẩm." in compared
    assert "Điểm c khoản 2 Điều 3" in compared and "Đã thêm" in compared
    assert "Khoản 2 Điều 2" in compared and "Đã bỏ" in compared  # named as it was
    # A file that is not a Word document: 400, no version 3.
    bad = io.BytesIO(b"not a docx")
    bad.name = "x.docx"
    refused = client.post(f"{url}version/", {"docx": bad}, **VI)
    assert refused.status_code == 400 and "không phải là văn bản Word" in refused.content.decode()
    # A version number that does not exist in the comparison: 400 with the reason.
    assert client.get(f"{url}?old=1&new=9", **VI).status_code == 400
    # A consultation opened on the draft: bad dates refused, then prepared.
    refused = client.post(
        f"{url}consult/",
        {"title": "Lấy ý kiến", "starts_on": "31/01/2030", "ends_on": "01/01/2030"},
    )
    assert refused.status_code == 400 and not Consultation.objects.exists()
    done = client.post(
        f"{url}consult/",
        {"title": "Lấy ý kiến", "starts_on": "01/01/2030", "ends_on": "31/01/2030"},
    )
    assert done.status_code == 302 and Consultation.objects.get().phase == Phase.PREPARING


def test_the_consultation_page_reads_a_fixed_number_of_queries(
    client, world, consultation, django_assert_max_num_queries
):
    people = [world.citizen, *world.citizens]
    for i, person in enumerate(people[:2]):
        _comment(person, consultation, f"Góp ý {i}", "dieu-3.khoan-1")
    client.force_login(world.drafter)
    url = f"/consultation/manage/{consultation.code}/"
    with django_assert_max_num_queries(20) as first:
        assert client.get(url, **VI).status_code == 200
    for i, person in enumerate(people[2:]):
        _comment(person, consultation, f"Ý kiến khác {i}", "dieu-2.khoan-1")
        _comment(person, consultation, f"Ý kiến chung {i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(url, **VI).content.decode()
    assert html.count('name="comments"') == 8
