from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceIndexConfig(AppConfig):
    name = "egov.serviceindex"
    label = "serviceindex"
    verbose_name = _("Service index (Decision 766)")
    url_prefix = "service-index/"  # bộ chỉ số 766: the public ranking and organisations' pages
    commands = {
        "serviceindex-freeze": "Freeze the closed months of the service index (run it monthly).",
        "serviceindex-recompute": "Recompute a frozen month of the service index (audited).",
        "serviceindex-touch": "Recompute the live figures on next load (after a bulk load).",
    }

    def ready(self):
        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.core import generations
        from egov.serviceindex import scopes, sources

        # Those who report on an organisation see what its figures were counted from; its
        # leader may recompute a frozen month (an audited act).
        policy.grant(Role.REPORTER, scopes.READ)
        policy.grant(Role.APPROVER, scopes.READ)
        policy.grant(Role.ADMINISTRATOR, scopes.READ, scopes.RECOMPUTE)
        # The figures' caches follow the sources they read (docs/serviceindex.md, "Performance").
        generations.register(sources.COUNTERS)
        sources.connect()
