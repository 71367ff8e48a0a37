"""The consultation's API: public reads (no login, paged, by date), comments from people and
organisations' clients, the officials' acts; refusals in Vietnamese with nothing changed."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from egov.accounts.services import clients as client_services
from egov.consultation import scopes, services
from egov.consultation.models import Comment, Consultation, Phase, PhaseWindow

from .conftest import TEXT_V1, TEXT_V2

API = "/api/v1/consultation"
VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


def _token(client, world, scope_list, org=None):
    api = client_services.create_client(
        name="Hiệp hội", organisations=[org or world.n], scopes=scope_list, actor="test"
    )
    _key, secret = client_services.add_secret(api, actor="test")
    return client.post(
        "/api/v1/oauth/token",
        f"grant_type=client_credentials&client_id={api.client_id}&client_secret={secret}",
        content_type="application/x-www-form-urlencoded",
    ).json()["access_token"]


def test_public_reads_need_no_login(client, world, consultation, django_assert_max_num_queries):
    draft = consultation.draft
    for i in range(3):
        services.submit(
            world.citizens[i], consultation, services.CommentData(f"Ý kiến {i}", "dieu-3")
        )
    with django_assert_max_num_queries(6):
        listed = client.get(f"{API}/consultations/")
    assert listed.status_code == 200
    row = listed.json()["results"][0]
    assert (row["code"], row["phase"], row["received"], row["published"]) == (
        consultation.code,
        "comments",
        3,
        3,
    )
    assert row["days_left"] == 30 and row["unanswered"] == 3
    with django_assert_max_num_queries(6):
        comments = client.get(f"{API}/consultations/{consultation.code}/comments/?page_size=2")
    body = comments.json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert body["results"][0]["answer"] is None
    detail = client.get(f"{API}/drafts/{draft.code}/").json()
    assert detail["one_in_one_out_flag"] is True
    assert [u["anchor"] for u in detail["units"]][:3] == ["chuong-1", "dieu-1", "dieu-2"]
    assert client.get(f"{API}/drafts/{draft.code}/versions/1/").json()["units"][1]["heading"]
    assert client.get(f"{API}/drafts/{draft.code}/versions/9/").status_code == 400


def test_the_date_filter(client, world, consultation):
    services.submit(world.citizen, consultation, services.CommentData("Hôm nay"))
    today = timezone.localdate()
    url = f"{API}/consultations/{consultation.code}/comments/"
    assert client.get(f"{url}?since={today}").json()["count"] == 1
    assert client.get(f"{url}?until={today - timedelta(days=1)}").json()["count"] == 0
    bad = client.get(f"{url}?since=hôm-qua", **VI)
    assert bad.status_code == 400
    assert bad.json()["fields"]["since"] == ["Nhập ngày theo dạng YYYY-MM-DD."]
    assert client.get(f"{API}/drafts/?since={today}").json()["count"] == 1


def test_a_citizen_comments_and_reports_through_the_session(client, world, consultation):
    client.force_login(world.citizen)
    url = f"{API}/consultations/{consultation.code}/comments/"
    made = client.post(
        url,
        {"text": "Quá nhiều giấy tờ", "anchor": "dieu-3.khoan-1"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["author_name"] == "Nguyễn Văn An"
    bad = client.post(
        url, {"text": "x", "anchor": "dieu-42"}, content_type="application/json", **VI
    )
    assert bad.status_code == 400
    assert "dieu-42" in bad.json()["fields"]["anchor"][0]
    assert Comment.objects.count() == 1
    comment_id = made.json()["id"]
    client.force_login(world.citizens[0])
    report = f"{API}/comments/{comment_id}/report/"
    assert (
        client.post(report, {"reason": "spam"}, content_type="application/json").status_code == 201
    )
    again = client.post(report, {"reason": "spam"}, content_type="application/json", **VI)
    assert again.status_code == 400
    assert again.json()["message"] == "Bạn đã báo cáo góp ý này rồi."


def test_an_organisation_comments_through_its_client(client, world, consultation):
    token = _token(client, world, [scopes.COMMENT])
    made = client.post(
        f"{API}/consultations/{consultation.code}/comments/",
        {"text": "Hiệp hội đề nghị giữ nguyên"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert made.status_code == 201, made.content
    assert (made.json()["author_kind"], made.json()["author_name"]) == ("organisation", "Bộ Y tế")
    anonymous = client.post(
        f"{API}/consultations/{consultation.code}/comments/",
        {"text": "x"},
        content_type="application/json",
    )
    assert anonymous.status_code in {401, 403}


def test_a_closed_window_and_the_gate_answer_409(client, world, consultation):
    client.force_login(world.citizen)
    PhaseWindow.objects.update(ends_at=timezone.now() - timedelta(minutes=1))
    late = client.post(
        f"{API}/consultations/{consultation.code}/comments/",
        {"text": "Muộn"},
        content_type="application/json",
        **VI,
    )
    assert late.status_code == 409
    assert late.json()["message"].startswith("Đã hết thời hạn góp ý")
    PhaseWindow.objects.update(ends_at=timezone.now() + timedelta(days=1))
    comment = services.submit(world.citizen, consultation, services.CommentData("Kịp"))
    client.force_login(world.drafter)
    base = f"{API}/consultations/{consultation.code}"
    assert client.post(f"{base}/close-comments/").status_code == 200
    gate = client.post(f"{base}/publish-result/", **VI)
    assert gate.status_code == 409
    assert "chưa được trả lời" in gate.json()["message"]
    assert Consultation.objects.get().phase == Phase.ANSWERS
    answered = client.post(
        f"{base}/answer/",
        {"comments": [comment.pk], "kind": "explained", "text": "Giữ nguyên vì an toàn"},
        content_type="application/json",
    )
    assert answered.status_code == 201, answered.content
    assert client.post(f"{base}/publish-result/").json()["phase"] == "result"
    summary = client.get(f"{base}/summary/").json()
    assert summary == [
        {
            "answer_kind": "explained",
            "answer": "Giữ nguyên vì an toàn",
            "changed_anchor": None,
            "changed_version": None,
            "comments": [comment.pk],
            "commenters": 1,
        }
    ]


def test_officials_write_drafts_regulations_and_consultations(client, world):
    client.force_login(world.drafter)
    reg = client.post(
        f"{API}/regulations/",
        {
            "organisation": world.m.code,
            "document_number": "15/2018/NĐ-CP",
            "document_type": "decree",
            "document_title": "Nghị định 15",
            "issued_on": "2018-02-02",
            "issuing_body": world.m.code,
            "article": "12",
            "content": "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            "costs": {"subjects": "780096", "frequency": "1", "days": "2", "day_value": "221000"},
        },
        content_type="application/json",
    )
    assert reg.status_code == 201, reg.content
    assert reg.json()["cost"] == 344_802_432_000
    assert reg.json()["cost_text"] == "344.802.432.000 ₫"
    found = client.get(f"{API}/regulations/?q=giay chung nhan an toan").json()
    assert found["count"] == 1
    made = client.post(
        f"{API}/drafts/",
        {
            "organisation": world.m.code,
            "title": "Dự thảo",
            "doc_type": "decree",
            "text": TEXT_V1,
            "repeals": [reg.json()["id"]],
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    assert made.json()["one_in_one_out_flag"] is False
    version = client.post(
        f"{API}/drafts/{code}/versions/", {"text": TEXT_V2}, content_type="application/json"
    )
    assert version.status_code == 201 and version.json()["number"] == 2
    changes = client.get(f"{API}/drafts/{code}/compare/?from=1&to=2").json()
    assert {c["anchor"]: c["change"] for c in changes}["dieu-3.khoan-1"] == "changed"
    now = timezone.now()
    opened = client.post(
        f"{API}/consultations/",
        {
            "draft": code,
            "title": "Lấy ý kiến",
            "windows": [
                {
                    "phase": "comments",
                    "starts_at": now.isoformat(),
                    "ends_at": (now + timedelta(days=60)).isoformat(),
                }
            ],
        },
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.content
    client.force_login(world.outsider)
    refused = client.post(
        f"{API}/drafts/{code}/versions/", {"text": TEXT_V2}, content_type="application/json"
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("issued_on", ["2018-13-01", ""])
def test_bad_regulation_bodies_are_400(client, world, issued_on):
    client.force_login(world.drafter)
    response = client.post(
        f"{API}/regulations/",
        {"organisation": world.m.code, "issued_on": issued_on},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert date.today()


def test_the_comments_in_bulk_as_csv(client, world, consultation, django_assert_max_num_queries):
    first = services.submit(
        world.citizen, consultation, services.CommentData("Bỏ, “giấy”", "dieu-3")
    )
    for person in world.citizens[:2]:
        services.submit(person, consultation, services.CommentData("bỏ giấy", "dieu-3"))
    services.submit(world.citizens[2], consultation, services.CommentData("Khác"))
    services.answer(world.drafter, consultation, [first.pk], kind="explained", text="Cần giữ")
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}/consultations/{consultation.code}/comments-csv/")
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(r["text"], r["group_size"], r["answer_kind"], r["answer"]) for r in rows] == [
        ("Bỏ, “giấy”", "3", "explained", "Cần giữ"),
        ("Khác", "1", "", ""),
    ]


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_comment_with_a_file(client, world, consultation, settings):
    import base64

    client.force_login(world.citizen)
    url = f"{API}/consultations/{consultation.code}/comments/"

    def body(content, name="y-kien.pdf"):
        return {
            "text": "Xem tệp đính kèm",
            "files": [
                {
                    "filename": name,
                    "content_type": "application/pdf",
                    "content_base64": base64.b64encode(content).decode(),
                }
            ],
        }

    refused = client.post(url, body(b"MZ\x90\x00 not a pdf"), content_type="application/json", **VI)
    assert refused.status_code == 400 and "files" in refused.json()["fields"]
    assert not Comment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not list(media.rglob("*.pdf")) if media.exists() else True
    made = client.post(url, body(PDF), content_type="application/json")
    assert made.status_code == 201, made.content
    (attachment,) = made.json()["attachments"]
    assert (attachment["name"], attachment["content_type"]) == ("y-kien.pdf", "application/pdf")
    client.logout()
    download = client.get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert client.get(attachment["url"].replace("/1/", "/2/")).status_code == 404
    comment = Comment.objects.get()
    comment.moderation = "hidden"
    comment.save()
    assert client.get(attachment["url"]).status_code == 404  # not published: not served
