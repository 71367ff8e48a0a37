"""Dossier codes: ``<organisation code>-<YYMMDD>-<NNNN>`` from a per-organisation daily sequence.

The number comes from egov.core.numbering: concurrent intakes get consecutive numbers, and a
rolled-back intake gives its number back (no gaps).
"""

from __future__ import annotations

from datetime import date

from egov.core import numbering
from egov.core.calendar import TIMEZONE
from egov.dossiers.models import DailySequence


def next_number(organisation_id: int, day: date) -> int:
    return numbering.draw(DailySequence, organisation=organisation_id, day=day)


def format_code(organisation_code: str, day: date, number: int) -> str:
    return f"{organisation_code}-{day:%y%m%d}-{number:04d}"


def next_code(organisation, instant) -> str:
    """The next code of ``organisation`` for the local (Asia/Ho_Chi_Minh) day of ``instant``."""
    return next_codes([organisation], instant)[0]


def next_codes(organisations, instant) -> list[str]:
    """The next codes for a batch of intakes, one per entry of ``organisations`` (repeats
    allowed), in that order: one block of consecutive numbers per agency, all drawn in one
    statement."""
    day = instant.astimezone(TIMEZONE).date()
    wanted: dict[tuple, int] = {}
    for org in organisations:
        wanted[org.pk, day] = wanted.get((org.pk, day), 0) + 1
    lasts = numbering.draw_blocks(DailySequence, ["organisation", "day"], wanted)
    following = {pk: lasts[pk, d] - count + 1 for (pk, d), count in wanted.items()}
    codes = []
    for org in organisations:
        codes.append(format_code(org.code, day, following[org.pk]))
        following[org.pk] += 1
    return codes
