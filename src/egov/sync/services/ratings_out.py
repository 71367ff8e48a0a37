"""Provincial: satisfaction ratings sent to the national side (DongBoDanhGia).

The ratings app sends ``rating_saved`` inside the transaction that gives or changes a rating;
:func:`on_rating_saved` adds one core outbox row of kind ``sync.rating`` per revision (its key is
``egov.ratings.national.record_key``: the same revision is queued once). The handler sends the
rating as it is at send time; the national side keeps the highest revision, so rows going out
of order end in the newest rating. Failures are retried as the dossiers' rows are.
"""

from __future__ import annotations

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from egov.core.models import OutboxMessage
from egov.core.services import outbox
from egov.ratings.models import SatisfactionRating
from egov.ratings.national import rating_record, record_key
from egov.sync import wire
from egov.sync.services import client
from egov.sync.services.outbound import MAX_ATTEMPTS, PERMANENT, backoff

KIND = "sync.rating"


def register() -> None:
    outbox.register(KIND, send, max_attempts=MAX_ATTEMPTS, backoff=backoff)


def on_rating_saved(sender, rating, **kwargs) -> None:
    if settings.EGOV_SYNC_ROLE != "provincial":
        return
    if not wire.is_national_code(rating.procedure.code):
        return  # a local procedure is not synced (the catalogue check lists it)
    outbox.add(KIND, {"rating": rating.pk}, key=record_key(rating))


def send(message: OutboxMessage, *, http: httpx.Client | None = None) -> dict:
    rating = (
        SatisfactionRating.objects.select_related(
            "dossier", "procedure", "organisation", "criteria_set"
        )
        .filter(pk=message.payload["rating"])
        .first()
    )
    if rating is None:
        raise outbox.Failure(_("The rating no longer exists."), permanent=True)
    record = rating_record(rating)
    try:
        client.call(wire.RATING_SERVICE, http=http, data=[record])
    except client.NationalError as error:
        raise outbox.Failure(
            f"{error.code}: {error.message}", permanent=error.code in PERMANENT
        ) from error
    return {"revision": record["LanCapNhat"]}
