from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "egov.consultation"
    label = "consultation"
    verbose_name = _("Regulation consultation")
    url_prefix = "consultation/"  # the public pages: open consultations, drafts with comments
    commands: dict[str, str] = {}

    def ready(self):
        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.consultation import (
            access,  # noqa: F401 - registers where the consultation's objects belong
            demo,
            memo,
            scopes,
        )
        from egov.core import generations, registry

        # A consultation's page generation moves on its changes.
        generations.register(memo.COUNTERS)
        # The drafting agency's specialists write drafts and answer comments; its leader also
        # moderates (hides and restores comments).
        policy.grant(Role.PROCESSOR, scopes.READ, scopes.MANAGE, scopes.ANSWER)
        policy.grant(Role.APPROVER, scopes.READ, scopes.MANAGE, scopes.ANSWER, scopes.MODERATE)
        # The drafting agency's workspace: its consultations, drafts, answers and moderation.
        registry.nav_link(
            registry.NavLink(
                "consultation.workspace",
                _("Consultations"),
                "consultation:workspace",
                (scopes.READ, scopes.MANAGE, scopes.ANSWER, scopes.MODERATE),
                65,
            )
        )
        # After the ratings (96), whose demo citizen comments here too.
        registry.demo_step(97, "consultation", demo.load)
