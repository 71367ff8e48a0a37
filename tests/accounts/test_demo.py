"""accounts' demo helpers: ``demo_official``, which every app's demo step makes its officials
with (through the services, once, with their roles)."""

from __future__ import annotations

import pytest

from egov.accounts.demo import DEMO_OFFICIAL_PASSWORD, demo_official
from egov.accounts.models import RoleAssignment
from egov.core.models import AuditEntry

from .officials_support import tree  # noqa: F401

pytestmark = pytest.mark.django_db
NAMES = ("Ngô Thị", "Thu")


def _roles(official) -> set[tuple[str, int, bool]]:
    return set(
        RoleAssignment.objects.filter(official=official).values_list(
            "role", "organisation_id", "include_subtree"
        )
    )


def test_made_once_through_the_services_with_its_roles(tree):  # noqa: F811
    official = demo_official("soanthao", NAMES, "Chuyên viên", tree.a, ("processor", "approver"))
    user = official.user
    assert user.get_full_name() == "Ngô Thị Thu" and official.title == "Chuyên viên"
    assert user.check_password(DEMO_OFFICIAL_PASSWORD) and user.email == ""
    assert _roles(official) == {("processor", tree.a.pk, False), ("approver", tree.a.pk, False)}
    assert AuditEntry.objects.filter(action="accounts.role_assigned").count() == 2
    before = AuditEntry.objects.count()
    # A second run: the same official as it is, even with other roles asked for.
    again = demo_official("soanthao", NAMES, "Other", tree.b, ("desk",))
    assert again.pk == official.pk and again.title == "Chuyên viên"
    assert _roles(official) == {("processor", tree.a.pk, False), ("approver", tree.a.pk, False)}
    assert AuditEntry.objects.count() == before


def test_missing_roles_added_when_asked(tree):  # noqa: F811
    official = demo_official(
        "thongke", NAMES, "Thống kê", tree.p, ("reporter",), include_subtree=True, email="t@x.vn"
    )
    assert official.user.email == "t@x.vn"
    demo_official(
        "thongke",
        NAMES,
        "Thống kê",
        tree.p,
        ("reporter", "approver"),
        include_subtree=True,
        add_missing_roles=True,
    )
    assert _roles(official) == {("reporter", tree.p.pk, True), ("approver", tree.p.pk, True)}
    before = AuditEntry.objects.count()
    roles = ("reporter", "approver")
    demo_official("thongke", NAMES, "Thống kê", tree.p, roles, add_missing_roles=True)
    assert AuditEntry.objects.count() == before


def test_a_password_of_its_own(tree):  # noqa: F811
    official = demo_official("tvcp_x", NAMES, "Bộ trưởng", tree.q, password="Other-Pass-2026!")
    assert official.user.check_password("Other-Pass-2026!") and not _roles(official)
