"""A Content-Security-Policy on every page (no 'unsafe-inline') and ``Cache-Control: no-store``
on the pages with personal data (issue 12); static files stay cacheable."""

from __future__ import annotations

import re

import pytest

from egov.dossiers import services
from tests.accounts.officials_support import make_official
from tests.dossiers.core_support import submit, world  # noqa: F401
from tests.dossiers.web_support import citizen_login

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def _no_store_and_policy(response) -> None:
    assert response.status_code == 200, response.status_code
    assert "no-store" in response["Cache-Control"]
    csp = _directives(response)
    assert csp["script-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert not any("'unsafe-inline'" in v or "'unsafe-eval'" in v for v in csp.values())


def test_each_kind_of_page_with_personal_data(client, world):  # noqa: F811
    dossier = submit(world)
    services.receive(dossier, actor=world.desk.user)
    # The citizen's dossiers and a dossier of theirs.
    citizen_login(client, world.citizen)
    _no_store_and_policy(client.get("/my/dossiers/"))
    _no_store_and_policy(client.get(f"/my/dossiers/{dossier.code}/"))
    client.logout()
    # Lookup results, on the page and in the API.
    found = client.post("/lookup/", {"code": dossier.code, "id_number": "001099012345"})
    _no_store_and_policy(found)
    query = {"code": dossier.code, "id_number": "001099012345"}
    _no_store_and_policy(client.get("/api/v1/dossier-lookup/", query))
    # The officials' workspace and a dossier page.
    client.force_login(world.desk.user)
    _no_store_and_policy(client.get("/one-stop/"))
    _no_store_and_policy(client.get(f"/one-stop/d/{dossier.code}/"))
    # The exchange clerk's pages.
    client.force_login(make_official("clerk_a", world.a, "clerk").user)
    _no_store_and_policy(client.get("/exchange/"))
    _no_store_and_policy(client.get("/exchange/outbox/"))


def test_public_pages_have_the_policy_too(client, world):  # noqa: F811
    # No-store too: nothing there had validators, and a page left out cannot leak.
    for path in ("/", "/procedures/", "/accounts/login/", "/api/v1/docs/"):
        _no_store_and_policy(client.get(path))


def test_templates_keep_scripts_and_styles_in_static_files():
    """What lets the policy go without 'unsafe-inline': no inline script, style or handler."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "egov"
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\bstyle=|\son[a-z]+=", re.I)
    found = [
        f"{path.relative_to(src)}: {match.group(0)}"
        for path in src.rglob("templates/**/*.html")
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found


def test_a_view_that_says_how_to_cache_is_left_alone(client, world):  # noqa: F811
    login = client.get("/accounts/login/")  # never_cache: Django's full header
    assert "must-revalidate" in login["Cache-Control"]
