"""The frame of every page: who is logged in, a logout form, and only the links one's roles
allow (egov.accounts.frame)."""

from __future__ import annotations

import re

from egov.accounts.models import Official
from tests.dossiers.core_support import world  # noqa: F401
from tests.dossiers.web_support import citizen_login

from .officials_support import make_official


def nav(html: str) -> list[str]:
    block = html.split('id="navigation"', 1)
    if len(block) == 1:
        return []
    return re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', block[1])


def logout_form(html: str) -> str:
    match = re.search(
        r'<form class="egov-header__form" action="([^"]+)" method="post">\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken"',
        html,
    )
    assert match, "a POST logout form with its CSRF token"
    return match.group(1)


def test_an_official_sees_name_title_organisation_and_the_links_of_their_roles(
    client,
    world,  # noqa: F811
):
    user = world.desk.user
    user.first_name, user.last_name = "Lan", "Trần Thị"
    user.save()
    Official.objects.filter(pk=world.desk.pk).update(title="Chuyên viên một cửa")
    client.force_login(user)
    html = client.get("/one-stop/register/").content.decode()
    assert "Lan Trần Thị" in html or "Trần Thị Lan" in html
    assert "Chuyên viên một cửa" in html and "Xã A" in html
    assert logout_form(html) == "/accounts/logout/"
    links = nav(html)
    assert links[:5] == [
        "/workspace/",
        "/one-stop/",
        "/one-stop/register/",
        "/one-stop/tracking-book/",
        "/one-stop/on-time/",
    ]
    assert not any(link.startswith("/exchange/") for link in links)  # no clerk role
    assert 'href="/one-stop/register/" aria-current="page"' in html


def test_links_follow_the_roles(client, world):  # noqa: F811
    client.force_login(world.processor.user)  # reads dossiers, receives none
    links = nav(client.get("/workspace/").content.decode())
    assert "/one-stop/" in links and "/one-stop/register/" not in links
    clerk = make_official("clerk_a", world.a, "clerk")
    client.force_login(clerk.user)
    links = nav(client.get("/workspace/").content.decode())
    # The clerk registers the tasks of incoming documents (assignments.manage); the e-Cabinet's
    # link shows only to its members, assistants and secretariat.
    assert links == [
        "/workspace/",
        "/exchange/",
        "/assignments/",
        "/exchange/outbox/",
        "/exchange/documents/new/",
    ]


def test_a_citizen_sees_their_name_and_logs_out_of_the_e_id(client, world):  # noqa: F811
    citizen_login(client, world.citizen)
    html = client.get("/my/dossiers/").content.decode()
    assert "Nguyễn Văn An" in html.split("</header>")[0]
    assert logout_form(html) == "/accounts/oidc/logout"
    assert nav(html) == []


def test_a_stranger_sees_no_person_and_no_links(client, db):
    html = client.get("/").content.decode()
    assert "egov-header__person" not in html and nav(html) == []
    assert 'href="/accounts/login/"' in html  # the officials' login, in the footer


def _tables(captured) -> list[str]:
    """The table each query reads (its first column's, else its first FROM), in order."""
    return [
        (
            re.match(r'SELECT (?:DISTINCT )?"(\w+)"\.', q["sql"])
            or re.search(r' FROM "(\w+)"', q["sql"])
        ).group(1)
        for q in captured
    ]


def test_the_official_is_read_once_a_page(client, world):  # noqa: F811
    """The view's guard, the policy and the frame share one read of the official, which says
    too whether a delegation is in force (none here: no delegation query) and whether they
    take part in the e-Cabinet (no query of its own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.desk.user)
    client.get("/one-stop/register/")
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/one-stop/register/").content.decode()
    tables = _tables(ctx.captured_queries)
    assert tables.count("accounts_official") == 1, tables
    assert "accounts_delegation" not in tables
    assert not any(table.startswith("cabinet_") for table in tables)
    assert "/one-stop/register/" in nav(html) and "/cabinet/" not in nav(html)


def test_a_delegate_sees_the_links_of_the_delegated_role(client, world):  # noqa: F811
    """With a delegation in force, the official's row says so and the policy reads it: the
    approver's links show to the deputy for the delegation's dates."""
    import datetime as dt

    from django.utils import timezone

    from egov.accounts.services import officials as svc

    leader = make_official("leader_a", world.a, "approver")
    client.force_login(world.processor.user)
    before = nav(client.get("/workspace/").content.decode())
    today = timezone.localdate()
    svc.delegate(
        delegator=leader,
        delegate=world.processor,
        role="approver",
        organisation=world.a,
        starts_on=today,
        ends_on=today + dt.timedelta(days=3),
        actor=leader.user,
        reason="nghỉ phép",
    )
    after = nav(client.get("/workspace/").content.decode())
    client.force_login(leader.user)
    approver = set(nav(client.get("/workspace/").content.decode()))
    assert set(before) < set(after) and approver <= set(after), (before, after, approver)
