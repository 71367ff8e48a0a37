"""In-process time, queries and profile of the command centre's pages (not a scenario).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/egov_bench_reporting
    PYTHONPATH=src EGOV_ENV=dev .venv/bin/python -m bench._profile_reporting \
        [--regime bench-xa-thang] [--requests 5] [--profile dashboard]

On a database ``egov generate-reports`` filled: the national dashboard, one province's, the
drill-down of one summed indicator at the nation and at that province, through Django's test
client as a reader at the Government Office (made here if missing), each ``--requests`` times:
the median wall time and the number of queries. ``--profile NAME``: cProfile's top functions
(``$PROFILE_LINES`` of them, 30 by default).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regime", default="bench-xa-thang")
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--profile")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from egov.accounts.models import Official
    from egov.accounts.services import officials
    from egov.core.models import Organisation
    from egov.reporting import builtin
    from egov.reporting.generate import marker_of
    from egov.reporting.models import Aggregation, ReportingRegime

    regime = ReportingRegime.objects.get(code=args.regime)
    year, number = marker_of(regime)["last"]
    province = regime.organisations.order_by("path").first().parent
    indicator = next(
        i
        for i in regime.indicators.order_by("pk")
        if i.aggregation == Aggregation.SUM and not builtin.is_builtin(i)
    )
    reader = Official.objects.filter(user__username="bench_command_centre").first()
    if reader is None:
        office = Organisation.objects.get(code=settings.EGOV_INSTANCE_ORG_CODE)
        reader = officials.create_official(
            username="bench_command_centre",
            password=secrets.token_urlsafe(24),
            organisation=office,
            actor="bench",
        )
        officials.assign_role(reader, "reporter", office, actor="bench")
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(reader.user)
    period = f"regime={regime.code}&year={year}&number={number}"
    figure = f"/reporting/dashboard/figure/{regime.code}/{indicator.key}/{year}/{number}/"
    paths = {
        "dashboard": f"/reporting/dashboard/?{period}",
        "province_dashboard": f"/reporting/dashboard/{province.code}/?{period}",
        "drilldown_nation": figure,
        "drilldown_province": f"{figure}?organisation={province.code}",
    }
    for name, path in paths.items():
        times, queries = [], 0
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - began)
            assert response.status_code == 200, (path, response.status_code)
            queries = len(captured)
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
        print(
            f"{name}: median {statistics.median(times) * 1000:.1f} ms, {queries} queries, "
            f"{len(response.content):,} bytes; slowest queries "
            + ", ".join(f"{q['time']} s" for q in slowest)
        )
        if args.profile == name:
            profile = cProfile.Profile()
            profile.enable()
            client.get(path)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(
                int(os.environ.get("PROFILE_LINES", "30"))
            )
            for q in slowest:
                print(q["time"], q["sql"][:600])


if __name__ == "__main__":
    main()
