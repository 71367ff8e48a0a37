"""The IPN confirmation's hot path (issue 14 §6, `egov bench payments`): a replay answered from a
plain read, the audit rows appended last, the receipts' numbers drawn in the callback's
transaction and their signed PDFs drawn after it by the worker, the statements bounded."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from egov.core.models import AuditEntry
from egov.core.services import audit
from egov.core.signing.pdf import verify_pdf
from egov.dossiers.models import Status
from egov.payments.models import Payment, PaymentReceipt, PaymentStatus
from egov.payments.services import payments
from egov.payments.services.receipts import render_receipts

from .support import fees_due_dossier, ipn_params, world_with_fees

pytestmark = pytest.mark.django_db
IPN = "/payments/ipn/vnpay/"
# Statements of one callback through the view, in the test's transaction (savepoints counted):
# a confirmation's include the applicant's status e-mail (its template, its outbox row) and, on
# PostgreSQL, the audit chain's advisory lock.
CONFIRM_QUERIES = 22
REPLAY_QUERIES = 6


@pytest.fixture
def w(db):
    return world_with_fees()


@pytest.fixture
def payment(w):
    return payments.start_online(fees_due_dossier(w), actor=w.citizen.user, method="vnpay")


def _ipn(client, params) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(IPN, params)
    assert response.status_code == 200
    return response.json()["RspCode"], [q["sql"] for q in queries.captured_queries]


def _render_tasks():
    return DBTaskResult.objects.filter(task_path__endswith="receipts.render_receipts")


def test_a_confirmation_appends_its_audit_rows_last_and_together(client, payment):
    code, sql = _ipn(client, ipn_params(payment))
    assert code == "00"
    assert len(sql) <= CONFIRM_QUERIES, "\n".join(s[:90] for s in sql)
    if connection.vendor == "postgresql":
        # The payment, then the dossier once: the dossier's act uses the settlement's lock.
        locks = [s for s in sql if "FOR UPDATE" in s]
        assert len(locks) == 2 and '"dossiers_dossier"' in locks[1]
    audit_at = [i for i, s in enumerate(sql) if s.startswith('INSERT INTO "core_auditentry"')]
    receipts_at = [i for i, s in enumerate(sql) if 'INSERT INTO "payments_paymentreceipt"' in s]
    # One INSERT for the dossier's act and the payment's, after everything else it records.
    assert len(audit_at) == 1 and len(receipts_at) == 1 and audit_at[0] > receipts_at[0]
    rows = list(AuditEntry.objects.order_by("-seq")[:2])
    assert [r.action for r in rows] == ["payments.confirm", "dossiers.record_fees_paid"]
    receipts = PaymentReceipt.objects.filter(payment=payment).order_by("kind")
    assert rows[0].summary["receipts"] == [f"{r.serial} {r.number}" for r in receipts]
    assert audit.verify().intact


def test_a_replay_is_answered_from_a_plain_read_and_audited(client, payment):
    params = ipn_params(payment)
    assert _ipn(client, params)[0] == "00"
    code, sql = _ipn(client, params)
    assert code == "02"
    assert len(sql) <= REPLAY_QUERIES
    assert not [s for s in sql if "FOR UPDATE" in s]  # neither the payment nor the dossier
    refused = AuditEntry.objects.filter(action="payments.callback_refused").get()
    assert refused.object_id == str(payment.pk)
    assert refused.summary["reason"] == "payment paid"
    assert PaymentReceipt.objects.count() == 2


def test_a_pending_payment_is_still_settled_under_its_locks(client, w, payment):
    # Another payment of the dossier was paid in between: the locked re-check refuses this one.
    other = payments.start_online(payment.dossier, actor=w.citizen.user, method="vnpay")
    assert _ipn(client, ipn_params(other))[0] == "00"
    code, sql = _ipn(client, ipn_params(payment))
    assert code == "02"
    if connection.vendor == "postgresql":  # SQLite has no row locks (one writer at a time)
        assert [s for s in sql if "FOR UPDATE" in s]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert AuditEntry.objects.filter(
        action="payments.callback_refused", summary__reason="dossier already paid"
    ).exists()


def test_the_receipts_pdf_task_commits_with_them_and_the_worker_seals_them(client, payment):
    assert _ipn(client, ipn_params(payment))[0] == "00"
    [task] = _render_tasks()
    assert task.args_kwargs["args"] == [payment.pk]
    receipts = PaymentReceipt.objects.filter(payment=payment)
    assert [bytes(r.pdf) for r in receipts] == [b"", b""]
    # What the worker runs (the worker itself closes the test's connection: see test_sandbox).
    assert render_receipts.call(*task.args_kwargs["args"]) == 2
    for receipt in receipts.all():
        verification = verify_pdf(bytes(receipt.pdf))
        assert verification.valid, verification


def test_a_failed_confirmation_leaves_no_receipt_task_nor_number(client, payment, monkeypatch):
    def broken(rows):
        raise RuntimeError("the log is down")

    monkeypatch.setattr(audit.CHAIN, "append_many", broken)
    code, _sql = _ipn(client, ipn_params(payment))
    assert code == "99"
    monkeypatch.undo()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment.dossier.status == Status.FEES_DUE
    assert not PaymentReceipt.objects.exists() and not _render_tasks().exists()
    # The gateway tries again: confirmed, with the numbers the failed attempt gave back.
    assert _ipn(client, ipn_params(payment))[0] == "00"
    assert sorted(PaymentReceipt.objects.values_list("number", flat=True)) == [1, 1]
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID


@pytest.mark.django_db(transaction=True)
def test_a_dossier_act_on_a_locked_dossier_needs_the_callers_transaction(w):
    from egov.dossiers import services as dossier_services

    dossier = fees_due_dossier(w)
    with pytest.raises(RuntimeError):
        dossier_services.record_fees_paid(dossier, actor=None, locked=True)
    dossier.refresh_from_db()
    assert dossier.status == Status.FEES_DUE
