import sys

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "egov.exchange"
    label = "exchange"
    verbose_name = _("Document exchange")
    url_prefix = "exchange/"
    # The CLI's list (egov --help): command, one line of help.
    commands = {
        "exchange": "Document exchange: 'egov exchange verify|export|check-trail|pull-parent|"
        "webhook-url|webhook-secret'.",
    }

    def ready(self) -> None:
        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.core import registry

        from . import models, scopes, workspace
        from .services import outbox

        policy.grant(Role.CLERK, scopes.READ, scopes.SEND, scopes.RECEIVE)
        policy.grant(Role.APPROVER, scopes.READ)
        # Webhook pushes and relays to the parent hub: handlers of the core outbox's kinds.
        outbox.register()

        # A package belongs to its sender; a delivery (mailbox entry) to its recipient.
        policy.register(models.Package, organisation="sender")
        policy.register(models.Delivery, organisation="recipient")
        # A status packet is read (pulled) by the sender of the package it answers.
        policy.register(models.StatusMessage, organisation="package__sender")
        policy.register(models.OfficialDocument, organisation="organisation")
        # A provincial hub pulls statuses and packages from its parent, beside the task worker.
        registry.process(registry.Process("pull-parent", _pull_parent, worker=True))
        # The officials' header links and the workspace's panel.
        for order, name, label, scope in (
            (50, "inbox", _("Inbox"), scopes.RECEIVE),
            (60, "outbox", _("Outbox"), scopes.SEND),
            (70, "register", _("Register an outgoing document"), scopes.SEND),
        ):
            registry.nav_link(
                registry.NavLink(f"exchange.{name}", label, f"exchange:{name}", (scope,), order)
            )
        registry.workspace_panel(
            registry.WorkspacePanel("exchange", workspace.build, "exchange/_workspace.html", 20)
        )


def _pull_parent(host: str, port: int):
    from django.conf import settings

    if settings.EGOV_EXCHANGE_ROLE != "provincial":
        return None
    every = str(settings.EGOV_EXCHANGE_PULL_SECONDS)
    argv = [sys.executable, "-m", "egov.cli", "exchange", "pull-parent", "--every", every]
    return argv, None, None
