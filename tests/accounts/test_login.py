"""Officials: password then TOTP, enrolment, lockout with cool-down, session expiry, records."""

import datetime as dt
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from egov.accounts import totp
from egov.accounts.models import LoginLockout, Official, RoleAssignment
from egov.core.models import AuditEntry

from .officials_support import PASSWORD, login, make_official, page_secret, tree  # noqa: F401

pytestmark = pytest.mark.django_db


def actions(**filters):
    return list(AuditEntry.objects.filter(**filters).values_list("action", flat=True))


def test_first_login_enrols_the_authenticator_then_asks_for_codes(client, tree):  # noqa: F811
    official = make_official("an", tree.a)
    response = client.post("/accounts/login/", {"username": "an", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/code/"
    # The password alone does not log in.
    assert "_auth_user_id" not in client.session
    page = client.get("/accounts/login/code/", HTTP_ACCEPT_LANGUAGE="vi")
    body = page.content.decode()
    assert "<svg" in body and "otpauth://totp/" in body
    assert "ứng dụng xác thực" in body  # Vietnamese first
    secret = page_secret(page)
    response = client.post("/accounts/login/code/", {"code": totp.code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(official.user.pk)
    assert actions(object_type="accounts.user", object_id=str(official.user.pk)) == [
        "accounts.totp_enrolled",
        "accounts.login",
    ]
    # Next time: no enrolment page, the code of the next step (a code is never used twice).
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "an", "password": PASSWORD})
    page = client.get("/accounts/login/code/")
    assert "<svg" not in page.content.decode()
    same = client.post("/accounts/login/code/", {"code": totp.code(secret)})
    assert same.status_code == 400  # replayed code
    later = client.post("/accounts/login/code/", {"code": totp.code(secret, at=time.time() + 30)})
    assert later.status_code == 302
    assert "accounts.logout" in actions()


def test_wrong_totp_code_is_refused_with_a_message_and_recorded(client, tree):  # noqa: F811
    official = make_official("an", tree.a)
    secret = login(client, "an")
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "an", "password": PASSWORD})
    wrong = "000000" if totp.code(secret) != "000000" else "111111"
    response = client.post("/accounts/login/code/", {"code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Wrong code" in response.content.decode()
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.filter(action="accounts.totp_failed").get()
    assert entry.object_id == str(official.user.pk) and entry.summary == {"reason": "wrong code"}
    assert secret not in str(list(AuditEntry.objects.values_list("summary", flat=True)))


def test_wrong_password_message_and_record(client, tree):  # noqa: F811
    official = make_official("an", tree.a)
    response = client.post(
        "/accounts/login/", {"username": "an", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 400
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()
    client.post("/accounts/login/", {"username": "nobody", "password": "nope"})
    failed = AuditEntry.objects.filter(action="accounts.login_failed").order_by("seq")
    assert [e.summary["reason"] for e in failed] == ["wrong password", "unknown user"]
    assert failed[0].object_id == str(official.user.pk)
    assert "nope" not in str(list(failed.values_list("summary", flat=True)))


def test_lockout_after_repeated_failures_then_cool_down(client, tree, settings):  # noqa: F811
    settings.EGOV_LOCKOUT_ATTEMPTS = 3
    official = make_official("an", tree.a)
    for _ in range(3):
        client.post("/accounts/login/", {"username": "an", "password": "wrong"})
    assert actions(action="accounts.lockout") == ["accounts.lockout"]
    # Locked: even the right password is refused, and says so.
    response = client.post(
        "/accounts/login/", {"username": "an", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "locked for 15 more minutes" in response.content.decode()
    assert actions(action="accounts.login_refused") == ["accounts.login_refused"]
    # The cool-down passes.
    LoginLockout.objects.filter(user=official.user).update(
        locked_until=timezone.now() - dt.timedelta(seconds=1)
    )
    login(client, "an")
    assert LoginLockout.objects.get(user=official.user).failed_attempts == 0


def test_wrong_codes_count_towards_the_lockout(client, tree, settings):  # noqa: F811
    settings.EGOV_LOCKOUT_ATTEMPTS = 2
    make_official("an", tree.a)
    secret = login(client, "an")
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "an", "password": PASSWORD})
    client.post("/accounts/login/code/", {"code": "000001"})
    response = client.post("/accounts/login/code/", {"code": "000002"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "locked" in response.content.decode()
    # The pending login is gone, and a right code now changes nothing.
    client.post("/accounts/login/code/", {"code": totp.code(secret, at=time.time() + 30)})
    assert "_auth_user_id" not in client.session


def test_login_is_rate_limited_per_address(client, tree, settings):  # noqa: F811
    settings.EGOV_LOGIN_RATE = "3/min"
    settings.EGOV_LOCKOUT_ATTEMPTS = 100
    make_official("an", tree.a)
    codes = [
        client.post("/accounts/login/", {"username": "an", "password": "x"}).status_code
        for _ in range(4)
    ]
    assert codes == [400, 400, 400, 429]
    other = client.post(
        "/accounts/login/", {"username": "an", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302


def test_session_ends_after_idle_time_and_is_recorded(client, tree, settings):  # noqa: F811
    official = make_official("an", tree.a, "administrator")
    login(client, "an")
    assert client.get("/api/v1/officials/").status_code == 200
    session = client.session
    session["egov_last_seen"] = time.time() - settings.EGOV_SESSION_IDLE_SECONDS - 5
    session.save()
    assert client.get("/api/v1/officials/").status_code in (401, 403)
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.filter(action="accounts.session_expired").get()
    assert entry.object_id == str(official.user.pk)


def test_step_up_asks_a_fresh_code_and_is_recorded(client, tree):  # noqa: F811
    make_official("an", tree.a)
    secret = login(client, "an")
    page = client.get("/accounts/step-up/?next=/admin/")
    assert page.status_code == 200
    bad = client.post("/accounts/step-up/", {"code": "000000", "next": "/admin/"})
    assert bad.status_code == 400
    good = client.post(
        "/accounts/step-up/",
        {"code": totp.code(secret, at=time.time() + 30), "next": "https://evil.example/"},
    )
    assert good.status_code == 302 and good["Location"] == "/workspace/"  # foreign next ignored
    assert "accounts.step_up" in actions()


def test_admin_has_no_password_only_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/admin/")


def test_password_rules_apply(tree):  # noqa: F811
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        make_official("an", tree.a) and None
        from egov.accounts.services import officials

        officials.create_official(
            username="binh", password="12345678", organisation=tree.a, actor="test"
        )
    assert not get_user_model().objects.filter(username="binh").exists()
    assert info.value.messages


def test_create_official_command(tree, monkeypatch, capsys):  # noqa: F811
    monkeypatch.setenv("EGOV_OFFICIAL_PASSWORD", PASSWORD)
    call_command(
        "create_official",
        "chi",
        "--organisation",
        tree.p.code,
        "--role",
        "approver",
        "--role",
        "reporter",
        "--subtree",
        "--email",
        "chi@example.gov.vn",
    )
    official = Official.objects.get(user__username="chi")
    assert official.organisation == tree.p
    roles = RoleAssignment.objects.filter(official=official)
    assert sorted(r.role for r in roles) == ["approver", "reporter"]
    assert all(r.include_subtree for r in roles)
    assert "chi" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="accounts.official_created", actor="cli").exists()
    monkeypatch.setenv("EGOV_OFFICIAL_PASSWORD", "short")
    with pytest.raises(CommandError):
        call_command("create_official", "dung", "--organisation", tree.p.code)
    with pytest.raises(CommandError, match="No organisation"):
        call_command("create_official", "dung", "--organisation", "000.00.09.H99")


def test_unknown_names_get_the_same_lockout_answers(client, tree, settings):  # noqa: F811
    """The lockout message must not tell which names are accounts (issue 12)."""
    settings.EGOV_LOCKOUT_ATTEMPTS = 3
    make_official("an", tree.a)

    def answers(username):
        seen = []
        for _ in range(5):
            response = client.post(
                "/accounts/login/",
                {"username": username, "password": "wrong"},
                HTTP_ACCEPT_LANGUAGE="en",
            )
            page = response.content.decode()
            seen.append((response.status_code, "locked for 15 more minutes" in page))
        return seen

    real = answers("an")
    assert real == [(400, False), (400, False), (400, True), (400, True), (400, True)]
    assert answers("Nobody ") == real
    refused = AuditEntry.objects.filter(action="accounts.login_refused").order_by("seq")
    assert [e.summary["reason"] for e in refused] == ["locked"] * 2 + ["locked (unknown user)"] * 2


def test_a_code_used_already_is_told_apart_from_a_wrong_one(client, tree):  # noqa: F811
    official = make_official("an", tree.a)
    secret = login(client, "an")  # accepts the code of now
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "an", "password": PASSWORD})
    again = client.post(
        "/accounts/login/code/", {"code": totp.code(secret)}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert again.status_code == 400
    body = again.content.decode()
    assert "Mã này đã được dùng" in body and "Mã không đúng" not in body
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.filter(action="accounts.totp_failed").get()
    assert entry.object_id == str(official.user.pk)
    assert entry.summary == {"reason": "code already used"}
    # At step-up too, once logged in with the next code.
    client.post("/accounts/login/code/", {"code": totp.code(secret, at=time.time() + 30)})
    step_up = client.post(
        "/accounts/step-up/",
        {"code": totp.code(secret, at=time.time() + 30), "next": "/admin/"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert step_up.status_code == 400
    assert "This code has already been used" in step_up.content.decode()
