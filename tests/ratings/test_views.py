"""The ratings' pages: the applicant rates from their dossier page with a plain form (no
JavaScript), refusals answer 4xx with the reason and write nothing; officials see their
organisations' ratings with the comments; the public page shows aggregates only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from egov.ratings import services
from egov.ratings.models import SatisfactionRating

from ..dossiers.core_support import submit
from ..dossiers.web_support import citizen_login
from .conftest import all_scores, data, returned

pytestmark = pytest.mark.django_db


def _client(citizen=None, official=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    if citizen is not None:
        citizen_login(client, citizen)
    if official is not None:
        client.force_login(official.user)
    return client


def _form(score=4, **extra):
    body = {f"score-{code}": str(value) for code, value in all_scores(score).items()}
    body.update(extra)
    return body


def test_the_applicant_rates_from_the_dossier_page(world):
    d = returned(world)
    client = _client(world.citizen)
    page = client.get(f"/my/dossiers/{d.code}/").content.decode()
    assert f"/ratings/dossiers/{d.code}/" in page and "Đánh giá việc giải quyết hồ sơ" in page
    form = client.get(f"/ratings/dossiers/{d.code}/")
    assert form.status_code == 200
    html = form.content.decode()
    assert html.count('type="radio"') == 12 * 5 and '<form method="post"' in html
    response = client.post(f"/ratings/dossiers/{d.code}/", _form(5, comment="Nhanh gọn"))
    assert response.status_code == 302 and response["Location"].endswith("?saved=1")
    rating = SatisfactionRating.objects.get()
    assert rating.average == 5 and rating.comment == "Nhanh gọn"
    assert "đã được ghi nhận" in client.get(response["Location"]).content.decode()
    page = client.get(f"/my/dossiers/{d.code}/").content.decode()
    assert "Sửa đánh giá" in page
    # A change through the same form.
    response = client.post(
        f"/ratings/dossiers/{d.code}/", _form(2, disliked="1", dislike_reason="Chậm")
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.revision == 2 and rating.disliked


def test_page_refusals_write_nothing(world):
    d = returned(world)
    client = _client(world.citizen)
    missing = _form()
    missing.pop("score-attitude")
    response = client.post(f"/ratings/dossiers/{d.code}/", missing)
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html and "Chọn mức đánh giá" in html
    assert 'value="4" checked' in html  # what was chosen is kept
    response = client.post(f"/ratings/dossiers/{d.code}/", _form(7))
    assert response.status_code == 400 and "từ 1 đến 5" in response.content.decode()
    response = client.post(f"/ratings/dossiers/{d.code}/", _form(disliked="1"))
    assert response.status_code == 400 and "Nêu lý do" in response.content.decode()
    early = submit(world)
    response = client.post(f"/ratings/dossiers/{early.code}/", _form())
    assert response.status_code == 409 and "sau khi đã trả kết quả" in response.content.decode()
    assert (
        "Đánh giá việc giải quyết" not in client.get(f"/my/dossiers/{early.code}/").content.decode()
    )
    other = _client(world.other)
    assert other.post(f"/ratings/dossiers/{d.code}/", _form()).status_code == 404
    official = _client(official=world.desk)
    assert official.post(f"/ratings/dossiers/{d.code}/", _form()).status_code in {302, 403}
    assert Client().post(f"/ratings/dossiers/{d.code}/", _form()).status_code == 302
    assert not SatisfactionRating.objects.exists()


def test_a_frozen_rating_is_shown_not_offered(world):
    d = returned(world)
    services.rate(d, actor=world.citizen.user, data=data(3))
    SatisfactionRating.objects.update(created_at=timezone.now() - dt.timedelta(days=8))
    client = _client(world.citizen)
    page = client.get(f"/ratings/dossiers/{d.code}/").content.decode()
    assert "không thể sửa nữa" in page and 'type="radio"' not in page
    response = client.post(f"/ratings/dossiers/{d.code}/", _form(5))
    assert response.status_code == 409 and "7 ngày" in response.content.decode()
    assert SatisfactionRating.objects.get().revision == 1


def test_officials_see_their_organisations_ratings(world, django_assert_max_num_queries):
    for score in (5, 1):
        services.rate(
            returned(world),
            actor=world.citizen.user,
            data=data(score, disliked=score == 1, dislike_reason="Hẹn nhiều lần", comment="Ý kiến"),
        )
    elsewhere = returned(world, organisation=world.b)
    services.rate(elsewhere, actor=world.citizen.user, data=data(4, comment="Xã B"))
    client = _client(official=world.desk)
    client.get("/ratings/")
    with django_assert_max_num_queries(12) as first:
        page = client.get("/ratings/")
    html = page.content.decode()
    assert page.status_code == 200 and "Hẹn nhiều lần" in html and "Xã B" not in html
    # Counted now: captured_queries slices the connection's log, which the next request empties.
    warm = len(first.captured_queries)
    for _ in range(3):
        services.rate(returned(world), actor=world.citizen.user, data=data(4))
    # Warm again, as before the first count: the count compares two warm pages, so that a cache
    # the new ratings invalidated does not pass for a query per rating.
    client.get("/ratings/")
    with django_assert_max_num_queries(warm):
        assert client.get("/ratings/").status_code == 200
    only = client.get("/ratings/", {"disliked": "1"}).content.decode()
    assert only.count("govuk-tag--red") == 1
    rated = SatisfactionRating.objects.filter(organisation=world.a).first().dossier
    detail = client.get(f"/ratings/dossiers/{rated.code}/official/")
    assert detail.status_code == 200 and "rating-scores" in detail.content.decode()
    # Another commune's official sees neither the rating nor the dossier.
    outsider = _client(official=world.desk_b)
    assert outsider.get(f"/ratings/dossiers/{rated.code}/official/").status_code == 404
    assert "Ý kiến" not in outsider.get("/ratings/").content.decode()
    # The officials' dossier page links to the rating.
    assert (
        f"/ratings/dossiers/{rated.code}/official/"
        in client.get(f"/one-stop/d/{rated.code}/").content.decode()
    )


def test_the_public_page_shows_aggregates_only(world, django_assert_max_num_queries):
    services.rate(
        returned(world),
        actor=world.citizen.user,
        data=data(2, disliked=True, dislike_reason="Lý do riêng", comment="Bí mật"),
    )
    services.rate(returned(world), actor=world.citizen.user, data=data(4))
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    with django_assert_max_num_queries(6):
        page = client.get("/ratings/public/")
    html = page.content.decode()
    assert page.status_code == 200 and "Xã A" in html
    assert "3.00" in html or "3,00" in html
    assert "Bí mật" not in html and "Lý do riêng" not in html
    assert world.citizen.full_name not in html
    one = client.get("/ratings/public/", {"organisation": world.a.code}).content.decode()
    assert world.version.procedure.name in one
    assert client.get("/ratings/public/", {"organisation": "NO"}).status_code == 404
