"""The petitions scenario's plumbing (bench/petitions.py) at tiny sizes: its setup inserts
published petitions the public list finds and leaves a citizen session its submissions
authenticate with (session cookie + CSRF header, as the load processes send them); its load
processes count only 201s. gunicorn and wrk only in the slow end-to-end run."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client

from bench import petitions
from egov.core.services import organisations as org_services
from egov.core.services.organisations import OrganisationData
from egov.petitions.models import Petition, Status

CENTRE = "000.00.00.G22"


@pytest.fixture
def centre(db, settings, tmp_path):
    settings.EGOV_INSTANCE_ORG_CODE = CENTRE
    settings.EGOV_PKI_DIR = tmp_path / "pki"
    settings.EGOV_PKI_AUTO_CREATE = True
    return org_services.create_organisation(OrganisationData(CENTRE, "Trung tâm", "central"))


def _setup(count: int, capsys) -> dict:
    exec(petitions.SETUP % {"count": count}, {})  # noqa: S102 (the script egov shell runs)
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_setup_publishes_petitions_the_public_list_finds(centre, capsys):
    session = _setup(24, capsys)
    assert session["published"] == 24
    assert Petition.objects.filter(status=Status.PUBLISHED).count() == 24
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    page = client.get("/petitions/")
    assert page.status_code == 200
    assert len(page.context["page"].rows) == 20 and page.context["page"].older
    # "ngập nước" folded: 3 of the 8 subjects' cycle hold it ("Đường ngập nước sau mưa").
    found = client.get(petitions.LIST_PATHS[1])
    assert found.status_code == 200
    assert len(found.context["page"].rows) == 3


def test_the_setup_session_submits_through_the_api_with_csrf(centre, capsys):
    session = _setup(1, capsys)
    headers = petitions.auth_headers(session)
    client = Client(enforce_csrf_checks=True)
    for part in headers["Cookie"].split("; "):
        name, _, value = part.partition("=")
        client.cookies[name] = value
    body = {"title": "Cống tắc", "content": "Nước tràn.", "category": "regulations"}
    ok = client.post(
        petitions.SUBMIT_PATH,
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=headers["X-CSRFToken"],
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["code"].startswith("PAKN-")
    refused = client.post(petitions.SUBMIT_PATH, body, content_type="application/json")
    assert refused.status_code == 403  # no CSRF header: the check is really made


class _Handler(BaseHTTPRequestHandler):
    statuses = iter([201, 400] * 10_000)

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(next(self.statuses))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_submitters_count_only_created_answers():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        target = type("S", (), {"host": "127.0.0.1", "port": server.server_address[1]})()
        got = petitions.measure_submissions(target, {"Content-Type": "application/json"}, 0.1, 0.5)
    finally:
        server.shutdown()
    assert got["answers"].get("201", 0) > 0
    assert got["errors"] == got["answers"].get("400", 0) > 0
    assert got["submissions_per_s"] == round(got["answers"]["201"] / 0.5, 1)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("wrk") is None, reason="the baseline needs wrk")
def test_the_whole_scenario_at_a_tiny_size(monkeypatch):
    monkeypatch.setenv("BENCH_PETITIONS", "50")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    out = petitions.main(quick=True)
    assert out["published_petitions"] == 50
    assert out["submissions"]["errors"] == 0 and out["submissions_per_s"] > 0
    assert out["public_list_p95_ms"] > 0 and out["ratio_to_baseline"] > 0
    assert list(out)[-3:] == ["submissions_per_s", "public_list_p95_ms", "ratio_to_baseline"]
