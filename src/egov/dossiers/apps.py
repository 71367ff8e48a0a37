from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "egov.dossiers"
    label = "dossiers"
    verbose_name = _("Dossiers (one-stop shop)")

    def ready(self):
        # Where a dossier's organisation and owner are, for egov.accounts.policy.
        from egov.dossiers import access  # noqa: F401
        from egov.dossiers.services import notifications

        # The applicant's e-mails: the handler of the outbox kind "dossiers.email".
        notifications.register()
