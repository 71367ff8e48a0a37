from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    name = "egov.assignments"
    label = "assignments"
    verbose_name = _("Assigned tasks")
    url_prefix = "assignments/"  # nhiệm vụ được giao: the Government Office's and the leads' pages
    commands = {
        "assignments-remind": "Queue reminders of tasks due in 5 and 1 working days or overdue.",
    }

    def ready(self):
        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.assignments import (
            access,  # noqa: F401 - registers where a task's organisation is
            demo,
            scopes,
        )
        from egov.assignments.services import notifications
        from egov.core import registry

        # Everyone at a party reads; processors and leaders of the lead report; at the
        # Government Office (the assigner) its leaders and clerks assign and decide.
        policy.grant(Role.DESK, scopes.READ)
        policy.grant(Role.CLERK, scopes.READ, scopes.MANAGE)
        policy.grant(Role.REPORTER, scopes.READ)
        policy.grant(Role.PROCESSOR, scopes.READ, scopes.REPORT)
        policy.grant(Role.APPROVER, scopes.READ, scopes.REPORT, scopes.MANAGE)
        notifications.register()
        registry.demo_step(96, "assignments", demo.load)
        # Report files live under assignments/<task>/ (orphans of a killed transaction swept).
        registry.swept_files("assignments")
        from egov.assignments.services.reminders import remind

        # Reminders 5 and 1 working days ahead and when overdue, once each (outbox keys).
        registry.periodic("assignments-remind", remind, 3600)
        registry.nav_link(
            registry.NavLink(
                "assignments.list", _("Assigned tasks"), "assignments:list", (scopes.READ,), 60
            )
        )
        from egov.assignments.reports import command_tile

        registry.command_tile(
            registry.CommandTile(
                "assignments",
                command_tile,
                "assignments/_tile.html",
                60,
                # The tasks, and the reader's roles and delegations (which tasks they see).
                reads=frozenset({"assignments", "accounts"}),
            )
        )
