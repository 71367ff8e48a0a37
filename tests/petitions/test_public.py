"""The public side: the published list searched without diacritics and filtered, the public
page (no personal data without consent), reactions once per person, figures per organisation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from egov.petitions import services
from egov.petitions.models import Petition, Reaction
from egov.petitions.services import public

from ..dossiers.web_support import citizen_login
from .conftest import at_commune, submitted

pytestmark = pytest.mark.django_db


def published(
    world, *, title="Giấy tờ hộ tịch trùng lặp", consent=False, answer="Xã đã bỏ bản sao."
):
    petition = at_commune(world, submitted(world, title=title, publish_name=consent))
    services.answer(world.lead_a.user, petition, text=answer)
    services.publish(world.lead_a.user, petition)
    petition.refresh_from_db()
    return petition


def test_search_ignores_diacritics_and_filters(world):
    first = published(world)
    second = published(world, title="Đường làng bị ngập")
    unpublished = at_commune(world)
    assert list(public.published("ho tich")) == [first]
    assert list(public.published("HỘ TỊCH")) == [first]
    assert list(public.published("duong lang")) == [second]
    assert list(public.published("bo ban sao")) == [second, first]  # the answer is searched too
    assert unpublished not in public.published("")
    assert list(public.published("", organisation=world.b)) == []
    assert list(public.published("", category="conduct")) == []


def test_the_public_list_and_page_in_bounded_queries(world):
    petition = published(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.get("/petitions/")
    with CaptureQueriesContext(connection) as few:
        page = client.get("/petitions/?q=ho+tich").content.decode()
    assert petition.title in page
    for _ in range(4):
        published(world)
    with CaptureQueriesContext(connection) as many:
        client.get("/petitions/?q=ho+tich")
    assert len(many) == len(few)
    detail = client.get(f"/petitions/published/{petition.code}/").content.decode()
    assert "Xã đã bỏ bản sao." in detail and "Nguyễn Văn An" not in detail
    assert world.citizen.personal_id_number not in detail
    assert client.get(f"/petitions/answers/{petition.code}.pdf").status_code == 200


def test_the_name_shows_with_consent(world):
    petition = published(world, consent=True)
    assert (
        "Nguyễn Văn An" in Client().get(f"/petitions/published/{petition.code}/").content.decode()
    )


def test_an_unpublished_petition_is_not_public(world):
    petition = at_commune(world)
    assert Client().get(f"/petitions/published/{petition.code}/").status_code == 404
    assert Client().get(f"/petitions/answers/{petition.code}.pdf").status_code == 404


def test_a_reaction_once_per_person(world):
    petition = published(world)
    public.react(world.other.user, petition, useful=False)
    with pytest.raises(ValidationError) as caught:
        public.react(world.other.user, petition, useful=True)
    assert caught.value.code == "already_reacted"
    assert Reaction.objects.filter(petition=petition).count() == 1
    with pytest.raises(PermissionDenied):
        public.react(None, petition, useful=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    citizen_login(client, world.citizen)
    url = f"/petitions/published/{petition.code}/react/"
    assert client.post(url, {"useful": "yes"}).status_code == 302
    response = client.post(url, {"useful": "no"})
    assert response.status_code == 400 and "đã đánh giá" in response.content.decode()
    assert Reaction.objects.filter(petition=petition).count() == 2


def test_reacting_to_an_unanswered_petition_is_refused(world):
    petition = at_commune(world)
    with pytest.raises(ValidationError):
        public.react(world.other.user, petition, useful=True)


def test_figures_per_organisation(world):
    on_time = published(world)
    late = at_commune(world)
    Petition.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    services.answer(world.lead_a.user, late, text="Trả lời muộn")
    overdue = at_commune(world)
    Petition.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    public.react(world.citizen.user, on_time, useful=True)
    public.react(world.other.user, on_time, useful=False)
    with CaptureQueriesContext(connection) as queries:
        figures = public.figures([world.a, world.b])
    assert len(queries) == 4
    a = figures[world.a.pk]
    assert (a.received, a.answered_on_time, a.answered_late, a.overdue_now) == (3, 1, 1, 1)
    assert a.not_useful_share == 0.5 and a.on_time_share == 0.5
    b = figures[world.b.pk]
    assert (b.received, b.reactions, b.not_useful_share) == (0, 0, None)
    assert public.figures()[world.centre.pk].received == 3


def test_the_list_filters_come_from_the_cache_and_publishing_refreshes_them(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    page = client.get("/petitions/").content.decode()
    assert f'value="{world.a.code}"' in page and f'value="{world.b.code}"' not in page
    # Warm: the count and the page only; the filter lists scanned every published petition
    # per request (40-60 ms at 100,000, bench/petitions.py).
    with CaptureQueriesContext(connection) as warm:
        client.get("/petitions/?q=ho+tich")
    petition_scans = [q["sql"] for q in warm if "petitions_petition" in q["sql"]]
    assert len(petition_scans) == 2, petition_scans
    assert not [q for q in warm if "catalog_sector" in q["sql"]]
    assert cache.get(public.FILTERS_KEY) is not None
    # Another publication (maybe a new organisation or sector) clears the choices on commit.
    with django_capture_on_commit_callbacks(execute=True):
        published(world, title="Đèn đường hỏng")
    assert cache.get(public.FILTERS_KEY) is None


def _bulk_published(world, n, *, title="Đèn đường hỏng"):
    """``n`` published petitions written as the bench writes them (bulk_create: the text index
    follows every way a row is written), one minute apart, the last the newest."""
    from egov.core.text import fold

    now = timezone.now()
    rows = []
    for i in range(n):
        at = now - dt.timedelta(minutes=n - i)
        text = f"{title} số {i}"
        rows.append(
            Petition(
                code=f"PAKN-2000-{i:06d}",
                title=text,
                content="Nội dung",
                category="regulations",
                submitter=world.citizen,
                submitter_kind="citizen",
                submitter_name="A",
                submitter_id_number="1",
                centre=world.centre,
                organisation=world.a,
                status=9,
                received_at=at,
                refuse_due_at=at,
                supplement_due_at=at,
                clock_started_at=at,
                answer_text="Đã sửa.",
                answered_by=world.a,
                answered_at=at,
                published_at=at,
                search_text=fold(f"{text} Nội dung Đã sửa."),
            )
        )
    return Petition.objects.bulk_create(rows)


def test_keyset_pages_older_and_newer_with_a_bad_cursor_ignored(world):
    rows = _bulk_published(world, 5)
    newest_first = [p.pk for p in reversed(rows)]
    first = public.page("den duong", size=2)
    assert [p.pk for p in first.rows] == newest_first[:2] and not first.newer
    second = public.page("den duong", size=2, before=first.older)
    assert [p.pk for p in second.rows] == newest_first[2:4] and second.newer
    last = public.page("den duong", size=2, before=second.older)
    assert [p.pk for p in last.rows] == newest_first[4:] and not last.older
    back = public.page("den duong", size=2, after=last.newer)
    assert [p.pk for p in back.rows] == newest_first[2:4] and back.newer and back.older
    assert [p.pk for p in public.page("", size=2, before="2-x;").rows] == newest_first[:2]


def test_a_rare_word_beyond_the_window_is_found_by_the_index(world, monkeypatch):
    monkeypatch.setattr(public, "WINDOW", 3)
    rare = _bulk_published(world, 1, title="Cống thoát nước tắc")[0]
    rare.code = "PAKN-1999-000001"
    rare.save()
    Petition.objects.filter(pk=rare.pk).update(published_at=timezone.now() - dt.timedelta(days=9))
    _bulk_published(world, 6)
    with CaptureQueriesContext(connection) as queries:
        found = public.page("cong thoat nuoc", size=2)
    assert [p.pk for p in found.rows] == [rare.pk]
    assert len(queries) == 3  # the window's edge, the window, the index
    with CaptureQueriesContext(connection) as queries:
        assert len(public.page("den duong", size=2).rows) == 2
    assert len(queries) == 2  # a common word fills the page from the window
    assert public.page("cong thoat nuocc").rows == []  # whole words


def test_the_public_list_pages_by_links_in_one_query(world, monkeypatch):
    monkeypatch.setattr("egov.petitions.public_views.PAGE_SIZE", 2)
    _bulk_published(world, 3)
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.get("/petitions/")  # the filter choices cached
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/petitions/").content.decode()
    assert len(queries) == 1
    assert "Phản ánh cũ hơn" in first and "Phản ánh mới hơn" not in first
    older = re.search(r'href="([^"]*before=[^"]+)"', first).group(1).replace("&amp;", "&")
    page = client.get("/petitions/" + older).content.decode()
    assert "số 0" in page and "số 2" not in page and "Phản ánh mới hơn" in page
