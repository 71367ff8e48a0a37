from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The wiring: what runs the platform as a whole (serve, load-demo, bench).

    It sits on top of every other app and runs what they registered in egov.core.registry; it has
    no models of its own.
    """

    name = "egov.site"
    label = "site"
    verbose_name = _("Site")
    # The CLI's list (egov --help): command, one line of help. The wiring's come first.
    commands = {
        "serve": "Run the platform: migrate, first-start setup, task worker and web server.",
        "migrate": "Create or upgrade the database schema.",
        "load-demo": "Load the demo data: organisations of the government tree and more.",
        "bench": "Run a benchmark scenario: 'egov bench NAME [--quick]' (e.g. baseline).",
        "check": "Check the installation (add --deploy for production settings).",
        "screenshots": "Regenerate docs/screenshots/ (workspace, dossier, citizen's form).",
    }
