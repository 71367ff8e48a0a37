from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from egov.consultation import services
from egov.consultation.errors import ConsultationError, IllegalTransition
from egov.consultation.models import ReformItem, ReformPlan
from egov.consultation.services.reform import totals
from egov.core.models import AuditEntry

from .test_regulations import data


@pytest.fixture
def regulations(world):
    big = services.record_regulation(world.drafter, world.m, data(world))
    small = services.record_regulation(
        world.drafter,
        world.m,
        data(
            world,
            article="13",
            costs={
                "subjects": 100,
                "frequency": 2,
                "days": 1,
                "day_value": 200_000,
                "fees": 50_000,
            },
        ),
    )
    return big, small


def test_a_plan_sums_its_savings_against_30_september(world, regulations):
    big, small = regulations
    plan = services.create_plan(world.drafter, world.m, year=2026, title="Phương án cắt giảm 2026")
    services.add_item(world.drafter, plan, big, action="cut", costs_after={})
    services.add_item(
        world.drafter,
        plan,
        small,
        action="simplify",
        costs_after={"subjects": 100, "frequency": 1, "days": 1, "day_value": 200_000},
    )
    t = totals(ReformPlan.objects.prefetch_related("items").get(pk=plan.pk), today=date(2026, 9, 1))
    assert t.cost_before == 344_802_432_000 + 100 * 2 * 250_000
    assert t.cost_after == 100 * 200_000
    assert t.saving == t.cost_before - t.cost_after
    assert (t.deadline, t.days_left, t.on_time) == (date(2026, 9, 30), 29, None)
    submitted = services.submit_plan(world.drafter, plan)
    t = totals(ReformPlan.objects.prefetch_related("items").get(pk=submitted.pk))
    assert t.on_time is (timezone.localdate() <= date(2026, 9, 30)) and t.days_left is None
    with pytest.raises(IllegalTransition):
        services.submit_plan(world.drafter, plan)
    actions = AuditEntry.objects.filter(action__startswith="consultation.plan").values_list(
        "action", flat=True
    )
    assert list(actions) == [
        "consultation.plan.create",
        "consultation.plan.item",
        "consultation.plan.item",
        "consultation.plan.submit",
    ]


def test_bad_plan_items_change_nothing(world, regulations):
    big, small = regulations
    plan = services.create_plan(world.drafter, world.m, year=2026, title="Phương án")
    with pytest.raises(ConsultationError) as caught:  # costs more
        services.add_item(
            world.drafter,
            plan,
            small,
            action="simplify",
            costs_after={"subjects": 10**6, "frequency": 9, "days": 9, "day_value": 10**6},
        )
    assert caught.value.code == "no_saving"
    with pytest.raises(PermissionDenied):
        services.add_item(world.outsider, plan, big, action="cut", costs_after={})
    services.add_item(world.drafter, plan, big, action="cut", costs_after={})
    with pytest.raises(ConsultationError) as caught:
        services.add_item(world.drafter, plan, big, action="cut", costs_after={})
    assert caught.value.code == "duplicate"
    with pytest.raises(ConsultationError):
        services.create_plan(world.drafter, world.m, year=2026, title="Lần hai")
    assert ReformItem.objects.count() == 1 and ReformPlan.objects.count() == 1


def test_plans_in_the_api(client, world, regulations, django_assert_max_num_queries):
    big, _small = regulations
    client.force_login(world.drafter)
    made = client.post(
        "/api/v1/consultation/reform-plans/",
        {"organisation": world.m.code, "year": 2026, "title": "Phương án"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    plan_id = made.json()["id"]
    item = client.post(
        f"/api/v1/consultation/reform-plans/{plan_id}/items/",
        {"regulation": big.pk, "action": "cut"},
        content_type="application/json",
    )
    assert item.status_code == 201 and item.json()["saving"] == 344_802_432_000
    client.logout()
    with django_assert_max_num_queries(4):
        listed = client.get("/api/v1/consultation/reform-plans/?year=2026").json()
    assert listed["results"][0]["cost_before"] == 344_802_432_000
    assert client.get("/api/v1/consultation/reform-plans/?year=abc").status_code == 400
