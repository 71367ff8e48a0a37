"""Template filters of the portal."""

from django import template

from egov.core.templatetags.govuk import vnd

register = template.Library()

# Moved to core (every app's pages write amounts the same way); still loadable as ``portal``.
register.filter("vnd", vnd)
