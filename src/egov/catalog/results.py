"""Search results as ordered procedure ids, remembered in this process until the catalogue changes.

Why: measured on PostgreSQL with 10,000 procedures (issue 12 §7), a results page spent most of
its time in three queries that do not depend on the page: the catalogue's version (COUNT and MAX
over every procedure, to know whether derived data is stale), the count of matches, and the
ranked list (the rank is computed for every match to sort them). Citizens type the same queries
over and over ("đăng ký khai sinh"), so the ranked ids of a query are kept per process, keyed by
the catalogue version, and a page then reads only its 20 procedures.

Staleness: a write in this process forgets everything at once (signals, connected in
CatalogConfig.ready, and the index's generation, bumped by every reindexing); another process
sees the new version at the latest ``VERSION_SECONDS`` later. ``EGOV_SEARCH_MEMO`` (entries; 0
turns the memo off) bounds the memory: an entry is a list of ints (a query matching the whole
10,000-procedure catalogue is ~80 KB).

Rendered pages (:func:`remembered_page`): with the ids remembered, a results page still read its 20
procedures and their sectors (2 queries) and rendered them. Measured in process on PostgreSQL with
10,000 procedures (the bench's 21 queries x 10, shared machine at load ~10): CPU 8.3 -> 1.4 ms and
wall 31.7 -> 4.1 ms per page once the results section is kept rendered too. It is kept under the
same keys as the ids plus the language and the whole query string (its pagination links repeat the
other parameters), bounded by ``EGOV_SEARCH_PAGE_MEMO`` (entries: a section is 0.6-14 k characters,
8.9 k on average over the bench's queries). What a section shows beside procedures (sector names)
changes without a procedure write only through a Sector save, which forgets everything in this
process; in another process such a rename shows at the next procedure write, as the portal's filter
lists always did.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.models import Count, Max

from egov.catalog import search as index
from egov.catalog.models import Procedure
from egov.catalog.search import search
from egov.core.memo import Memo

VERSION_SECONDS = 1.0

_version: tuple[float, str] | None = None  # (when it was read, the version)
# Safe across threads (gthread workers serve several requests per process at once); bounded by
# the settings as they are at each entry (a test changes them).
_memo = Memo(lambda: settings.EGOV_SEARCH_MEMO)
_pages = Memo(lambda: settings.EGOV_SEARCH_PAGE_MEMO)


def catalogue_version() -> str:
    """Changes whenever a procedure is written (saved: updated_at) or added or removed; read
    from the database at most once every VERSION_SECONDS in a process."""
    global _version
    now = time.monotonic()
    current = _version
    if current is not None and now - current[0] < VERSION_SECONDS:
        return current[1]
    stats = Procedure.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    version = f"{stats['n']}:{stats['last'].timestamp() if stats['last'] else 0}"
    _version = (now, version)
    return version


def forget(*args, **kwargs) -> None:
    """The catalogue changed in this process: read the version again and drop every result
    (a signal receiver, hence the arguments)."""
    global _version
    _version = None
    _memo.clear()
    _pages.clear()


def ranked_ids(query: str, **filters) -> list[int]:
    """The ids of :func:`egov.catalog.search.search`'s results, in its order."""
    size = settings.EGOV_SEARCH_MEMO
    if size <= 0:
        return list(search(query, **filters).values_list("id", flat=True))
    key = (
        catalogue_version(),
        index.generation,
        " ".join((query or "").lower().split()),
        tuple(sorted((name, str(value)) for name, value in filters.items() if value)),
    )
    hit = _memo.get(key)
    if hit is not None:
        return hit
    ids = list(search(query, **filters).values_list("id", flat=True))
    _memo.put(key, ids)
    return ids


def remembered_page(parts: tuple, render) -> str:
    """``render()`` (a page's HTML, derived from the catalogue alone), remembered under
    ``parts`` until the catalogue changes; at most ``EGOV_SEARCH_PAGE_MEMO`` pages per process."""
    size = settings.EGOV_SEARCH_PAGE_MEMO
    if size <= 0:
        return render()
    key = (catalogue_version(), index.generation, parts)
    hit = _pages.get(key)
    if hit is not None:
        return hit
    html = render()
    _pages.put(key, html)
    return html
