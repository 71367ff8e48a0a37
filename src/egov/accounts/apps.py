from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "egov.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # The OpenAPI extension for client tokens registers itself when imported.
        from egov.accounts import schema  # noqa: F401
