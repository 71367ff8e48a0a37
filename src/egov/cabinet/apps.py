from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CabinetConfig(AppConfig):
    name = "egov.cabinet"
    label = "cabinet"
    verbose_name = _("e-Cabinet")
    url_prefix = "cabinet/"  # e-Cabinet: the Government's opinion ballots
    commands = {
        "cabinet-close": "Establish the result of ballots past their deadline (run it often).",
    }

    def ready(self):
        from egov.cabinet import access, demo, scopes  # noqa: F401 - access registers Ballot
        from egov.cabinet.services import reminders, report
        from egov.core import registry

        reminders.register()
        report.register()
        registry.demo_step(96, "cabinet", demo.load)
        from egov.cabinet.services.ballots import close_due

        # Ballots past their deadline decided without waiting for `egov cabinet-close`.
        registry.periodic("cabinet-close", close_due, 300)
        registry.official_fact("cabinet_takes_part", access.taking_part)
        registry.nav_link(
            registry.NavLink(
                "cabinet.ballots",
                _("e-Cabinet"),
                "cabinet:ballots",
                (),
                60,
                shown=access.takes_part,
            )
        )
