from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "egov.portal"
    label = "portal"
    verbose_name = _("Public service portal")
    url_prefix = ""  # the citizens' portal: every other path
