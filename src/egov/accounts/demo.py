"""accounts' part of ``egov load-demo``: the demo logins, outside production only."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from egov.core.services import audit

# The demo administrator: only made outside production, and printed so people can log in.
DEMO_ADMIN = ("quantri", "Egov-Demo-2026!")
# Demo officials (outside production only): a commune's one-stop team in Đà Nẵng (a published
# provincial code, H17) and the province's document clerk. (username, title, roles, where)
DEMO_OFFICIAL_PASSWORD = "Demo-Official-2026!"  # noqa: S105 - printed; not made in production
DEMO_PROVINCE = "000.00.00.H17"
# (username, (family and middle names, given name), title, roles, where): Vietnamese names are
# written family name first, so ``first_name`` holds the family and middle names and
# ``get_full_name()`` reads "Nguyễn Thị Lan Anh".
DEMO_OFFICIALS = (
    (
        "motcua",
        ("Nguyễn Thị Lan", "Anh"),
        "Công chức Văn phòng - Thống kê, Bộ phận Một cửa",
        ("desk",),
        "commune",
    ),
    ("chuyenvien", ("Trần Văn", "Hùng"), "Công chức Tư pháp - Hộ tịch", ("processor",), "commune"),
    ("lanhdao", ("Lê Minh", "Tuấn"), "Chủ tịch Ủy ban nhân dân", ("approver",), "commune"),
    ("vanthu", ("Phạm Thị", "Hoa"), "Văn thư, Văn phòng Ủy ban nhân dân", ("clerk",), "province"),
)


def load(write) -> None:
    if settings.PRODUCTION:
        write("Production: no demo logins were created.")
        return
    _demo_admin()
    # Paths, not addresses: the port is egov serve's to choose (it prints the address).
    lines = [
        "Demo logins:",
        f"  administrator  /admin/  user {DEMO_ADMIN[0]}  password {DEMO_ADMIN[1]}",
    ]
    for username, name, title, roles, where in _demo_officials():
        lines.append(
            f"  official       /accounts/login/  user {username}"
            f"  password {DEMO_OFFICIAL_PASSWORD}  ({name}, {title}, {', '.join(roles)}, {where})"
        )
    if len(lines) > 2:
        lines.append("  (officials enrol an authenticator app at their first login)")
    write("\n".join(lines))


@transaction.atomic
def _demo_admin() -> None:
    User = get_user_model()
    username, password = DEMO_ADMIN
    if User.objects.filter(username=username).exists():
        return
    user = User.objects.create_superuser(username=username, password=password, email="")
    audit.record(actor="system", action="user.create", obj=user, summary={"demo": True})


@transaction.atomic
def _demo_officials() -> list[tuple[str, str, str, tuple, str]]:
    """The demo officials (made once, through the services); [] if Đà Nẵng is missing."""
    from egov.accounts.services import officials as official_services
    from egov.core.models import Organisation

    province = Organisation.objects.filter(code=DEMO_PROVINCE).order_by("-id").first()
    commune = (
        Organisation.objects.filter(parent=province, level="commune", valid_to__isnull=True)
        .order_by("code")
        .first()
        if province
        else None
    )
    if commune is None:
        return []
    made = []
    for username, (first, last), title, roles, where in DEMO_OFFICIALS:
        organisation = commune if where == "commune" else province
        official = demo_official(username, (first, last), title, organisation, roles)
        if not official.user.get_full_name():
            # Demo data loaded before the officials had names: named now, through the service.
            official_services.name_official(
                official, first_name=first, last_name=last, title=title, actor="system"
            )
        made.append(
            (username, f"{first} {last}", title, roles, f"{organisation.name} {organisation.code}")
        )
    return made


@transaction.atomic
def demo_official(
    username: str,
    names: tuple[str, str],
    title: str,
    organisation,
    roles: Iterable[str] = (),
    *,
    password: str = DEMO_OFFICIAL_PASSWORD,
    email: str = "",
    include_subtree: bool = False,
    add_missing_roles: bool = False,
):
    """The demo official ``username`` of every app's demo step, made once through the services
    (so with its audit rows) with ``roles`` at ``organisation``; ``names`` are (family and middle
    names, given name), as in DEMO_OFFICIALS. An existing one is returned as it is, or with
    ``add_missing_roles`` given those of ``roles`` it lacks there (a demo that grew a role: a
    second run adds nothing)."""
    from egov.accounts.models import Official, RoleAssignment
    from egov.accounts.services import officials as official_services

    official = Official.objects.filter(user__username=username).select_related("user").first()
    made = official is None
    if made:
        first, last = names
        official = official_services.create_official(
            username=username,
            password=password,
            organisation=organisation,
            actor="system",
            email=email,
            first_name=first,
            last_name=last,
            title=title,
        )
    elif not add_missing_roles:
        return official
    for role in roles:
        held = RoleAssignment.objects.filter(
            official=official, role=role, organisation=organisation
        )
        if made or not held.exists():
            official_services.assign_role(
                official, role, organisation, actor="system", include_subtree=include_subtree
            )
    return official


# The development e-ID provider's citizens (oidc-provider/demo-citizens.json): subject, name and
# ID number. Logging in there finds their Citizen by issuer and subject.
DEMO_CITIZENS = (
    ("demo-citizen-1-7f3a9c", "Nguyễn Văn An", "001090000001"),
    ("demo-citizen-2-b81e44", "Trần Thị Bình", "079085000002"),
)


def demo_citizen(subject: str, name: str, pid: str):
    """The demo citizen at the configured e-ID provider, made on first use; None without one.

    The demo steps need her before she logs in (her dossiers, her comments): login_citizen
    updates this row from the provider's claims at her first login."""
    from egov.accounts.models import Citizen

    if not settings.EGOV_OIDC_ISSUER:
        return None
    citizen = Citizen.objects.filter(issuer=settings.EGOV_OIDC_ISSUER, subject=subject).first()
    if citizen is not None:
        return citizen
    user = get_user_model()(username=f"demo-{subject}"[:150])
    user.set_unusable_password()
    user.save()
    return Citizen.objects.create(
        user=user,
        issuer=settings.EGOV_OIDC_ISSUER,
        subject=subject,
        personal_id_number=pid,
        full_name=name,
    )
