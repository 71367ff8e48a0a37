"""egov generate-dossiers: the bench data (COPY on PostgreSQL, bulk_create elsewhere) has the
shape the services expect: unique codes from the counters, histories that follow the status,
and counters that the services continue."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from egov.core.calendar import TIMEZONE
from egov.dossiers.management.commands.generate_dossiers import PATHS, draw_blocks
from egov.dossiers.models import DailySequence, Dossier, ProgressRecord
from egov.dossiers.services import numbering as dossier_numbering

pytestmark = pytest.mark.django_db


def _generate(*extra: str) -> str:
    out = io.StringIO()
    call_command(
        "generate_dossiers",
        "120",
        "--organisations",
        "3",
        "--days",
        "3",
        "--batch",
        "50",
        *extra,
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def _check_shape(count: int) -> None:
    dossiers = list(Dossier.objects.all())
    assert len(dossiers) == count
    assert len({d.code for d in dossiers}) == count
    # Codes are numbered 1..N per organisation and local day, and the counters hold N.
    numbers: dict[tuple, list[int]] = {}
    for d in dossiers:
        prefix, day, number = d.code.rsplit("-", 2)
        assert prefix == d.organisation.code
        assert day == f"{d.submitted_at.astimezone(TIMEZONE).date():%y%m%d}"
        numbers.setdefault((d.organisation_id, d.submitted_at.astimezone(TIMEZONE).date()), [])
        numbers[(d.organisation_id, d.submitted_at.astimezone(TIMEZONE).date())].append(int(number))
    counters = {(s.organisation_id, s.day): s.last for s in DailySequence.objects.all()}
    assert counters == {key: len(found) for key, found in numbers.items()}
    assert all(sorted(found) == list(range(1, len(found) + 1)) for found in numbers.values())
    # Each dossier's history is its status's path, oldest first; defaults are the model's.
    history = Counter(ProgressRecord.objects.values_list("dossier_id", flat=True))
    for d in dossiers:
        assert history[d.pk] == len(PATHS[d.status])
        assert d.form_data == {} and d.paused_total == dt.timedelta(0)
        assert d.applicant_kind == "citizen" and len(d.applicant_id_number) == 12
    last = ProgressRecord.objects.filter(dossier=dossiers[0]).order_by("at", "id").last()
    assert last.to_status == dossiers[0].status


def test_generated_dossiers_have_the_services_shape():
    out = _generate()
    assert "120 dossiers" in out
    assert ("COPY" if connection.vendor == "postgresql" else "bulk_create") in out
    _check_shape(120)
    # A second run continues the counters; so do the services.
    _generate()
    _check_shape(240)
    d = Dossier.objects.order_by("-submitted_at").first()
    following = dossier_numbering.next_code(d.organisation, d.submitted_at)
    assert not Dossier.objects.filter(code=following).exists()
    day = d.submitted_at.astimezone(TIMEZONE).date()
    last = DailySequence.objects.get(organisation=d.organisation, day=day).last
    assert following.endswith(f"-{last:04d}")


def test_bulk_create_path_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("bulk_create is the only path on SQLite (the test above)")
    assert "bulk_create" in _generate("--no-copy")
    _check_shape(120)


def test_draw_blocks_continues_and_creates_counters():
    from egov.core.services.organisations import OrganisationData, create_organisation

    org = create_organisation(OrganisationData("000.00.01.H26", "Xã A", "province"))
    today = timezone.now().astimezone(TIMEZONE).date()
    yesterday = today - dt.timedelta(days=1)
    assert dossier_numbering.next_number(org.pk, today) == 1
    lasts = draw_blocks(
        DailySequence, ["organisation", "day"], {(org.pk, today): 3, (org.pk, yesterday): 2}
    )
    assert lasts == {(org.pk, today): 4, (org.pk, yesterday): 2}
    assert dossier_numbering.next_number(org.pk, today) == 5
    with pytest.raises(ValueError):
        draw_blocks(DailySequence, ["organisation", "day"], {(org.pk, today): 0})
