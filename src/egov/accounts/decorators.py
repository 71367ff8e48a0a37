"""Who may open the officials' pages: one check for every app's workspace views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from egov.accounts import current


def official_required(view):
    """An official (or a superuser) logged in through the officials' login; others get 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        # The official read here is the one the policy and the frame use (one query for all).
        if not (user.is_superuser or current.official_of(user) is not None):
            raise PermissionDenied(_("This page is for officials."))
        return view(request, *args, **kwargs)

    return wrapper
