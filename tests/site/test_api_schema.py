"""The API answers as its OpenAPI document says (issue 12 §6).

schemathesis generates requests for every operation from the document the app serves, valid
and invalid ones, calls the WSGI app in process with a bearer token that holds every scope, and
checks that no answer is a 5xx and that each answer's status and body are documented. Bounded
(EXAMPLES per operation and kind, Hypothesis derandomised: the same requests every run), so it
runs in the suite on both databases. Operations with a path parameter are also called with
objects that exist, so that their 200 answers are checked too.
"""

from __future__ import annotations

import contextlib

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from egov.accounts.scopes import SCOPES
from egov.accounts.services import clients as client_services
from egov.catalog.models import Sector
from egov.wsgi import application

from ..dossiers.core_support import make_world, submit

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = 6  # per operation and kind (valid, invalid, valid on existing objects)
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


@pytest.fixture
def _one_connection():
    """As Django's test client does: the WSGI handler must not close the database connection
    after each request, which would end the test's transaction (PostgreSQL, CONN_MAX_AGE 0)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api(_one_connection):
    """A small world with a dossier in it, and an API client holding every scope."""
    world = make_world()
    dossier = submit(world)
    client = client_services.create_client(
        name="schemathesis", organisations=[world.a], scopes=sorted(SCOPES), actor="test"
    )
    key, _secret = client_services.add_secret(client, actor="test")
    token = client_services.issue_token(client, key, None).token
    existing = {
        "dossier_code": dossier.code,
        "code": world.version.procedure.code,
        "number": world.version.number,
        "/api/v1/organisations/": world.a.pk,
        "/api/v1/officials/": world.desk.pk,
        "/api/v1/sectors/": Sector.objects.order_by("pk").first().pk,
    }
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}, existing


def test_every_operation_answers_as_documented(api):
    headers, existing = api
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    findings: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in MODES:
            _fuzz(operation, operation.as_strategy(generation_mode=mode), headers, findings)
        known = _existing(operation.path, existing)
        if known:
            strategy = operation.as_strategy(path_parameters=known)
            _fuzz(operation, strategy, headers, findings)
    assert not findings, "\n\n".join(f"{label}\n{text}" for label, text in findings.items())


def _existing(path: str, existing: dict) -> dict:
    """Path parameters naming objects that exist; {} if the path has one we know nothing of."""
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    values = {}
    for name in names:
        key = name if name != "id" else next((p for p in existing if path.startswith(p)), None)
        if key not in existing:
            return {}
        values[name] = existing[key]
    return values


def _fuzz(operation, strategy, headers, findings):
    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Failure, FailureGroup) as exc:
            for failure in getattr(exc, "exceptions", [exc]):
                key = f"{operation.label} [{response.status_code}] {failure.title}"
                findings.setdefault(key, f"{failure.message[:600]}\n{case.as_curl_command()}")

    # Unsatisfiable: nothing in the operation can be made invalid (no parameters, no body).
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        run()
