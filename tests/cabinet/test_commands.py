"""``egov cabinet-close``: ballots past their deadline get their result."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from egov.cabinet.models import Status

from .conftest import issue


def test_cabinet_close_decides_ballots_past_their_deadline(gov):
    ballot = issue(gov)
    out = StringIO()
    call_command("cabinet_close", stdout=out)
    ballot.refresh_from_db()
    assert ballot.status == Status.OPEN and out.getvalue().startswith("0 ")
    type(ballot).objects.filter(pk=ballot.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    call_command("cabinet_close", stdout=out)
    ballot.refresh_from_db()
    assert ballot.status == Status.DECIDED
    assert ballot.questions.get().outcome == "not_adopted"
