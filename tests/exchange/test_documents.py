"""Official documents: numbering per organisation per year, PDF checked by content, sending."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from reportlab.pdfgen import canvas

from egov.core.signing import sign_pdf
from egov.exchange.models import Delivery, OfficialDocument
from egov.exchange.services import documents
from egov.exchange.services.documents import DocumentData
from tests.accounts.officials_support import make_official

pytestmark = pytest.mark.django_db


def pdf_bytes(text="Quyết định") -> bytes:
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer)
    c.drawString(72, 720, text)
    c.save()
    return buffer.getvalue()


@pytest.fixture
def clerk(orgs):
    orgs.p.abbreviation = "UBND"
    orgs.p.save(update_fields=["abbreviation"])
    return make_official("clerk_p", orgs.p, "clerk").user


def data(orgs, **kw):
    base = {
        "document_type": "QĐ",
        "subject": "Về việc ban hành quy chế",
        "signer_name": "Nguyễn Văn A",
        "priority": 2,
        "due_date": dt.date(2026, 12, 10),
        "promulgation_date": dt.date(2026, 11, 28),
        "recipients": [orgs.q],
    }
    base.update(kw)
    return DocumentData(**base)


def test_numbers_per_year_restart_on_the_first_of_january(orgs, clerk):
    pdf = sign_pdf(pdf_bytes(), orgs.p)
    first = documents.register(orgs.p, data(orgs), pdf=pdf, actor=clerk)
    letter = documents.register(orgs.p, data(orgs, document_type="CV"), pdf=pdf, actor=clerk)
    new_year = documents.register(
        orgs.p, data(orgs, promulgation_date=dt.date(2027, 1, 1)), pdf=pdf, actor=clerk
    )
    assert first.number_notation == "1/QĐ-UBND"
    assert letter.number_notation == "2/UBND"  # an official letter carries no type part
    assert (new_year.year, new_year.number) == (2027, 1)
    # Another organisation counts on its own.
    other_clerk = make_official("clerk_q", orgs.q, "clerk").user
    other = documents.register(
        orgs.q,
        data(orgs, recipients=[orgs.p]),
        pdf=sign_pdf(pdf_bytes(), orgs.q),
        actor=other_clerk,
    )
    assert other.number == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda o: b"GIF89a not a pdf", "not_pdf"),
        (lambda o: pdf_bytes(), "unsigned"),
        (lambda o: sign_pdf(pdf_bytes(), o.q), "other_signer"),
    ],
)
def test_the_pdf_is_checked_by_content(orgs, clerk, make, message):
    with pytest.raises(ValidationError) as info:
        documents.register(orgs.p, data(orgs), pdf=make(orgs), actor=clerk)
    assert info.value.error_dict["pdf"][0].code == message
    assert OfficialDocument.objects.count() == 0


def test_only_the_organisations_clerk_registers(orgs, clerk):
    outsider = make_official("clerk_q", orgs.q, "clerk").user
    with pytest.raises(PermissionDenied):
        documents.register(orgs.p, data(orgs), pdf=sign_pdf(pdf_bytes(), orgs.p), actor=outsider)


def test_send_lands_in_the_recipients_inbox_and_answers_come_back(orgs, clerk):
    doc = documents.register(orgs.p, data(orgs), pdf=sign_pdf(pdf_bytes(), orgs.p), actor=clerk)
    package = documents.send(doc, actor=clerk)
    assert documents.send(doc, actor=clerk) == package  # a second click sends nothing more
    doc.refresh_from_db()
    assert doc.state == "sent" and package.document_id == "000.00.00.H26,2026/11/28,1/QĐ-UBND"
    inbox = Delivery.objects.get(recipient=orgs.q)
    assert (inbox.package.priority, inbox.package.due_date) == (2, dt.date(2026, 12, 10))
    clerk_q = make_official("clerk_q", orgs.q, "clerk").user
    documents.answer(inbox, "03", actor=clerk_q)
    documents.recall(package, reason="Sai sót", actor=clerk)
    documents.answer(inbox, "16", description="Đã triển khai", actor=clerk_q)
    inbox.refresh_from_db()
    assert (inbox.status, inbox.recall_status) == ("03", "16")


@pytest.mark.django_db(transaction=True)
def test_numbers_are_unique_under_concurrency(orgs):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL (SQLite serialises writers by design)")
    got: list[int] = []
    lock = threading.Lock()

    def worker():
        try:
            for _ in range(10):
                n = documents.next_number(orgs.p, 2026)
                with lock:
                    got.append(n)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 81))
