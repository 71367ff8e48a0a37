"""Officials' sessions end after EGOV_SESSION_IDLE_SECONDS without a request (recorded)."""

from __future__ import annotations

import time

from django.conf import settings

from egov.accounts.services import login as login_services

LAST_SEEN = "egov_last_seen"


class SessionIdleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(login_services.SESSION_FLAG):
            now = time.time()
            last = session.get(LAST_SEEN, now)
            if now - last > settings.EGOV_SESSION_IDLE_SECONDS:
                login_services.logout(request, reason="idle")
            elif now - last > 60 or LAST_SEEN not in session:
                session[LAST_SEEN] = now  # at most one session write a minute
        return self.get_response(request)
