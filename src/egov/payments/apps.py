import sys

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "egov.payments"
    label = "payments"
    verbose_name = _("Payments of fees")
    url_prefix = "payments/"
    # The CLI's list (egov --help): command, one line of help.
    commands = {
        "payments": (
            "Payments: 'egov payments reconcile [--every S]' queries pending payments; "
            "'egov payments statement FILE --date D' checks a gateway's statement."
        ),
    }

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.core import registry
        from egov.dossiers.models import Dossier

        from . import models, scopes
        from .services import fees, refunds

        policy.grant(Role.DESK, scopes.READ, scopes.COLLECT)
        policy.grant(Role.PROCESSOR, scopes.READ)
        policy.grant(Role.APPROVER, scopes.READ, scopes.REFUND)
        # Refunds go to the gateway through the core outbox (kind "payments.refund").
        refunds.register()
        # A payment, its receipts and fee items belong to the dossier's agency and applicant.
        owner = "dossier__applicant_citizen__user"
        for model in (models.FeeItem, models.Payment, models.PaymentReceipt):
            policy.register(
                model,
                organisation="dossier__organisation",
                owner=owner,
                owner_scopes={scopes.READ},
            )
        # A refund: its agency's; its applicant reads it (and downloads its receipt).
        policy.register(
            models.Refund,
            organisation="payment__dossier__organisation",
            owner=f"payment__{owner}",
            owner_scopes={scopes.READ},
        )
        # Fee items are copied from the channel's fees when a dossier is made (online or at the
        # desk), inside the intake's transaction: dossiers does not know this app.
        post_save.connect(fees.on_dossier_saved, sender=Dossier, dispatch_uid="payments.fees")
        # The officials' dossier page links to the fees page for those the page lets in (the
        # one-stop shop sits below and does not know this app).
        registry.dossier_link(
            registry.DossierLink(
                "payments.desk",
                _("Fees and payment"),
                "payments:desk",
                lambda user, dossier: policy.can(user, scopes.READ, dossier),
                order=10,
            )
        )
        # The statement check is the desk's and the leaders' (those who handle the money); the
        # page itself lets in anyone who reads payments.
        registry.nav_link(
            registry.NavLink(
                "payments.statement",
                _("Statement check"),
                "payments:statement",
                (scopes.COLLECT, scopes.REFUND),
                60,
            )
        )
        # No demo step: the demo catalogue's channels already carry fees with amounts (35).
        # The development gateways: without them the rest works (desk payments, the pages), so
        # serve goes on if one stops.
        registry.process(
            registry.Process("VNPay sandbox", _vnpay_sandbox, banner=_vnpay_banner, essential=False)
        )
        registry.process(
            registry.Process("payment platform sandbox", _dvcqg_sandbox, essential=False)
        )
        registry.process(registry.Process("payments reconciliation", _reconcile, worker=True))


def _vnpay_sandbox(host: str, port: int):
    """The development VNPay gateway (sandboxes/vnpay, a separate stdlib program) on loopback."""
    from django.conf import settings

    if not settings.EGOV_VNPAY_SANDBOX:
        return None
    from .gateways.sandbox import launch

    return launch(host, port, executable=sys.executable)


def _dvcqg_sandbox(host: str, port: int):
    """The development national payment platform (sandboxes/dvcqg) on loopback."""
    from django.conf import settings

    if not settings.EGOV_DVCQG_PAY_SANDBOX:
        return None
    from .gateways.sandbox import launch_dvcqg

    return launch_dvcqg(host, port, executable=sys.executable)


def _reconcile(host: str, port: int):
    from django.conf import settings

    every = settings.EGOV_PAYMENTS_RECONCILE_SECONDS
    if not every:
        return None
    return (
        [sys.executable, "-m", "egov.cli", "payments", "reconcile", "--every", str(every)],
        None,
        None,
    )


def _vnpay_banner(host: str, port: int, launch) -> list[str]:
    from django.conf import settings

    return [f"  VNPay sandbox  {settings.EGOV_VNPAY_PAY_URL}  (development payment gateway)"]
