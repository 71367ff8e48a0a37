"""The official's workspace: the page an official lands on after login.

Core keeps the registry; each app registers its panel (``egov.core.registry.workspace_panel``):
the one-stop shop its queues' counts and the dossiers due soon or overdue, the document exchange
its inbox and outbox. A panel that has nothing for this official (no role for it) is left out.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from egov.accounts.models import Official
from egov.core import registry


@login_required
@require_GET
def workspace(request):
    user = request.user
    if not (user.is_superuser or Official.objects.filter(user=user).exists()):
        from egov.accounts.services.citizens import current_citizen

        if current_citizen(request) is not None:  # a citizen's own page is elsewhere
            return redirect("portal:my-dossiers")
        raise PermissionDenied(_("This page is for officials."))
    panels = []
    for panel in registry.workspace_panels():
        context = panel.build(request)
        if context is not None:
            panels.append({"template": panel.template, "context": context})
    return render(request, "accounts/workspace.html", {"panels": panels})
