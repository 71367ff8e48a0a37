"""The tasks scenario's plumbing (bench/tasks.py) at a tiny size: its setup spreads tasks over
every ministry and province and leaves a Government Office session the report page answers;
gunicorn and wrk only in the real run."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from bench import tasks
from egov.assignments import reports
from egov.assignments.models import Assignment
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData

OFFICE = "000.00.00.G22"


@pytest.fixture
def orgs(db, settings):
    settings.EGOV_INSTANCE_ORG_CODE = OFFICE
    create = org_services.create_organisation
    create(OrganisationData(OFFICE, "Văn phòng Chính phủ", "central"))
    create(OrganisationData("000.00.00.G09", "Bộ Tài chính", "central"))
    create(OrganisationData("000.00.00.H26", "Tỉnh Phú Thọ", "province"))


def test_setup_and_the_report_page(orgs, capsys):
    exec(tasks.SETUP % {"count": 60}, {})  # noqa: S102 (the script egov shell runs)
    setup = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert setup["tasks"] == 60
    assert setup["leads"] == 2
    assert set(Assignment.objects.values_list("lead__code", flat=True)) == {
        "000.00.00.G09",
        "000.00.00.H26",
    }
    client = Client()
    client.cookies[setup["session_cookie"]] = setup["session"]
    response = client.get(tasks.REPORT_PATH, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert "Bộ Tài chính" in response.content.decode()
    whole = reports.totals(Assignment.objects.all(), timezone.localdate())
    assert whole.total == Assignment.objects.filter(withdrawn_at__isnull=True).count()
