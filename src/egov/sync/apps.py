from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "egov.sync"
    label = "sync"
    verbose_name = _("Status sync with the national portal")
    url_prefix = "sync/"
    # The CLI's list (egov --help): command, one line of help.
    commands = {
        "sync": "Status sync: 'egov sync reconcile [--days N]' compares per-day counts with "
        "the national side; 'egov sync check-catalogue' lists procedures without a national code.",
    }

    def ready(self) -> None:
        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.core import registry
        from egov.dossiers.signals import acts_recorded
        from egov.ratings.signals import rating_saved

        from . import scopes
        from .services import outbound, ratings_out

        policy.grant(Role.DESK, scopes.READ, scopes.RETRY)
        policy.grant(Role.APPROVER, scopes.READ, scopes.RETRY)
        policy.grant(Role.REPORTER, scopes.READ)
        # Sends to the national side: the handler of the core outbox's kind "sync.dossier".
        outbound.register()
        # Every act on a dossier, queued in the act's transaction (provincial role only).
        acts_recorded.connect(outbound.on_acts_recorded, dispatch_uid="sync.acts")
        # Every rating given or changed, likewise (kind "sync.rating").
        ratings_out.register()
        rating_saved.connect(ratings_out.on_rating_saved, dispatch_uid="sync.ratings")
        registry.nav_link(
            registry.NavLink(
                "sync.failures", _("National sync"), "sync:failures", (scopes.READ,), 80
            )
        )
