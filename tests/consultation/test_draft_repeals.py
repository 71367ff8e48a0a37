"""One in, one out on the officials' new-draft page: the regulations (or whole documents) a
new draft repeals are found without diacritics and ticked without JavaScript; a draft that
repeals none is written and flagged; a bad choice is refused in Vietnamese, nothing written."""

from __future__ import annotations

import pytest

from egov.consultation import services
from egov.consultation.models import Draft, Regulation, RegulationStatus
from egov.core.models import AuditEntry

from .conftest import TEXT_V1
from .test_regulations import data

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
URL = "/consultation/manage/drafts/"


@pytest.fixture
def regulations(world):
    first = services.record_regulation(world.drafter, world.m, data(world))
    second = services.record_regulation(
        world.drafter,
        world.m,
        data(world, article="13", content="Báo cáo định kỳ hằng tháng về tình hình kinh doanh."),
    )
    other = services.record_regulation(
        world.drafter,
        world.m,
        data(
            world,
            document_number="83/2014/NĐ-CP",
            document_title="Nghị định về kinh doanh xăng dầu",
            article="7",
            content="Thương nhân phải có kho chứa xăng dầu.",
        ),
    )
    return first, second, other


def _body(world, **extra):
    body = {
        "organisation": world.m.pk,
        "title": "Nghị định sửa đổi",
        "doc_type": "decree",
        "text": TEXT_V1,
    }
    body.update(extra)
    return body


def test_the_regulations_repealed_are_found_ticked_and_audited(client, world, regulations):
    first, second, other = regulations
    client.force_login(world.drafter)
    # A search without diacritics: the draft is shown again with what was typed, not written.
    found = client.post(URL, _body(world, action="find", repeal_q="giay chung nhan"), **VI)
    html = found.content.decode()
    assert found.status_code == 200 and not Draft.objects.exists()
    assert f'value="{first.pk}"' in html and f'value="{other.pk}"' not in html
    assert 'value="Nghị định sửa đổi"' in html and "Điều 1. Phạm vi điều chỉnh" in html
    assert "15/2018/NĐ-CP: Nghị định quy định chi tiết" in html  # its whole document offered
    # A second search keeps the regulation ticked before.
    again = client.post(
        URL, _body(world, action="find", repeal_q="xang dau", repeals=[first.pk]), **VI
    ).content.decode()
    assert f'value="{first.pk}" class="govuk-checkboxes__input" id="id_repeals_0" checked' in again
    assert f'value="{other.pk}"' in again
    none = client.post(URL, _body(world, action="find", repeal_q="khong co dau"), **VI)
    assert "Không có quy định nào còn hiệu lực có các từ “khong co dau”." in none.content.decode()
    done = client.post(
        URL,
        _body(world, action="write", repeals=[first.pk], repealed_documents=[other.document_id]),
    )
    assert done.status_code == 302
    draft = Draft.objects.get()
    assert set(draft.repeals.all()) == {first, other}
    entry = AuditEntry.objects.get(action="consultation.draft.create")
    assert entry.summary["repealed"] == sorted([first.pk, other.pk])
    assert entry.summary["documents"] == ["83/2014/NĐ-CP"]
    page = client.get(done["Location"], **VI).content.decode()
    assert "Thương nhân phải có kho chứa xăng dầu." in page and "một vào, một ra" not in page
    assert second.repealed_by.count() == 0


def test_a_draft_repealing_nothing_is_written_and_flagged(client, world, regulations):
    client.force_login(world.drafter)
    done = client.post(URL, _body(world))
    assert done.status_code == 302
    assert "Không bãi bỏ: một vào, một ra" in client.get(done["Location"], **VI).content.decode()
    listed = client.get(URL, **VI).content.decode()
    assert "Không bãi bỏ: một vào, một ra" in listed


def test_a_bad_choice_is_refused_and_nothing_written(client, world, regulations):
    first, second, _other = regulations
    Regulation.objects.filter(pk=second.pk).update(status=RegulationStatus.CUT)
    client.force_login(world.drafter)
    before = AuditEntry.objects.count()
    cut = client.post(URL, _body(world, repeals=[second.pk]), **VI)
    assert cut.status_code == 400
    assert "khoản 1 Điều 13 của 15/2018/NĐ-CP đã bị cắt giảm." in cut.content.decode()
    unknown = client.post(URL, _body(world, repeals=[first.pk, 999_999]), **VI)
    assert unknown.status_code == 400 and "999999" in unknown.content.decode()
    assert not Draft.objects.exists() and AuditEntry.objects.count() == before
    # A cut regulation is not offered by the search.
    found = client.post(URL, _body(world, action="find", repeal_q="bao cao"), **VI)
    assert f'value="{second.pk}"' not in found.content.decode()


def test_only_the_drafting_agencys_officials_write_and_search(client, world, regulations):
    # Another ministry's drafter may search (regulations are open data) but not write for M.
    client.force_login(world.outsider)
    assert client.post(URL, _body(world, action="find", repeal_q="giay"), **VI).status_code == 200
    refused = client.post(URL, _body(world, repeals=[regulations[0].pk]), **VI)
    assert refused.status_code == 400
    # A citizen is refused both, with a page that says why.
    client.force_login(world.citizen)
    for action in ("find", "write"):
        refused = client.post(URL, _body(world, action=action, repeal_q="giay"), **VI)
        assert refused.status_code == 403 and "<h1" in refused.content.decode()
    assert not Draft.objects.exists()


API = "/api/v1/consultation/drafts/"


def _api_body(world, **extra):
    body = {"organisation": world.m.code, "title": "Dự thảo", "doc_type": "decree"}
    return {**body, "text": TEXT_V1, **extra}


def test_the_api_repeals_whole_documents_too(client, world, regulations):
    first, second, other = regulations
    client.force_login(world.drafter)
    made = client.post(
        API,
        _api_body(world, repeals=[first.pk], repealed_documents=["83/2014/NĐ-CP"]),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert sorted(made.json()["repeals"]) == sorted([first.pk, other.pk])
    assert made.json()["one_in_one_out_flag"] is False
    entry = AuditEntry.objects.get(action="consultation.draft.create")
    assert entry.summary["documents"] == ["83/2014/NĐ-CP"]
    assert second.repealed_by.count() == 0


def test_the_api_refuses_what_the_page_refuses_in_vietnamese(client, world, regulations):
    first, second, other = regulations
    Regulation.objects.filter(pk=second.pk).update(status=RegulationStatus.CUT)
    Regulation.objects.filter(pk=other.pk).update(status=RegulationStatus.CUT)
    client.force_login(world.drafter)
    before = AuditEntry.objects.count()

    def post(**extra):
        return client.post(API, _api_body(world, **extra), content_type="application/json", **VI)

    cut = post(repeals=[second.pk])
    assert cut.status_code == 400
    assert cut.json()["fields"]["repeals"] == ["khoản 1 Điều 13 của 15/2018/NĐ-CP đã bị cắt giảm."]
    spent = post(repeals=[first.pk], repealed_documents=["83/2014/NĐ-CP"])
    assert spent.status_code == 400
    assert spent.json()["fields"]["repealed_documents"] == [
        "Văn bản 83/2014/NĐ-CP không còn quy định nào có hiệu lực."
    ]
    unknown = post(repealed_documents=["15/2018/NĐ-CP", "1/2000/NĐ-CP"])
    assert unknown.status_code == 400
    assert unknown.json()["fields"]["repealed_documents"] == [
        "Không có văn bản nào có số 1/2000/NĐ-CP."
    ]
    assert not Draft.objects.exists() and AuditEntry.objects.count() == before
