import sys

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "egov.core"
    label = "core"
    verbose_name = _("Core")
    # The CLI's list (egov --help): command, one line of help.
    commands = {
        "worker": "Run the background task worker (deadline timers, notifications, deliveries).",
        "audit": "Audit log tools: 'egov audit verify' checks the hash chain.",
        "calendar": "Working calendar: 'egov calendar due --from ... --working-days N'.",
        "pki": "Signing keys: 'egov pki init' makes the development CA and certificates.",
        "files": "Media files: 'egov files sweep' removes files no row references (over 1 h old).",
    }

    def ready(self):
        from egov.core import demo, registry

        registry.demo_step(10, "organisations", demo.load)
        registry.first_start("pki", _pki_first_start)
        registry.process(registry.Process("worker", _worker, worker=True))


def _worker(host: str, port: int):
    return [sys.executable, "-m", "egov.cli", "worker", "--verbosity", "0"], None, None


def _pki_first_start(write) -> None:
    from django.conf import settings

    from egov.core.signing import pki

    if settings.EGOV_PKI_AUTO_CREATE:
        report = pki.ensure_pki(write=write)
        write(
            f"Signing certificates in {report.directory}: {len(report.created)} created, "
            f"{report.existing} present, {report.deferred} made on first signing."
        )
