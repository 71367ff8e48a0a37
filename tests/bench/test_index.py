"""The index scenario's plumbing (bench/index.py): its setup finds the province holding the
newest dossier and leaves a reporter's session with which the drill-down lists the dossiers
counted (the load processes send that cookie). gunicorn and the load only in a real run."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from bench import index

from ..serviceindex.support import dossier, make_world

pytestmark = pytest.mark.django_db


def test_setup_session_sees_the_drilldown(capsys):
    w = make_world()
    from egov.serviceindex.periods import Period

    today = Period.current_month().first_day.isoformat()
    d = dossier(w, w.a, received=today, processed=today, timeliness="early")
    exec(index.SETUP, {})  # noqa: S102 (the script egov shell runs)
    setup = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert setup["province"] == w.p.pk and setup["dossiers"] == 1
    client = Client()
    client.cookies[setup["cookie"]] = setup["session"]
    page = client.get(f"/service-index/organisations/{setup['province']}/indicators/2.1/")
    assert page.status_code == 200
    assert d.code in page.content.decode()
    assert Client().get("/service-index/").status_code == 200
