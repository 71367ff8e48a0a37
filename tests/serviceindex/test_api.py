"""The index's API: the same figures as the pages; what was counted, to reporters only."""

import pytest

from egov.serviceindex import engine
from egov.serviceindex.periods import Period

from ..accounts.officials_support import make_official
from .support import make_world, november

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = make_world()
    world.d = november(world)
    return world


def test_ranking_and_organisation(client, w):
    data = client.get("/api/v1/service-index/?period=2026-11").json()
    assert data["version"] == "766-2022"
    by_name = {row["organisation"]["name"]: row for row in data["ranking"]}
    card = engine.scorecard(w.p, Period.parse("2026-11"))
    assert by_name["Tỉnh P"]["total"] == pytest.approx(float(card.total))
    one = client.get(f"/api/v1/service-index/{w.p.pk}/?period=2026-11").json()
    line = next(i for g in one["groups"] for i in g["indicators"] if i["code"] == "2.1")
    assert (line["numerator"], line["denominator"], line["score"]) == (3, 4, 15)


def test_counted_ids(client, w):
    url = f"/api/v1/service-index/{w.p.pk}/counted/?period=2026-11&indicator=2.1"
    assert client.get(url).status_code in {401, 403}
    client.force_login(make_official("reporter_p", w.p, "reporter", subtree=True).user)
    data = client.get(url).json()
    assert data["numerator_ids"] == sorted(w.d[n].pk for n in ("d1", "d3", "d4"))
    assert len(data["denominator_ids"]) == 4
    bad = client.get(url.replace("2.1", "9.9"))
    assert bad.status_code == 400


def test_bad_period(client, w):
    response = client.get("/api/v1/service-index/?period=2026-13")
    assert response.status_code == 400
    assert "period" in response.json()["fields"]
