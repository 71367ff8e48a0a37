"""The workspace page: officials land on it after login; citizens and strangers do not."""

from __future__ import annotations

import time

from egov.accounts import totp
from egov.accounts.models import Official
from tests.dossiers.core_support import world  # noqa: F401
from tests.dossiers.web_support import citizen_login

from .officials_support import PASSWORD, page_secret


def test_an_official_lands_on_the_workspace(client, world):  # noqa: F811
    Official.objects.filter(pk=world.desk.pk).update(title="Chuyên viên")
    client.post("/accounts/login/", {"username": "desk_a", "password": PASSWORD})
    secret = page_secret(client.get("/accounts/login/code/"))
    response = client.post("/accounts/login/code/", {"code": totp.code(secret, at=time.time())})
    assert response.status_code == 302 and response["Location"] == "/workspace/"
    html = client.get("/workspace/").content.decode()
    assert "Chuyên viên" in html and "Xã A" in html  # the header: title and organisation


def test_citizens_go_to_their_dossiers_strangers_to_login(client, world):  # noqa: F811
    response = client.get("/workspace/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    citizen_login(client, world.citizen)
    response = client.get("/workspace/")
    assert response.status_code == 302 and response["Location"] == "/my/dossiers/"
