"""Gap-free counters (dossier codes per organisation and day, document numbers per year).

A number is drawn with one statement, ``INSERT ... ON CONFLICT DO UPDATE SET last = last + 1
RETURNING last`` (PostgreSQL, SQLite ≥ 3.35): the counter row stays locked until the drawing
transaction ends, so concurrent writers queue on it and get consecutive numbers, and a rolled-back
transaction gives its number back (no gaps). The counter model needs a ``last`` integer column and
a unique constraint on the key columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection


def draw(model, **key) -> int:
    """The next number of the counter of ``model`` identified by ``key`` (1 for a new key)."""
    return draw_block(model, 1, **key)


def draw_block(model, size: int, **key) -> int:
    """Draw ``size`` consecutive numbers at once (a batch of intakes); returns the last of them,
    so the block is ``last - size + 1 .. last``."""
    (last,) = draw_blocks(model, list(key), {tuple(key.values()): size}).values()
    return last


# Keys per statement in draw_blocks (SQLite allows 32,766 parameters per statement).
_BLOCK_ROWS = 1000


def draw_blocks(model, fields: Sequence[str], sizes: Mapping[tuple, int]) -> dict[tuple, int]:
    """Draw a block of numbers for each of many keys at once, in one
    statement per thousand keys: ``sizes`` maps a key (the values of
    ``fields``, in that order) to its block size; returns each key's last number (its block is
    ``last - size + 1 .. last``). The counters stay locked until the transaction ends, so intake
    running at the same time gets the numbers after the block; keys are taken in sorted order,
    so two loads cannot deadlock on them."""
    if any(size < 1 for size in sizes.values()):
        raise ValueError("a block of numbers has at least one number")
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key_fields = [model._meta.get_field(name) for name in fields]
    names = ", ".join(quote(f.column) for f in key_fields)
    row = "(" + ", ".join(["%s"] * (len(key_fields) + 1)) + ")"
    keys = sorted(sizes)
    lasts: dict[tuple, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(keys), _BLOCK_ROWS):
            chunk = keys[start : start + _BLOCK_ROWS]
            params = [value for key in chunk for value in (*key, sizes[key])]
            cursor.execute(
                f"INSERT INTO {table} ({names}, last) VALUES {', '.join([row] * len(chunk))} "  # noqa: S608 - names from the model
                f"ON CONFLICT ({names}) DO UPDATE SET last = {table}.last + EXCLUDED.last "
                f"RETURNING {names}, last",
                params,
            )
            for *key, last in cursor.fetchall():
                lasts[tuple(f.to_python(v) for f, v in zip(key_fields, key, strict=True))] = last
    return lasts
