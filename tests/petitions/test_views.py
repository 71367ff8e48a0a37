"""The submitter's pages and the handlers' pages: plain form round trips (no JavaScript), 4xx
with the reason in Vietnamese on bad input, bounded queries on the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from egov.petitions.models import Petition, Status

from ..dossiers.web_support import citizen_login
from .conftest import PDF, at_commune, submitted

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Giấy tờ trùng lặp",
    "content": "Phải nộp lại bản sao đã có trong kho dữ liệu.",
    "category": "procedures",
}


@pytest.fixture
def citizen_client(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    citizen_login(client, world.citizen)
    return client


def official_client(official):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(official.user)
    return client


def test_anonymous_visitors_are_sent_to_the_e_id_login(world):
    response = Client().get("/petitions/new/")
    assert response.status_code == 302 and "level=1" in response["Location"]
    response = Client().post("/petitions/new/", FORM)
    assert response.status_code == 302
    assert not Petition.objects.exists()


def test_submitting_through_the_page(world, citizen_client):
    page = citizen_client.get("/petitions/new/")
    assert page.status_code == 200 and 'name="category"' in page.content.decode()
    upload = SimpleUploadedFile("anh.pdf", PDF, content_type="application/pdf")
    response = citizen_client.post("/petitions/new/", {**FORM, "files": [upload], "send": "1"})
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert response["Location"] == f"/petitions/mine/{petition.code}/"
    assert petition.attachments.count() == 1
    page = citizen_client.get(response["Location"]).content.decode()
    assert petition.code in page and "Giấy tờ trùng lặp" in page


def test_searching_picks_the_organisation_by_name_without_submitting(world, citizen_client):
    response = citizen_client.post(
        "/petitions/new/", {**FORM, "organisation_q": "xa a", "find": "organisation"}
    )
    assert response.status_code == 200
    assert "UBND xã A" in response.content.decode()
    assert not Petition.objects.exists()
    response = citizen_client.post(
        "/petitions/new/", {**FORM, "organisation": world.a.code, "send": "1"}
    )
    assert response.status_code == 302
    assert Petition.objects.get().concerned_organisation == world.a


@pytest.mark.parametrize(
    ("changes", "files", "message"),
    [
        ({"content": ""}, None, "Trường này là bắt buộc."),
        ({}, ("virus.pdf", b"MZ\x90\x00rest", "application/pdf"), "không phải là tệp"),
        ({"organisation": "999.99.99.Z99"}, None, "Hãy chọn một cơ quan trong kết quả tìm kiếm."),
    ],
)
def test_bad_input_is_a_400_in_vietnamese(world, citizen_client, changes, files, message):
    posted = {**FORM, **changes, "send": "1"}
    if files:
        name, content, kind = files
        posted["files"] = [SimpleUploadedFile(name, content, content_type=kind)]
    response = citizen_client.post("/petitions/new/", posted)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Petition.objects.exists()


def test_my_petitions_lists_only_mine_in_bounded_queries(world, citizen_client):
    mine = [submitted(world) for _ in range(3)]
    from egov.petitions import services

    from .conftest import data

    services.submit(actor=world.other.user, data=data(title="Của người khác"))
    citizen_client.get("/petitions/mine/")
    with CaptureQueriesContext(connection) as few:
        page = citizen_client.get("/petitions/mine/").content.decode()
    for p in mine:
        assert p.code in page
    assert "Của người khác" not in page
    for _ in range(10):
        submitted(world)
    with CaptureQueriesContext(connection) as many:
        citizen_client.get("/petitions/mine/")
    assert len(many) == len(few) <= 12


def test_someone_elses_petition_is_not_found(world):
    petition = submitted(world)
    client = Client()
    citizen_login(client, world.other)
    # Someone else's and no one's read the same: the page tells nothing about which.
    said = "Không có phản ánh, kiến nghị nào bạn được xem có mã này."
    for code in (petition.code, "NO-SUCH-CODE"):
        for url in (f"/petitions/mine/{code}/", f"/petitions/answers/{code}.pdf"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
            assert response.status_code == 404 and said in response.content.decode()
    official = official_client(world.lead_b)
    for code in (petition.code, "NO-SUCH-CODE"):
        response = official.post(f"/petitions/handling/{code}/answer/", {"answer": "Trả lời"})
        assert response.status_code == 404 and said in response.content.decode()
    assert Petition.objects.get(pk=petition.pk).status == petition.status


def test_the_queue_flags_overdue_and_at_risk_in_bounded_queries(world):
    overdue, soon, fine = at_commune(world), at_commune(world), at_commune(world)
    now = dt.datetime.now(dt.UTC)
    Petition.objects.filter(pk=overdue.pk).update(
        due_at=now - dt.timedelta(hours=1), at_risk_at=now - dt.timedelta(days=1)
    )
    Petition.objects.filter(pk=soon.pk).update(
        due_at=now + dt.timedelta(hours=4), at_risk_at=now - dt.timedelta(hours=4)
    )
    client = official_client(world.proc_a)
    client.get("/petitions/handling/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/petitions/handling/").content.decode()
    assert page.count("govuk-tag--red") == 1 and page.count("govuk-tag--orange") == 1
    assert fine.code in page
    page = client.get("/petitions/handling/?due=overdue").content.decode()
    assert overdue.code in page and soon.code not in page and fine.code not in page
    page = client.get("/petitions/handling/?due=soon").content.decode()
    assert soon.code in page and overdue.code not in page
    for _ in range(5):
        at_commune(world)
    with CaptureQueriesContext(connection) as many:
        client.get("/petitions/handling/")
    assert len(many) == len(few)
    # Another commune's official sees none of them.
    page = official_client(world.lead_b).get("/petitions/handling/").content.decode()
    assert overdue.code not in page


def test_the_workspace_panel_counts(world):
    overdue = at_commune(world)
    at_commune(world)
    Petition.objects.filter(pk=overdue.pk).update(
        due_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    )
    page = official_client(world.lead_a).get("/workspace/").content.decode()
    assert "/petitions/handling/?due=overdue" in page
    assert 'id="ws-petitions"' in page


def test_an_act_through_the_page_and_its_refusals(world):
    petition = at_commune(world)
    lead = official_client(world.lead_a)
    url = f"/petitions/handling/{petition.code}/answer/"
    response = lead.post(url, {"answer": ""})
    assert response.status_code == 400
    assert Petition.objects.get(pk=petition.pk).status == Status.HANDLING
    # Another organisation's leader: not even found.
    assert official_client(world.lead_b).post(url, {"answer": "Trả lời"}).status_code == 404
    # Out of order: publishing before the answer.
    response = lead.post(f"/petitions/handling/{petition.code}/publish/")
    assert response.status_code == 400
    assert "không thể" in response.content.decode()
    response = lead.post(url, {"answer": "Xã đã xử lý."})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == Status.ANSWERED
    pdf = lead.get(f"/petitions/answers/{petition.code}.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_the_centre_forwards_by_picking_the_organisation_by_name(world):
    petition = submitted(world)
    centre = official_client(world.centre_desk)
    page = centre.get(f"/petitions/handling/{petition.code}/?organisation_q=xa+b").content.decode()
    assert f'value="{world.b.code}"' in page
    response = centre.post(
        f"/petitions/handling/{petition.code}/forward/", {"to_organisation": world.b.code}
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.organisation == world.b and petition.status == Status.FORWARDED
    # The centre still reads it after the hand-off, and sees it in its queue.
    assert centre.get(f"/petitions/handling/{petition.code}/").status_code == 200
    assert petition.code in centre.get("/petitions/handling/").content.decode()
