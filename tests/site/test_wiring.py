"""The wiring app runs what the apps registered: serve's processes, load-demo's steps, the CLI."""

from __future__ import annotations

import io

import pytest
from django.core.management import get_commands

from egov import cli
from egov.core import registry
from egov.site.management.commands import serve


def test_every_listed_command_exists_and_the_wiring_comes_first():
    commands = cli.app_commands()
    assert list(commands)[:3] == ["serve", "migrate", "load-demo"]
    for name in ("worker", "audit", "exchange", "payments", "create-official", "generate-dossiers"):
        assert commands[name]
    missing = [name for name in commands if name.replace("-", "_") not in get_commands()]
    assert not missing


def test_demo_steps_run_in_their_order():
    assert [step.name for step in registry.demo_steps()] == [
        "organisations",
        "catalogue",
        "workflow steps",
        "logins",
        "petitions",
        "assignments",
        "cabinet",
        "ratings",
        "consultation",
        "reporting",
    ]


class FakePopen:
    started: list[list[str]] = []

    def __init__(self, argv, env=None, cwd=None):
        self.args = argv
        FakePopen.started.append(argv)


@pytest.fixture
def started(monkeypatch, settings):
    settings.EGOV_PKI_AUTO_CREATE = False
    settings.EGOV_OIDC_PROVIDER = "off"
    settings.EGOV_VNPAY_SANDBOX = False
    settings.EGOV_DVCQG_PAY_SANDBOX = False
    FakePopen.started = []
    monkeypatch.setattr(serve.subprocess, "Popen", FakePopen)
    monkeypatch.setattr(serve.Command, "_supervise", lambda self, children: None)

    def run(**options):
        out = io.StringIO()
        command = serve.Command(stdout=out, stderr=io.StringIO())
        defaults = {"host": "127.0.0.1", "port": 8061, "workers": 1, "no_worker": False}
        command.handle(**{**defaults, **options, "no_migrate": True})
        # python -m egov.cli worker ... is "worker"; python -m gunicorn ... is "gunicorn".
        names = [argv[3] if argv[2] == "egov.cli" else argv[2] for argv in FakePopen.started]
        return names, out.getvalue()

    return run


def test_serve_starts_the_registered_processes_then_the_web_server(started, settings):
    names, out = started()
    assert names == ["worker", "payments", "gunicorn"]
    assert "egov is serving on http://127.0.0.1:8061/" in out
    settings.EGOV_EXCHANGE_ROLE = "provincial"
    FakePopen.started = []
    names, _out = started()
    assert names == ["worker", "exchange", "payments", "gunicorn"]
    FakePopen.started = []
    names, _out = started(no_worker=True)
    assert names == ["gunicorn"]


def test_a_process_that_cannot_start_is_named_and_left_out(started):
    def unavailable(host, port):
        raise registry.NotStarted("Node.js is not installed")

    out = io.StringIO()
    command = serve.Command(stdout=io.StringIO(), stderr=out)
    process = registry.Process("OpenID provider", unavailable)
    assert command._start(process, "127.0.0.1", 8061) is None
    assert FakePopen.started == []
    assert "OpenID provider not started: Node.js is not installed" in out.getvalue()


def test_serve_prints_every_started_process_banner(started, settings):
    # The banners are called as the registry declares them, (host, port, launch): a banner
    # written to an older signature stopped `egov serve` with a TypeError after everything had
    # started (the VNPay sandbox's, when it landed beside serve's change).
    settings.EGOV_VNPAY_SANDBOX = True
    settings.EGOV_DVCQG_PAY_SANDBOX = True
    out = io.StringIO()
    serve.Command(stdout=out, stderr=io.StringIO()).handle(
        host="127.0.0.1", port=8061, workers=1, no_worker=True, no_migrate=True
    )
    assert "egov is serving on http://127.0.0.1:8061/" in out.getvalue()
    assert "VNPay sandbox" in out.getvalue()
