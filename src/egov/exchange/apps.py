from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "egov.exchange"
    label = "exchange"
    verbose_name = _("Document exchange")

    def ready(self) -> None:
        from egov.accounts import policy
        from egov.accounts.models import Role

        from . import models, scopes
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
