"""The ratings' API: the applicant rates and changes; others get 4xx with nothing written;
officials list their organisations' ratings in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from egov.ratings import services
from egov.ratings.models import SatisfactionRating

from ..dossiers.core_support import submit
from .conftest import all_scores, data, returned

pytestmark = pytest.mark.django_db
URL = "/api/v1/ratings/"


def _post(client, user, body):
    client.force_login(user)
    return client.post(URL, body, content_type="application/json")


def test_the_applicant_rates_then_changes(client, world):
    d = returned(world)
    body = {"dossier": d.code, "scores": all_scores(5), "comment": "Nhanh"}
    response = _post(client, world.citizen.user, body)
    assert response.status_code == 201, response.content
    got = response.json()
    assert got["dossier"] == d.code and got["average"] == "5.00" and got["revision"] == 1
    assert [s["number"] for s in got["scores"]] == list(range(1, 13))
    again = _post(client, world.citizen.user, body)
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    changed = client.put(
        f"{URL}{d.code}/",
        {"scores": all_scores(2), "disliked": True, "dislike_reason": "Chậm"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["revision"] == 2 and changed.json()["disliked"] is True
    SatisfactionRating.objects.update(created_at=timezone.now() - dt.timedelta(days=7, seconds=1))
    frozen = client.put(
        f"{URL}{d.code}/", {"scores": all_scores(5)}, content_type="application/json"
    )
    assert frozen.status_code == 409 and frozen.json()["code"] == "frozen"
    assert "7 ngày" in frozen.json()["message"]
    assert SatisfactionRating.objects.get().revision == 2


def test_refusals_write_nothing(client, world):
    d = returned(world)
    early = submit(world)
    cases = [
        (world.citizen.user, {"dossier": early.code, "scores": all_scores()}, 409),
        (world.other.user, {"dossier": d.code, "scores": all_scores()}, 404),
        (world.desk.user, {"dossier": d.code, "scores": all_scores()}, 403),
        (world.citizen.user, {"dossier": "NO-SUCH", "scores": all_scores()}, 404),
        (world.citizen.user, {"dossier": d.code, "scores": {**all_scores(), "x": 1}}, 400),
        (world.citizen.user, {"dossier": d.code, "scores": all_scores(9)}, 400),
        (world.citizen.user, {"dossier": d.code, "scores": "5"}, 400),
    ]
    for user, body, expected in cases:
        response = _post(client, user, body)
        assert response.status_code == expected, (body, response.content)
        assert response.json()["message"]
    bad = _post(client, world.citizen.user, {"dossier": d.code, "scores": all_scores(9)}).json()
    assert any("từ 1 đến 5" in m for m in bad["fields"]["scores.overall"])
    assert not SatisfactionRating.objects.exists()
    client.logout()
    assert client.post(URL, {}, content_type="application/json").status_code in {401, 403}


def test_officials_list_their_organisations_ratings(client, world, django_assert_num_queries):
    for score in (5, 3, 1):
        d = returned(world)
        services.rate(
            d,
            actor=world.citizen.user,
            data=data(score, disliked=score == 1, dislike_reason="Chậm" if score == 1 else ""),
        )
    other = returned(world, organisation=world.b)
    services.rate(other, actor=world.citizen.user, data=data(4))
    client.force_login(world.desk.user)
    client.get(URL)  # warm the session and the policy's caches
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert response.status_code == 200
    results = response.json()["results"]
    assert {r["organisation_code"] for r in results} == {world.a.code}
    assert len(results) == 3 and all(len(r["scores"]) == 12 for r in results)
    disliked = client.get(URL, {"disliked": "1"}).json()["results"]
    assert [r["dislike_reason"] for r in disliked] == ["Chậm"]
    # The same number of queries with more ratings.
    for _ in range(3):
        services.rate(returned(world), actor=world.citizen.user, data=data(4))
    with django_assert_num_queries(7):
        assert len(client.get(URL).json()["results"]) == 6
    # The citizen sees her own four; another citizen none.
    client.force_login(world.citizen.user)
    assert len(client.get(URL).json()["results"]) == 7
    client.force_login(world.other.user)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{other.code}/").status_code == 404


def test_the_criteria_are_public(client):
    response = client.get("/api/v1/rating-criteria/")
    assert response.status_code == 200
    got = response.json()
    assert got["code"] == "tthc-12" and got["max_score"] == 5
    assert [c["number"] for c in got["criteria"]] == list(range(1, 13))
