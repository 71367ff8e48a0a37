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
        self._forget_results_on_writes()
        registry.demo_step(20, "catalogue", demo.load)

    @staticmethod
    def _forget_results_on_writes() -> None:
        """Remembered search results (egov.catalog.results) go when the catalogue changes here."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from egov.catalog import results
        from egov.catalog.models import Procedure, Sector

        for signal in (post_save, post_delete):
            signal.connect(results.forget, sender=Procedure, dispatch_uid=f"results.{signal}")
            # A sector's name is on rendered pages (results.remembered_page).
            signal.connect(results.forget, sender=Sector, dispatch_uid=f"results.sector.{signal}")
        for field in ("sectors", "agencies"):
            m2m_changed.connect(
                results.forget,
                sender=getattr(Procedure, field).through,
                dispatch_uid=f"results.m2m.{field}",
            )
