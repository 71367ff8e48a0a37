from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "egov.catalog"
    label = "catalog"
    verbose_name = _("Procedure catalogue")
    # The CLI's list (egov --help): command, one line of help.
    commands = {
        "import-procedures": "Catalogue: 'egov import-procedures FILE' (idempotent).",
        "export-procedures": "Catalogue: 'egov export-procedures --format NAME --output FILE'.",
    }

    def ready(self):
        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.catalog import demo, scopes
        from egov.core import registry

        policy.grant(Role.CATALOGUE_MANAGER, scopes.WRITE)
        registry.demo_step(20, "catalogue", demo.load)
