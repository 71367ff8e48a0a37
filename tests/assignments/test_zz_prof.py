import cProfile
import io
import pstats
import time
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egov.assignments.models import Assignment
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from tests.assignments.conftest import _office, make_task, world  # noqa


@pytest.mark.django_db
def test_prof(client, world, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "egov_cache",
        }
    }
    from django.core.management import call_command

    call_command("createcachetable")
    orgs = [
        org_services.create_organisation(
            OrganisationData(f"000.00.00.H{50 + i}", f"UBND tỉnh {i}", "province")
        )
        for i in range(50)
    ]
    rows = []
    for i in range(5000):
        d = date(2026, 1, 1) + timedelta(days=i % 300)
        rows.append(
            Assignment(
                source_number="1/NQ-CP",
                source_date=date(2025, 1, 1),
                source_type="NQ",
                source_signer="x",
                origin="manual",
                content="c",
                assigner=world.office,
                lead=orgs[i % 50],
                deadline=d,
                due_on=d,
                original_deadline=d,
                original_due_on=d,
                assigned_on=date(2025, 6, 1),
                completed_on=d if i % 2 else None,
                stage=3 if i % 2 else 1,
            )
        )
    Assignment.objects.bulk_create(rows)
    client.force_login(world.clerk.user)
    client.get("/assignments/report/", HTTP_ACCEPT_LANGUAGE="vi")
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/assignments/report/", HTTP_ACCEPT_LANGUAGE="vi")
    print("queries", len(ctx))
    for q in ctx.captured_queries:
        print("  ", q["sql"][:150])
    t = time.perf_counter()
    for _ in range(20):
        client.get("/assignments/report/", HTTP_ACCEPT_LANGUAGE="vi")
    print("ms per hit", (time.perf_counter() - t) / 20 * 1000)
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(20):
        client.get("/assignments/report/", HTTP_ACCEPT_LANGUAGE="vi")
    pr.disable()
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(45)
    print(s.getvalue()[:9000])
