"""The comments as CSV: open data in bulk, streamed (20,000 comments do not sit in memory)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

HEADER = [
    "id",
    "received_at",
    "version",
    "anchor",
    "quote",
    "text",
    "author_kind",
    "author_name",
    "group_size",
    "answer_kind",
    "answer",
    "changed_anchor",
    "changed_version",
]


class _Echo:
    def write(self, value):
        return value


def csv_rows(comments: Iterable) -> Iterator[list]:
    yield HEADER
    for c in comments:
        a = c.answer
        unit = a.changed_unit if a else None
        yield [
            c.pk,
            c.received_at.isoformat(),
            c.version.number,
            c.anchor,
            c.quote,
            c.text,
            c.author_kind,
            c.author_name,
            c.group_size,
            a.kind if a else "",
            a.text if a else "",
            unit.anchor if unit else "",
            unit.version.number if unit else "",
        ]


def csv_response(filename: str, rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    # A byte-order mark so that spreadsheets open the Vietnamese text as UTF-8.
    body = (("\ufeff" if i == 0 else "") + writer.writerow(row) for i, row in enumerate(rows))
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
