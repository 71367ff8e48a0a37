from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "egov.catalog"
    label = "catalog"
    verbose_name = _("Procedure catalogue")

    def ready(self):
        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.catalog import scopes

        policy.grant(Role.CATALOGUE_MANAGER, scopes.WRITE)
