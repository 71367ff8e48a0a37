"""The access matrix: every object endpoint of the API, and who must not reach it.

The endpoints come from the OpenAPI schema, so a new one is picked up by itself. The rules are
the apps' parts (``tests/<app label>/access_matrix.py``, read below). Each endpoint must be
either declared PUBLIC (and be public in the schema and for an anonymous caller) or have a
CASE that makes an object of organisation A and checks that an official of another organisation,
another citizen, an API client of another organisation and an anonymous caller get 401, 403 or
404, while somebody who may see it gets 2xx (so the test can fail). A new non-public endpoint
without a rule here fails the first test.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from drf_spectacular.generators import SchemaGenerator

from egov.accounts.services import clients as client_services

from .officials_support import make_official, tree  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # every endpoint of the schema, ~11 s


def _parts():
    """Each app's part: tests/<app label>/access_matrix.py (PUBLIC, SCOPE_ONLY, CASES)."""
    public, scope_only, cases = set(), {}, {}
    for config in apps.get_app_configs():
        name = f"tests.{config.label}.access_matrix"
        try:
            part = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name in {name, f"tests.{config.label}"}:
                continue  # an app without API objects, or not ours
            raise
        public |= getattr(part, "PUBLIC", set())
        scope_only |= getattr(part, "SCOPE_ONLY", {})
        cases |= getattr(part, "CASES", {})
    return public, scope_only, cases


PUBLIC, SCOPE_ONLY, CASES = _parts()
REFUSED = {401, 403, 404}


def object_endpoints():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (path, method): operation
        for path, item in schema["paths"].items()
        if "{" in path
        for method, operation in item.items()
        if method in {"get", "put", "patch", "delete", "post"}
    }


def test_every_object_endpoint_has_a_rule():
    endpoints = object_endpoints()
    missing = set(endpoints) - PUBLIC - set(SCOPE_ONLY) - set(CASES)
    assert not missing, f"object endpoints without an access rule in this matrix: {missing}"
    for key, operation in endpoints.items():
        public = {} in operation.get("security", [])
        assert public == (key in PUBLIC), f"{key}: public in the schema but not listed, or not"
    assert set(CASES) <= set(endpoints), "rules for endpoints that no longer exist"


def _fill(path: str, value) -> str:
    """The path with ``value`` for its object id; a sample procedure code and version number."""
    values = {"code": "1.000001", "number": "1"}
    return re.sub(r"{([^}]+)}", lambda m: values.get(m.group(1), str(value)), path)


@pytest.mark.parametrize(("path", "method"), sorted(PUBLIC))
def test_public_endpoints_need_no_credentials(client, tree, path, method):  # noqa: F811
    if (path, method) not in object_endpoints():
        pytest.skip("endpoint not mounted here")
    if "organisations" not in path:
        return  # the catalogue's own tests call these without credentials
    response = getattr(client, method)(_fill(path, tree.a.pk))
    assert response.status_code == 200


@pytest.mark.parametrize(("path", "method"), sorted(SCOPE_ONLY))
def test_scope_only_endpoints_refuse_callers_without_the_scope(
    client,
    tree,  # noqa: F811
    django_user_model,
    path,
    method,
):
    if (path, method) not in object_endpoints():
        pytest.skip("endpoint not mounted here")
    url = _fill(path, 1)
    citizen = django_user_model.objects.create_user("citizen_c", password=None)
    desk = make_official("desk_b", tree.b, "desk", "administrator").user
    for who in [citizen, desk, None]:
        response = _request(_caller(client, who), method, url)
        assert response.status_code in REFUSED, (url, who, response.status_code)


def _caller(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _request(client, method, url, body=None, **extra):
    if method in {"put", "patch", "post"}:
        return getattr(client, method)(url, body or {}, content_type="application/json", **extra)
    return getattr(client, method)(url, **extra)


@pytest.mark.parametrize(("path", "method"), sorted(CASES))
def test_others_get_401_403_or_404(
    client,
    tree,  # noqa: F811
    django_user_model,
    settings,
    path,
    method,
):
    case = CASES[(path, method)](tree)
    for name, value in case.get("settings", {}).items():  # e.g. a provincial hub
        setattr(settings, name, value)
    url = _fill(path, case["id"])
    ok = _request(_caller(client, case["insider"]), method, url, case.get("body"))
    assert ok.status_code < 300, (url, ok.status_code, ok.content[:300])
    citizen = django_user_model.objects.create_user("citizen_c", password=None)
    for who in [*case["outsiders"], citizen, None]:
        response = _request(_caller(client, who), method, url)
        assert response.status_code in REFUSED, (url, who, response.status_code)
    # An API client with the scope, acting for another province.
    api = client_services.create_client(
        name="other",
        organisations=[tree.q],
        scopes=case["scopes"],
        actor="test",
        include_subtree=True,
    )
    _key, secret = client_services.add_secret(api, actor="test")
    client.logout()
    token = client.post(
        "/api/v1/oauth/token",
        f"grant_type=client_credentials&client_id={api.client_id}&client_secret={secret}",
        content_type="application/x-www-form-urlencoded",
    ).json()["access_token"]
    response = _request(client, method, url, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code in REFUSED
