"""``require_assurance(level)``: a view that needs a citizen logged in at this assurance level.

A citizen logged in at a lower level is sent through a step-up login at the provider and comes
back to the same page; nobody logged in is sent to the citizen login first.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from egov.accounts.services.citizens import session_level


def require_assurance(level: int):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if session_level(request) >= level:
                return view(request, *args, **kwargs)
            query = urlencode({"next": request.get_full_path(), "level": level})
            return redirect(f"{reverse('oidc-login')}?{query}")

        wrapper.required_assurance = level
        return wrapper

    return decorator
