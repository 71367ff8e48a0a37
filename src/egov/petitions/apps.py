from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetitionsConfig(AppConfig):
    name = "egov.petitions"
    label = "petitions"
    verbose_name = _("Feedback and petitions")
    url_prefix = "petitions/"  # phản ánh, kiến nghị: the submitters' and the handlers' pages
    commands = {
        "petitions-remind": "Queue reminders of petitions at risk or overdue (run it hourly).",
        "petitions-pull": "National side: bring the state of petitions handled at provinces.",
    }

    def ready(self):
        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.core import registry
        from egov.petitions import (
            access,  # noqa: F401 - registers where a petition's organisation and owner are
            demo,
            scopes,
            workspace,
        )
        from egov.petitions.services import notifications, peers

        # The centre's desk receives and forwards; an organisation's desk and specialists
        # handle; its leader answers (signed by the organisation) and publishes.
        policy.grant(Role.DESK, scopes.READ, scopes.DISPATCH, scopes.HANDLE)
        policy.grant(Role.PROCESSOR, scopes.READ, scopes.HANDLE)
        policy.grant(Role.APPROVER, scopes.READ, scopes.HANDLE, scopes.ANSWER, scopes.PUBLISH)

        notifications.register()
        peers.register()
        registry.swept_files("petitions")
        registry.demo_step(95, "petitions", demo.load)
        from egov.petitions.services.reminders import remind

        # Reminders of petitions at risk or overdue, once each.
        registry.periodic("petitions-remind", remind, 3600)
        registry.nav_link(
            registry.NavLink(
                "petitions.queue", _("Petitions"), "petitions:queue", (scopes.READ,), 50
            )
        )
        registry.workspace_panel(
            registry.WorkspacePanel("petitions", workspace.build, "petitions/_workspace.html", 30)
        )
