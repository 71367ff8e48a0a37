"""Password reset by e-mail, through a real SMTP server on loopback (aiosmtpd)."""

import email
import re
import socket

import pytest
from aiosmtpd.controller import Controller

from egov.core.models import AuditEntry

from .officials_support import PASSWORD, login, make_official, tree  # noqa: F401

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def body_of(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def test_reset_by_mail_then_login_with_the_new_password(client, tree, smtp):  # noqa: F811
    official = make_official("an", tree.a, email="an@example.gov.vn")
    login(client, "an")  # enrolled; the reset changes the password, not the second factor
    client.post("/accounts/logout/")
    response = client.post(
        "/accounts/password-reset/", {"email": "AN@example.gov.vn"}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 200
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "an@example.gov.vn"
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", body_of(message)).group(1)
    page = client.get(link)
    assert page.status_code == 200
    weak = client.post(link, {"password1": "123456789", "password2": "123456789"})
    assert weak.status_code == 400  # password rules
    new = "a different long passphrase 42"
    done = client.post(link, {"password1": new, "password2": new})
    assert done.status_code == 200
    # The link works once.
    assert client.get(link).status_code == 400
    refused = client.post("/accounts/login/", {"username": "an", "password": PASSWORD})
    assert refused.status_code == 400
    accepted = client.post("/accounts/login/", {"username": "an", "password": new})
    assert accepted.status_code == 302
    entry = AuditEntry.objects.filter(action="accounts.password_reset").get()
    assert entry.object_id == str(official.user.pk)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, tree, smtp):  # noqa: F811
    make_official("an", tree.a, email="an@example.gov.vn")
    known = client.post("/accounts/password-reset/", {"email": "an@example.gov.vn"})
    unknown = client.post("/accounts/password-reset/", {"email": "who@example.gov.vn"})
    assert known.status_code == unknown.status_code == 200
    main = lambda r: r.content.decode().split("<main", 1)[1].split("</main>")[0]  # noqa: E731
    assert main(known) == main(unknown)
    assert len(smtp.messages) == 1


def test_tampered_reset_link_is_refused(client, tree, smtp):  # noqa: F811
    make_official("an", tree.a, email="an@example.gov.vn")
    client.post("/accounts/password-reset/", {"email": "an@example.gov.vn"})
    link = re.search(r"http://testserver(/accounts/password-reset/\S+/)", body_of(smtp.messages[0]))
    uid, token = link.group(1).rstrip("/").split("/")[-2:]
    bad = client.get(f"/accounts/password-reset/{uid}/{token[:-1]}x/")
    assert bad.status_code == 400


def test_reset_requests_are_rate_limited(client, tree, smtp, settings):  # noqa: F811
    settings.EGOV_LOGIN_RATE = "2/min"
    make_official("an", tree.a, email="an@example.gov.vn")
    codes = [
        client.post("/accounts/password-reset/", {"email": "an@example.gov.vn"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    assert len(smtp.messages) == 2
