"""The reform plans' pages: public to read (each ministry's plan of the year with its cost
before and after and the saving, summed, against 30/9; queries not growing with plans or
their regulations); the ministry's officials start a plan, add and take off regulations and
submit it through forms; bad input and other ministries refused, nothing changed."""

from __future__ import annotations

from egov.consultation import services
from egov.consultation.models import ReformItem, ReformPlan
from egov.core.models import AuditEntry
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData

from ..accounts.officials_support import make_official
from .test_reform import regulations  # noqa: F401
from .test_regulations import data

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}
YEAR = 2026


def _plan_with(world, regulation, org=None, year=YEAR):
    plan = services.create_plan(world.drafter, org or world.m, year=year, title="Phương án")
    services.add_item(world.drafter, plan, regulation, action="cut", costs_after={})
    return plan


def test_plans_per_ministry_summed_for_anyone(
    client,
    world,
    regulations,  # noqa: F811
    django_assert_max_num_queries,
):
    big, small = regulations
    plan = _plan_with(world, big)
    services.add_item(
        world.drafter,
        plan,
        small,
        action="simplify",
        costs_after={"subjects": 100, "frequency": 1, "days": 1, "day_value": 200_000},
    )
    with django_assert_max_num_queries(12) as first:
        page = client.get(f"/consultation/reform-plans/?year={YEAR}", **VI)
    assert page.status_code == 200
    html = page.content.decode()
    saving = 344_802_432_000 + 100 * 2 * 250_000 - 100 * 200_000
    assert "Bộ Công Thương" in html and f"{saving:,}".replace(",", ".") in html
    assert "30/09/2026" in html and "Lập phương án" not in html  # no form for the public
    # More ministries with more regulations: the same number of queries.
    for i in range(3):
        org = org_services.create_organisation(
            OrganisationData(f"000.00.00.G{20 + i}", f"Bộ {i}", "central")
        )
        drafter = make_official(f"drafter_{i}", org, "processor").user
        plan = services.create_plan(drafter, org, year=YEAR, title=f"Phương án {i}")
        for article in range(3):
            r = services.record_regulation(
                drafter,
                org,
                data(world, article=str(20 + article), document_number=f"{i}/2020/NĐ-CP"),
            )
            services.add_item(drafter, plan, r, action="cut", costs_after={})
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get(f"/consultation/reform-plans/?year={YEAR}", **VI).content.decode()
    assert "Bộ 2" in html and "Tổng cộng" in html
    detail = client.get(f"/consultation/reform-plans/{plan.pk}/", **VI)
    assert detail.status_code == 200 and "Điều 22" in detail.content.decode()
    assert client.get("/consultation/reform-plans/?year=abc", **VI).status_code == 400
    assert client.get("/consultation/reform-plans/99999/", **VI).status_code == 404


def test_the_ministry_writes_its_plan_through_the_forms(
    client,
    world,
    regulations,  # noqa: F811
):
    big, small = regulations
    client.force_login(world.drafter)
    page = client.get(f"/consultation/reform-plans/?year={YEAR}", **VI)
    assert "Lập phương án" in page.content.decode()
    # Another ministry as the plan's organisation is not offered: 400, nothing written.
    refused = client.post(
        "/consultation/reform-plans/",
        {"organisation": world.n.pk, "year": YEAR, "title": "Phương án"},
        **VI,
    )
    assert refused.status_code == 400 and not ReformPlan.objects.exists()
    done = client.post(
        "/consultation/reform-plans/",
        {"organisation": world.m.pk, "year": YEAR, "title": "Phương án 2026"},
    )
    assert done.status_code == 302
    plan = ReformPlan.objects.get()
    # The same year twice: 400 with the reason.
    refused = client.post(
        "/consultation/reform-plans/",
        {"organisation": world.m.pk, "year": YEAR, "title": "Lần hai"},
        **VI,
    )
    assert refused.status_code == 400 and "đã có phương án" in refused.content.decode()
    url = f"/consultation/reform-plans/{plan.pk}/"
    # Simplified but not cheaper: 400, nothing written.
    before = AuditEntry.objects.count()
    refused = client.post(
        f"{url}items/",
        {
            "regulation": small.pk,
            "action": "simplify",
            "subjects": 100,
            "frequency": 9,
            "days": 9,
            "day_value": 200_000,
        },
        **VI,
    )
    assert refused.status_code == 400 and not ReformItem.objects.exists()
    assert AuditEntry.objects.count() == before
    assert client.post(f"{url}items/", {"regulation": big.pk, "action": "cut"}).status_code == 302
    done = client.post(
        f"{url}items/",
        {
            "regulation": small.pk,
            "action": "simplify",
            "subjects": 100,
            "frequency": 1,
            "days": 1,
            "day_value": 200_000,
        },
    )
    assert done.status_code == 302 and plan.items.count() == 2
    item = plan.items.get(regulation=small)
    assert client.post(f"{url}items/{item.pk}/remove/").status_code == 302
    assert plan.items.count() == 1
    assert AuditEntry.objects.filter(action="consultation.plan.item_remove").count() == 1
    # Another ministry's official: refused with a message, nothing changes.
    client.force_login(world.outsider)
    refused = client.post(f"{url}items/", {"regulation": small.pk, "action": "cut"}, **VI)
    assert refused.status_code == 403 and "Chỉ bộ, ngành lập phương án" in refused.content.decode()
    assert client.post(f"{url}submit/", **VI).status_code == 403
    client.force_login(world.drafter)
    assert client.post(f"{url}submit/").status_code == 302
    plan.refresh_from_db()
    assert plan.submitted_at is not None
    html = client.get(url, **VI).content.decode()
    assert "Đã trình đúng hạn" in html or "Đã trình quá hạn" in html
    assert "Thêm vào phương án" not in html
    # Submitted: no change, 409.
    assert client.post(f"{url}items/", {"regulation": small.pk, "action": "cut"}).status_code == 409
    assert client.post(f"{url}submit/").status_code == 409


def test_the_item_form_reads_figures_in_vietnamese(
    client,
    world,
    regulations,  # noqa: F811
):
    _big, small = regulations
    client.force_login(world.drafter)
    bad_year = client.post(
        "/consultation/reform-plans/",
        {"organisation": world.m.pk, "year": "hai nghìn", "title": "Phương án"},
        **VI,
    )
    assert bad_year.status_code == 400 and "Nhập năm từ 2000 đến 2100." in bad_year.content.decode()
    assert not ReformPlan.objects.exists()
    plan = services.create_plan(world.drafter, world.m, year=YEAR, title="Phương án")
    url = f"/consultation/reform-plans/{plan.pk}/items/"
    figures = {"regulation": small.pk, "action": "simplify", "subjects": "100", "frequency": "1"}
    # "200.000" is two hundred thousand đồng (Django's IntegerField would read 200).
    refused = client.post(url, {**figures, "days": "0,5", "day_value": "200.000,5"}, **VI)
    assert refused.status_code == 400 and not ReformItem.objects.exists()
    html = refused.content.decode()
    assert "Nhập số tiền tròn đồng, không có phần lẻ." in html
    assert 'id="id_day_value-error"' in html and 'value="200.000,5"' in html
    done = client.post(url, {**figures, "days": "0,5", "day_value": "200.000"}, **VI)
    assert done.status_code == 302
    item = plan.items.get()
    assert item.day_value == 200_000 and str(item.days) == "0.50"
    assert item.cost == 100 * 100_000
