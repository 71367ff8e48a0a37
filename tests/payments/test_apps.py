"""What the app registers: the sandbox `egov serve` starts, the reconciliation command."""

from __future__ import annotations

import io
import json
import subprocess
import time
import urllib.request

import pytest
from django.core.management import call_command

from egov.core import registry


def _process(name):
    return next(p for p in registry.processes() if p.name == name)


@pytest.mark.slow
def test_serve_starts_the_vnpay_sandbox_on_loopback(settings, tmp_path):
    settings.EGOV_VNPAY_SANDBOX = True
    settings.EGOV_VNPAY_SANDBOX_PORT = port = 18000 + (time.monotonic_ns() // 1000) % 2000
    settings.EGOV_VNPAY_PAY_URL = f"http://127.0.0.1:{port}/paymentv2/vpcpay.html"
    argv, env, cwd = _process("VNPay sandbox").command("0.0.0.0", 8061)  # noqa: S104
    assert env["VNPAY_IPN_URL"] == "http://127.0.0.1:8061/payments/ipn/vnpay/"
    assert env["VNPAY_HOST"] == "127.0.0.1"
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, text=True)
    try:
        assert "VNPay sandbox on http://127.0.0.1:" in process.stdout.readline()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:  # noqa: S310
            assert json.loads(answer.read()) == {"ok": True}
    finally:
        process.terminate()
        process.wait(10)
    assert "VNPay sandbox" in _process("VNPay sandbox").banner("0.0.0.0", 8061, None)[0]  # noqa: S104
    settings.EGOV_VNPAY_SANDBOX = False
    assert _process("VNPay sandbox").command("127.0.0.1", 8061) is None


def test_reconciliation_runs_beside_the_worker(settings):
    process = _process("payments reconciliation")
    assert process.worker
    argv, _env, _cwd = process.command("127.0.0.1", 8061)
    assert argv[2:5] == ["egov.cli", "payments", "reconcile"]
    settings.EGOV_PAYMENTS_RECONCILE_SECONDS = 0
    assert process.command("127.0.0.1", 8061) is None


@pytest.mark.django_db
def test_reconcile_command_with_nothing_pending():
    out = io.StringIO()
    call_command("payments", "reconcile", stdout=out)
    assert "queried=0" in out.getvalue()
