"""``egov serviceindex-touch``: every live figure is computed again on its next load.

The caches follow the sources' changes made through the services (their audit rows); a write
that bypasses them (a bulk load, ``egov generate-dossiers``) is seen after the cache's hour, or
at once after this command.
"""

from django.core.management.base import BaseCommand

from egov.serviceindex import sources


class Command(BaseCommand):
    help = "Recompute the live figures of the service index on their next load (after a bulk load)."

    def handle(self, *args, **options):
        sources.touch()
        self.stdout.write("The service index's live figures will be computed again on next load.")
