"""The officials' pages answer a refusal with a page that says why (403 or 404 and the
message), not the server's bare error page: an official of another agency, a citizen, an id
that is not theirs."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _


def refusing(view):
    """Outside ``official_required``: its refusal of a citizen is caught too."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            message, status = str(exc) or _("You may not do this."), 403
        except Http404 as exc:
            message, status = str(exc) or _("This page does not exist."), 404
        return render(
            request,
            "consultation/officials/refused.html",
            {"message": message, "status": status},
            status=status,
        )

    return wrapper
