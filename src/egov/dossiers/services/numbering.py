"""Dossier codes: ``<organisation code>-<YYMMDD>-<NNNN>`` from a per-organisation daily sequence.

The number is drawn with one statement, ``INSERT ... ON CONFLICT DO UPDATE SET last = last + 1
RETURNING last`` (PostgreSQL, SQLite ≥ 3.35): the row stays locked until the drawing transaction
ends, so concurrent intakes queue on it and get consecutive numbers; a rolled-back intake gives
its number back (no gaps).
"""

from __future__ import annotations

from datetime import date

from django.db import connection

from egov.core.calendar import TIMEZONE
from egov.dossiers.models import DailySequence


def next_number(organisation_id: int, day: date) -> int:
    table = connection.ops.quote_name(DailySequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (organisation_id, day) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [organisation_id, day],
        )
        return cursor.fetchone()[0]


def format_code(organisation_code: str, day: date, number: int) -> str:
    return f"{organisation_code}-{day:%y%m%d}-{number:04d}"


def next_code(organisation, instant) -> str:
    """The next code of ``organisation`` for the local (Asia/Ho_Chi_Minh) day of ``instant``."""
    day = instant.astimezone(TIMEZONE).date()
    return format_code(organisation.code, day, next_number(organisation.pk, day))
