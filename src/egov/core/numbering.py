"""Gap-free counters (dossier codes per organisation and day, document numbers per year).

A number is drawn with one statement, ``INSERT ... ON CONFLICT DO UPDATE SET last = last + 1
RETURNING last`` (PostgreSQL, SQLite ≥ 3.35): the counter row stays locked until the drawing
transaction ends, so concurrent writers queue on it and get consecutive numbers, and a rolled-back
transaction gives its number back (no gaps). The counter model needs a ``last`` integer column and
a unique constraint on the key columns.
"""

from __future__ import annotations

from django.db import connection


def draw(model, **key) -> int:
    """The next number of the counter of ``model`` identified by ``key`` (1 for a new key)."""
    return draw_block(model, 1, **key)


def draw_block(model, size: int, **key) -> int:
    """Draw ``size`` consecutive numbers at once (a batch of intakes); returns the last of them,
    so the block is ``last - size + 1 .. last``."""
    if size < 1:
        raise ValueError(f"a block of numbers has at least one number, not {size}")
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in key]
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}, last) VALUES ({marks}, %s) "  # noqa: S608 - names from the model
            f"ON CONFLICT ({names}) DO UPDATE SET last = {table}.last + %s RETURNING last",
            [*key.values(), size, size],
        )
        return cursor.fetchone()[0]
