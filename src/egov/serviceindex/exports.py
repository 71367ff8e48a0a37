"""The index as .xlsx (openpyxl, write-only): the ranking, and one indicator's counted rows."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from .presenting import LISTINGS, Line, group_name


def _book():
    return Workbook(write_only=True)


def _bytes(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _f(value):
    return None if value is None else float(value)


def ranking(cards, period) -> bytes:
    book = _book()
    sheet = book.create_sheet(_("Ranking"))
    sheet.append([_("Service index (Decision 766)"), period.label])
    groups = cards[0].groups if cards else []
    sheet.append([_("Rank"), _("Organisation"), _("Total")] + [group_name(g.group) for g in groups])
    for rank, card in enumerate(cards, start=1):
        sheet.append(
            [rank, card.organisation.name, _f(card.total)] + [_f(g.score) for g in card.groups]
        )
    detail = book.create_sheet(_("Indicators"))
    detail.append(
        [
            _("Organisation"),
            _("Indicator"),
            _("Rate"),
            _("Numerator"),
            _("Denominator"),
            _("Target (%)"),
            _("Points"),
            _("Score"),
            _("Not available because"),
        ]
    )
    for card in cards:
        for scored in card.lines:
            line = Line.of(scored)
            detail.append(
                [
                    card.organisation.name,
                    f"{line.code} {line.name}",
                    _f(line.rate),
                    _f(line.numerator),
                    _f(line.denominator),
                    _f(line.target),
                    _f(line.points),
                    _f(line.score),
                    line.na_reason,
                ]
            )
    return _bytes(book)


def counted(trace, organisation, period) -> bytes:
    """One indicator's figures, then the rows of its numerator and of its denominator."""
    line = Line.of(trace.line)
    book = _book()
    summary = book.create_sheet(_("Indicator"))
    for key, value in [
        (_("Organisation"), organisation.name),
        (_("Period"), period.label),
        (_("Indicator"), f"{line.code} {line.name}"),
        (_("Rate"), _f(line.rate)),
        (line.numerator_label, _f(line.numerator)),
        (line.denominator_label, _f(line.denominator)),
        (_("Target (%)"), _f(line.target)),
        (_("Points"), _f(line.points)),
        (_("Score"), _f(line.score)),
        (_("Not available because"), line.na_reason),
    ]:
        summary.append([key, value])
    listing = LISTINGS.get(trace.model)
    if listing is not None:
        for title, qs in ((_("Numerator"), trace.numerator), (_("Denominator"), trace.denominator)):
            sheet = book.create_sheet(title)
            sheet.append([str(c) for c in listing.columns])
            rows = qs.select_related(*listing.related).order_by("pk") if qs is not None else []
            for obj in rows.iterator(chunk_size=2000) if qs is not None else rows:
                sheet.append(list(listing.row(obj)))
    return _bytes(book)
