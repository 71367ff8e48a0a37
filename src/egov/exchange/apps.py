from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "egov.exchange"
    label = "exchange"
    verbose_name = _("Document exchange")

    def ready(self) -> None:
        from egov.accounts import policy

        from . import models

        # A package belongs to its sender; a delivery (mailbox entry) to its recipient.
        policy.register(models.Package, organisation="sender")
        policy.register(models.Delivery, organisation="recipient")
        policy.register(models.OfficialDocument, organisation="organisation")
