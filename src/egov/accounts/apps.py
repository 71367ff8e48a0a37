from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "egov.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    url_prefix = "accounts/"
    # The CLI's list (egov --help): command, one line of help.
    commands = {
        "create-official": "Make an official: 'egov create-official NAME --organisation CODE'.",
        "api-client": "API clients: 'egov api-client create|add-key|rotate|revoke-key|disable'.",
    }

    def ready(self):
        from egov.accounts import (
            demo,
            policy,
            schema,  # noqa: F401 - the OpenAPI extension for client tokens registers itself
            scopes,
        )
        from egov.accounts.models import Role
        from egov.accounts.oidc import bundled
        from egov.core import registry

        policy.grant(Role.ADMINISTRATOR, scopes.READ, scopes.ADMIN)
        # Reports' grants, until the reporting app exists and makes them in its own ready().
        policy.grant(Role.REPORTER, scopes.REPORTS_READ, scopes.REPORTS_SUBMIT)
        policy.grant(Role.APPROVER, scopes.REPORTS_READ, scopes.REPORTS_APPROVE)
        # The demo logins come last: they print what the steps before them made.
        registry.demo_step(90, "logins", demo.load)
        # The officials' first header link: the workspace they land on (egov.accounts.workspace).
        registry.nav_link(
            registry.NavLink("accounts.workspace", _("My workspace"), "workspace", (), 0)
        )
        # Citizen login in development (EGOV_OIDC_PROVIDER=bundled): the Node provider. Without it
        # the rest works (officials, the API), so serve goes on if it stops.
        registry.process(
            registry.Process(
                "OpenID provider",
                bundled.serve_command,
                banner=bundled.serve_banner,
                exports=bundled.serve_exports,
                listens=bundled.serve_listens,
                essential=False,
            )
        )
