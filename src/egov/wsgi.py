import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egov.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - after the settings module is named

if settings.EGOV_BENCH_BASELINE:
    from egov.site import bench_baseline

    application = bench_baseline.wrap(application)


def _freeze_startup_objects() -> None:
    """Keep the objects of the loaded application out of every later garbage collection.

    A request's objects form reference cycles (Django's request with its messages storage and
    lazy user, DRF's request with its parser context) and are promoted to the oldest generation
    while the request runs, so they are freed only by a full collection, holding the body (an
    exchange package: 140 kB) until then. CPython starts a full collection only when the oldest
    generation has grown by a quarter: with the ~145,000 objects of the loaded application
    there, a hub worker's memory rose by ~20 MB between two collections, each of which took
    ~190 ms. Frozen, those objects are neither counted nor traversed: full collections come
    every few hundred requests instead of every few thousand, over what was made since. Objects
    frozen here are never freed as cycles (they live as long as the process anyway).
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module now
    gc.collect()
    gc.freeze()
    gc.collect()  # with nothing left to traverse: resets the count of long-lived objects


_freeze_startup_objects()
