"""Applicant e-mail (5a): outbox in the change's transaction, sent by the task worker after
commit through a real SMTP server on loopback (aiosmtpd); retries; nothing for a rollback."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from egov.core.models import OutboxMessage
from egov.core.services import outbox
from egov.dossiers import services
from egov.dossiers.models import Dossier, NotificationTemplate

from .core_support import make_world, submit

# Sent through the core outbox by `egov worker`: run on every task backend.
pytestmark = pytest.mark.outbox


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    inbox.start, inbox.stop = controller.start, controller.stop
    yield inbox
    with contextlib.suppress(Exception):  # never started, or already stopped
        controller.stop()


def run_worker():
    call_command("worker", batch=True, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_status_change_mails_the_applicant_after_commit_from_the_template(smtp):
    smtp.start()
    w = make_world()
    NotificationTemplate.objects.create(
        event="status.2",
        subject="Đã tiếp nhận hồ sơ {{ dossier.code }}",
        body="Hồ sơ {{ dossier.code }}: {{ status }}. Hẹn trả: {{ due }}.",
    )
    d = submit(w)
    services.receive(d, actor=w.desk.user)
    assert OutboxMessage.objects.filter(state="pending").count() == 2  # new (1) and received (2)
    run_worker()
    assert OutboxMessage.objects.filter(state="sent").count() == 2
    assert [m[0] for m in smtp.messages] == [["an@example.vn"], ["an@example.vn"]]
    received = smtp.messages[1][1]
    assert d.code in received and "Hẹn trả" in received
    # A second run sends nothing again.
    run_worker()
    assert len(smtp.messages) == 2


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_for_a_rolled_back_change(smtp):
    smtp.start()
    w = make_world()
    d = submit(w)
    run_worker()
    smtp.messages.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.receive(d, actor=w.desk.user)
        raise RuntimeError("the surrounding work failed")
    assert Dossier.objects.get(pk=d.pk).status == 1
    run_worker()
    assert smtp.messages == []
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_mail_server_down_is_retried_until_it_answers(smtp):
    w = make_world()  # the SMTP server is not started yet: connections are refused
    d = submit(w)
    run_worker()
    message = OutboxMessage.objects.get(kind="dossiers.email", payload__dossier=d.pk)
    assert (message.state, message.attempts) == ("pending", 1)
    assert message.next_attempt_at > timezone.now() and message.last_error
    # Not before its time (1 minute after the first attempt) ...
    assert outbox.run(message.pk) == "skipped"
    smtp.start()
    # ... then sent.
    sent = outbox.run(message.pk, now=timezone.now() + dt.timedelta(minutes=2))
    assert sent == "sent" and OutboxMessage.objects.get(pk=message.pk).state == "sent"
    assert len(smtp.messages) == 1
    # The retry task enqueued earlier finds it sent and does not send it twice.
    assert outbox.run(message.pk, now=timezone.now() + dt.timedelta(minutes=2)) == "skipped"
    assert len(smtp.messages) == 1


def test_the_e_mails_lookup_link_is_a_page_that_exists(settings):
    from django.urls import resolve

    from egov.dossiers.services.notifications import lookup_url

    settings.EGOV_PUBLIC_URL = "https://dichvucong.example.vn"
    url = lookup_url()
    assert url.startswith("https://dichvucong.example.vn/")
    assert resolve(url.removeprefix("https://dichvucong.example.vn")).view_name == "portal:lookup"
