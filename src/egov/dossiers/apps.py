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
            scopes,
        )
        from egov.dossiers.services import notifications

        policy.grant(Role.DESK, scopes.READ, scopes.RECEIVE, scopes.RETURN)
        policy.grant(Role.PROCESSOR, scopes.READ, scopes.PROCESS)
        policy.grant(Role.APPROVER, scopes.READ, scopes.APPROVE)

        # The applicant's e-mails: the handler of the outbox kind "dossiers.email".
        notifications.register()
        # Components, results and issued forms: files of dossiers/ belong to rows.
        registry.swept_files("dossiers")
