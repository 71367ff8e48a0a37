"""The admin's own titles, in the site's language (Django's say "Django site admin")."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Platform administration")
admin.site.site_title = _("egov administration")
admin.site.index_title = _("Administration home")
