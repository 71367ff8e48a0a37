"""The access matrix: every object endpoint of the API, and who must not reach it.

The endpoints come from the OpenAPI schema, so a new one is picked up by itself. Each must be
either declared PUBLIC here (and be public in the schema and for an anonymous caller) or have a
CASE that makes an object of organisation A and checks that an official of another organisation,
another citizen, an API client of another organisation and an anonymous caller get 401, 403 or
404, while somebody who may see it gets 2xx (so the test can fail). A new non-public endpoint
without a rule here fails the first test.
"""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from egov.accounts.services import clients as client_services
from tests.dossiers import core_matrix as dossier_matrix
from tests.exchange import support as exchange_support

from .officials_support import make_official, tree  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # every endpoint of the schema, ~11 s

# Public: reference data anyone may read. The government tree, and the catalogue of procedures
# (what the portal shows every visitor; checking a form against its template stores nothing).
PUBLIC = {
    ("/api/v1/organisations/{id}/", "get"),
    ("/api/v1/organisations/{id}/subtree/", "get"),
    ("/api/v1/procedures/{code}/", "get"),
    ("/api/v1/procedures/{code}/versions/", "get"),
    ("/api/v1/procedures/{code}/versions/{number}/", "get"),
    ("/api/v1/procedures/{code}/form/", "get"),
    ("/api/v1/procedures/{code}/form/validate/", "post"),
    ("/api/v1/sectors/{id}/", "get"),
}
# Closed by scope alone (objects without an organisation of their own yet): anonymous callers,
# citizens and officials without the scope are refused. The catalogue team may move these to
# CASES once catalogue managers are limited to their organisation's procedures.
SCOPE_ONLY = {
    ("/api/v1/procedures/{code}/drafts/", "post"): "catalog.write",
    ("/api/v1/procedures/{code}/versions/{number}/content/", "put"): "catalog.write",
    ("/api/v1/procedures/{code}/versions/{number}/publish/", "post"): "catalog.write",
    ("/api/v1/procedures/{code}/versions/{number}/discard/", "delete"): "catalog.write",
}


def _official_case(t):
    target = make_official("target", t.a)
    return {
        "id": target.pk,
        "insider": make_official("admin_a", t.a, "administrator").user,
        # Same role, another organisation (a sibling commune), and another province.
        "outsiders": [
            make_official("admin_b", t.b, "administrator").user,
            make_official("admin_q", t.q, "administrator", subtree=True).user,
        ],
        "scopes": ["accounts.read"],
    }


CASES = {
    ("/api/v1/officials/{id}/", "get"): _official_case,
    ("/api/v1/exchange/packages/{id}/", "get"): exchange_support.package_case,
    ("/api/v1/exchange/packages/{id}/receipt/", "get"): exchange_support.package_case,
    ("/api/v1/exchange/packages/{id}/trail/", "get"): exchange_support.package_case,
    ("/api/v1/exchange/mailbox/{id}/", "get"): exchange_support.delivery_case,
    ("/api/v1/exchange/mailbox/{id}/package/", "get"): exchange_support.delivery_case,
    ("/api/v1/exchange/mailbox/{id}/acknowledge/", "post"): exchange_support.delivery_case,
    ("/api/v1/exchange/mailbox/{id}/recall/", "get"): exchange_support.recall_case,
    ("/api/v1/exchange/mailbox/{id}/recall/acknowledge/", "post"): exchange_support.recall_case,
    ("/api/v1/exchange/packages/{id}/retry/", "post"): exchange_support.retry_case,
    ("/api/v1/exchange/mailbox/{id}/retry/", "post"): exchange_support.answer_retry_case,
    ("/api/v1/exchange/statuses/{id}/", "get"): exchange_support.status_case,
    ("/api/v1/exchange/statuses/{id}/acknowledge/", "post"): exchange_support.status_case,
    **dossier_matrix.CASES,
}
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
