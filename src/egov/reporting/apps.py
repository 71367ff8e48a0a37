from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "egov.reporting"
    label = "reporting"
    verbose_name = _("National reporting system")

    def ready(self):
        from egov.accounts import policy
        from egov.reporting.models import Aggregate, Approval, DataValue, Revision, Submission

        # The REPORTER and APPROVER roles already hold the reports.* scopes (accounts grants
        # them); a submission belongs to its reporting organisation.
        policy.register(Submission, organisation="organisation")
        policy.register(DataValue, organisation="submission__organisation")
        policy.register(Approval, organisation="organisation")
        policy.register(Revision, organisation="submission__organisation")
        # The nation's rows (no organisation) are read through figures.reads_nation.
        policy.register(Aggregate, organisation="organisation")
