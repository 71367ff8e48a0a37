from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "egov.reporting"
    label = "reporting"
    verbose_name = _("National reporting system")
    url_prefix = "reporting/"  # the reporting organisations' forms, templates and signatures

    def ready(self):
        from egov.accounts import policy
        from egov.core import generations, registry
        from egov.reporting import demo, formulas, freshness, scopes
        from egov.reporting.models import (
            Aggregate,
            Approval,
            DataSignature,
            DataValue,
            Indicator,
            Revision,
            Submission,
            SubmissionSignature,
            Target,
        )

        # The REPORTER and APPROVER roles already hold the reports.* scopes (accounts grants
        # them); a submission belongs to its reporting organisation.
        policy.register(Submission, organisation="organisation")
        policy.register(DataValue, organisation="submission__organisation")
        policy.register(SubmissionSignature, organisation="submission__organisation")
        policy.register(DataSignature, organisation="submission__organisation")
        registry.nav_link(
            registry.NavLink(
                "reporting.forms", _("Reports to submit"), "reporting:index", (scopes.SUBMIT,), 70
            )
        )
        # The command centre: the figures of what the reader's reports.read covers.
        registry.nav_link(
            registry.NavLink(
                "reporting.dashboard",
                _("Command centre"),
                "reporting:dashboard",
                (scopes.READ,),
                71,
            )
        )
        # egov's own counts and the tiles, remembered until what they read changes.
        generations.register(freshness.COUNTERS)
        # An indicator's formula is checked on save (models cannot import formulas.py).
        Indicator.check_formula = staticmethod(formulas.check)
        Indicator.check_formula_users = staticmethod(formulas.check_users)
        # After the logins (90) and the assignments (96), whose officials read the nation.
        registry.demo_step(97, "reporting", demo.load)
        policy.register(Approval, organisation="organisation")
        policy.register(Revision, organisation="submission__organisation")
        # The nation's rows (no organisation) are read through figures.reads_nation.
        policy.register(Aggregate, organisation="organisation")
        # Targets: administrators set them (a national one at a central body).
        from egov.accounts.models import Role

        policy.grant(Role.ADMINISTRATOR, scopes.TARGETS)
        policy.register(Target, organisation="organisation")
