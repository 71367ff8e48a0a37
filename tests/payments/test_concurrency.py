"""A success replayed concurrently makes one change and one set of receipts (PostgreSQL: real
row locks between connections; SQLite serialises writers anyway)."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection, connections

from egov.payments.gateways import vnpay
from egov.payments.models import Payment, PaymentReceipt, PaymentStatus
from egov.payments.services import payments

from .support import fees_due_dossier, ipn_params, world_with_fees

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections")
def test_concurrent_replays_confirm_once():
    w = world_with_fees()
    dossier = fees_due_dossier(w)
    payment = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    second = payments.start_online(dossier, actor=w.citizen.user, method="vnpay")
    jobs = [ipn_params(payment)] * 6 + [ipn_params(second)] * 2
    outcomes, barrier = [], threading.Barrier(len(jobs))

    def run(params):
        try:
            barrier.wait()
            outcomes.append(payments.settle_callback(vnpay.from_settings(), params))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(p,)) for p in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.value for o in outcomes) == ["already"] * 7 + ["confirmed"]
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 1
    assert PaymentReceipt.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections")
def test_many_payments_with_replays_at_once_are_counted_once_and_numbered_without_gaps():
    # As `egov bench payments` sends them: every success twice, shuffled, all at once; replays
    # are answered from a plain read, confirmations under the payment's and dossier's locks.
    from egov.core.services import audit

    w = world_with_fees()
    started = [
        payments.start_online(fees_due_dossier(w), actor=w.citizen.user, method="vnpay")
        for _ in range(5)
    ]
    jobs = [ipn_params(p) for p in started] * 2
    random.Random(3).shuffle(jobs)
    outcomes, barrier = [], threading.Barrier(len(jobs))

    def run(params):
        try:
            barrier.wait()
            outcomes.append(payments.settle_callback(vnpay.from_settings(), params))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(p,)) for p in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.value for o in outcomes) == ["already"] * 5 + ["confirmed"] * 5
    assert Payment.objects.filter(status=PaymentStatus.PAID).count() == 5
    for serial in PaymentReceipt.objects.values_list("serial", flat=True).distinct():
        numbers = sorted(
            PaymentReceipt.objects.filter(serial=serial).values_list("number", flat=True)
        )
        assert numbers == [1, 2, 3, 4, 5]
    assert audit.verify().intact
