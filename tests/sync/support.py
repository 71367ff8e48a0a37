"""Shared pieces of the status sync's tests: a province P (the one-stop shop's test world, its
procedure given a national code) that is also known at the national side, whose API client
holds ``sync.ingest``; and an httpx transport that hands the provincial side's calls to this
process's national views (the role switched for the call)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import httpx
import pytest
from django.test import Client, override_settings

from egov.accounts.services import clients
from egov.catalog.models import Procedure
from egov.sync import scopes
from egov.sync.services import client as national_client

from ..dossiers.core_support import make_world

NATIONAL = "http://national.test"


class InProcess(httpx.BaseTransport):
    """The national side in this process; counts calls per path and can answer 503."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.down = False
        self.django = Client()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        self.calls.append((request.url.path, body))
        if self.down:
            return httpx.Response(503, text="down")
        with override_settings(EGOV_SYNC_ROLE="national"):
            answer = self.django.post(
                request.url.path,
                data=request.content,
                content_type="application/json",
                headers={"dstcode": request.headers.get("dstcode", "")},
            )
        return httpx.Response(answer.status_code, content=answer.content)

    def services(self, name: str) -> list[dict]:
        return [b for path, b in self.calls if path.endswith("/service") and b["service"] == name]

    def logins(self) -> int:
        return sum(1 for path, _ in self.calls if path.endswith("/session"))


def ingest_client(organisation, name="province"):
    made = clients.create_client(
        name=name, organisations=[organisation], scopes=[scopes.INGEST], actor="test"
    )
    return made.client_id, clients.add_secret(made, actor="test")[1]


def make_sync_world(settings):
    w = make_world()
    Procedure.objects.filter(pk=w.version.procedure_id).update(code="1.000001")
    w.version.procedure.refresh_from_db()
    username, password = ingest_client(w.p)
    settings.EGOV_SYNC_ROLE = "provincial"
    settings.EGOV_SYNC_NATIONAL_URL = NATIONAL
    settings.EGOV_SYNC_USERNAME = username
    settings.EGOV_SYNC_PASSWORD = password
    settings.EGOV_SYNC_UNIT_CODE = w.p.code
    settings.EGOV_PUBLIC_URL = "https://dvc.p.example"
    national_client.forget_session()
    transport = InProcess()
    return SimpleNamespace(**vars(w), transport=transport, username=username, password=password)


@pytest.fixture
def sw(db, settings, monkeypatch):
    w = make_sync_world(settings)
    monkeypatch.setattr(national_client, "TRANSPORT", w.transport)
    yield w
    national_client.forget_session()
