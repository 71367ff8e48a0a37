"""Pages of the core app: health check, API documentation (the error pages: error_pages)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from egov.core.models import Organisation
from egov.core.models.organisations import Level
from egov.core.services import outbox


@never_cache
@require_GET
def healthz(request):
    """Database reachable, the task queue both reachable and being worked off, and no outbox row
    left behind (due, or its attempt's lease over, for longer than EGOV_TASK_STALE_SECONDS)."""
    checks: dict[str, dict] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
    try:
        cutoff = timezone.now() - timezone.timedelta(seconds=settings.EGOV_TASK_STALE_SECONDS)
        ready, stale = _queued_tasks(cutoff)
        checks["tasks"] = {"ok": stale == 0, "ready": ready, "stale": stale}
    except Exception as exc:  # noqa: BLE001
        checks["tasks"] = {"ok": False, "error": exc.__class__.__name__}
    try:
        late = outbox.stale()
        checks["outbox"] = {"ok": late["stale"] == 0, **late}
    except Exception as exc:  # noqa: BLE001
        checks["outbox"] = {"ok": False, "error": exc.__class__.__name__}
    ok = all(c["ok"] for c in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": checks}, status=200 if ok else 503
    )


def _queued_tasks(cutoff) -> tuple[int, int]:
    """Tasks waiting for a worker, and how many of them were queued before ``cutoff``."""
    if settings.EGOV_TASKS == "rq":
        import django_rq

        ready = stale = 0
        for name in settings.RQ_QUEUES:
            queue = django_rq.get_queue(name)
            ready += queue.count
            # First in, first out: the stale ones are at the head. Counted among the first 100
            # only, so that a long queue does not make the health check slow.
            for job in queue.get_jobs(0, 100):
                if not (job.enqueued_at and job.enqueued_at < cutoff):
                    break
                stale += 1
        return ready, stale
    from django_tasks_db.models import DBTaskResult, get_date_max

    # Due tasks only, as on RQ: a retry whose run_after is still to come (a backoff of up to an
    # hour) waits by design, and made /healthz fail five minutes after it was queued. A task is
    # stale when it has been due for longer than the cutoff: since it was queued or since its
    # run_after, whichever is later (no run_after is stored as the largest date).
    due = DBTaskResult.objects.ready()
    stale = due.filter(enqueued_at__lt=cutoff).filter(
        Q(run_after__lt=cutoff) | Q(run_after=get_date_max())
    )
    return due.count(), stale.count()


# Where a parameter goes (OpenAPI's "in"), in words.
PARAMETER_PLACES = {
    "query": _("query string"),
    "path": _("path"),
    "header": _("header"),
    "cookie": _("cookie"),
}


@require_GET
def api_docs(request):
    """The API reference, rendered from the OpenAPI schema on the server (no JavaScript), in the
    request's language (the schema's texts are translated by egov.core.api_texts); ``?lang=``
    chooses one, as on /api/v1/schema/."""
    lang = request.GET.get("lang")
    if lang in dict(settings.LANGUAGES):
        with translation.override(lang):
            response = _api_docs(request)
        response["Content-Language"] = lang  # LocaleMiddleware keeps one already set
        return response
    return _api_docs(request)


def _api_docs(request):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for route, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": route,
                    "summary": op.get("summary") or op.get("description", ""),
                    "parameters": [
                        {**p, "place": PARAMETER_PLACES.get(p.get("in"), p.get("in"))}
                        for p in op.get("parameters", [])
                    ],
                    "tags": op.get("tags", []),
                }
            )
    return render(request, "core/api_docs.html", {"schema": schema, "operations": operations})


@require_GET
def communes(request):
    """The <option>s of a province's current communes, for the dependent selects (htmx swaps
    them into the commune select when a province is chosen). ``from`` names the parameter that
    holds the province's code (the select's own name, which the form's schema chooses)."""
    code = (request.GET.get(request.GET.get("from") or "province") or "").strip()
    today = timezone.localdate()
    current = Organisation.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    province = current.filter(code=code, level=Level.PROVINCE).first() if code else None
    rows = (
        current.filter(level=Level.COMMUNE, path__startswith=province.path)
        .order_by("name")
        .values_list("code", "name")
        if province
        else []
    )
    return render(request, "core/_communes.html", {"communes": rows, "province": province})
