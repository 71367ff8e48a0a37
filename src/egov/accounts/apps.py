from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "egov.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # The OpenAPI extension for client tokens registers itself when imported.
        from egov.accounts import (
            policy,
            schema,  # noqa: F401
            scopes,
        )
        from egov.accounts.models import Role

        policy.grant(Role.ADMINISTRATOR, scopes.READ, scopes.ADMIN)
        # Reports' grants, until the reporting app exists and makes them in its own ready().
        policy.grant(Role.REPORTER, scopes.REPORTS_READ, scopes.REPORTS_SUBMIT)
        policy.grant(Role.APPROVER, scopes.REPORTS_READ, scopes.REPORTS_APPROVE)
