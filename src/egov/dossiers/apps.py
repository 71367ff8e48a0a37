from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "egov.dossiers"
    label = "dossiers"
    verbose_name = _("Dossiers (one-stop shop)")
    url_prefix = "one-stop/"  # officials' workspace (một cửa)
    # The CLI's list (egov --help): command, one line of help.
    commands = {
        "generate-dossiers": "Bench data: 'egov generate-dossiers N' dossiers with histories.",
    }

    def ready(self):
        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.core import registry
        from egov.dossiers import (
            access,  # noqa: F401 - registers where a dossier's organisation and owner are
            demo,
            scopes,
            workspace,
        )
        from egov.dossiers.services import notifications

        policy.grant(Role.DESK, scopes.READ, scopes.RECEIVE, scopes.RETURN)
        policy.grant(Role.PROCESSOR, scopes.READ, scopes.PROCESS)
        policy.grant(Role.APPROVER, scopes.READ, scopes.APPROVE)

        # After the catalogue (20), before the logins (90): the demo versions' workflow steps.
        registry.demo_step(50, "workflow steps", demo.load)
        # The applicant's e-mails: the handler of the outbox kind "dossiers.email".
        notifications.register()
        # Components, results and issued forms: files of dossiers/ belong to rows.
        registry.swept_files("dossiers")
        # The officials' header links and the workspace's panel.
        for order, name, label, scope in (
            (10, "queue", _("Dossier queue"), scopes.READ),
            (20, "register", _("Register a walk-in dossier"), scopes.RECEIVE),
            (30, "tracking-book", _("Tracking book"), scopes.READ),
            (40, "on-time", _("On time"), scopes.READ),
        ):
            registry.nav_link(
                registry.NavLink(f"dossiers.{name}", label, f"dossiers:{name}", (scope,), order)
            )
        registry.workspace_panel(
            registry.WorkspacePanel("dossiers", workspace.build, "dossiers/_workspace.html", 10)
        )
