"""A legal text's structure: typed text cut into chapters, articles, clauses and points, their
stable anchors, a clause-by-clause comparison of two versions, and where a comment's range is in
another version.

The text follows the layout of Vietnamese legal documents (Decree 30/2020 and the law on legal
documents): "Chương I" (a heading line may follow), "Điều 3. Heading", "1. …" for a clause,
"a) …" for a point; any other line continues the unit above. An anchor is built from the
numbers: ``chuong-1``, ``dieu-3``, ``dieu-3.khoan-2``, ``dieu-3.khoan-2.diem-a``. Articles are
numbered through the whole document, so an article's anchor does not depend on its chapter: a
unit keeps its anchor from one version to the next as long as its number does; the comparison
pairs units by anchor.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from egov.consultation.errors import ConsultationError

_CHAPTER = re.compile(r"^Chương\s+([IVXLC]+|\d+)\.?\s*(.*)$", re.IGNORECASE)
_ARTICLE = re.compile(r"^Điều\s+(\d+[a-z]?)\s*[.:]\s*(.*)$", re.IGNORECASE)
_CLAUSE = re.compile(r"^(\d+)\.\s+(.*)$")
_POINT = re.compile(r"^([a-zđ])\)\s+(.*)$")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
MAX_UNITS = 20_000


def _roman(value: str) -> int:
    if value.isdigit():
        return int(value)
    total, last = 0, 0
    for ch in reversed(value.upper()):
        n = _ROMAN[ch]
        total, last = (total - n, last) if n < last else (total + n, n)
    return total


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


@dataclass
class ParsedUnit:
    kind: str
    anchor: str
    label: str
    heading: str = ""
    lines: list[str] = field(default_factory=list)
    parent: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def parse(text: str) -> list[ParsedUnit]:
    """The units of a typed legal text, in order. A clause outside an article, a point outside a
    clause, or the same number twice is refused (ConsultationError)."""
    units: list[ParsedUnit] = []
    seen: set[str] = set()
    chapter = article = clause = current = None

    def add(unit: ParsedUnit) -> ParsedUnit:
        if unit.anchor in seen:
            raise ConsultationError(
                {"text": [_("%(label)s appears twice in the text.") % {"label": unit.label}]},
                code="duplicate_unit",
            )
        seen.add(unit.anchor)
        units.append(unit)
        return unit

    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if m := _CHAPTER.match(line):
            number = _roman(m.group(1))
            chapter = current = add(
                ParsedUnit(
                    "chapter", f"chuong-{number}", f"Chương {m.group(1).upper()}", m.group(2)
                )
            )
            article = clause = None
        elif m := _ARTICLE.match(line):
            number = m.group(1).lower()
            article = current = add(
                ParsedUnit(
                    "article",
                    f"dieu-{number}",
                    f"Điều {number}",
                    m.group(2),
                    parent=chapter.anchor if chapter else None,
                )
            )
            clause = None
        elif (m := _CLAUSE.match(line)) and article is not None:
            clause = current = add(
                ParsedUnit(
                    "clause",
                    f"{article.anchor}.khoan-{m.group(1)}",
                    f"Khoản {m.group(1)}",
                    lines=[m.group(2)],
                    parent=article.anchor,
                )
            )
        elif (m := _POINT.match(line)) and clause is not None:
            letter = m.group(1)
            current = add(
                ParsedUnit(
                    "point",
                    f"{clause.anchor}.diem-{'dd' if letter == 'đ' else letter}",
                    f"Điểm {letter}",
                    lines=[m.group(2)],
                    parent=clause.anchor,
                )
            )
        elif current is None:
            continue  # the document's title and preamble: not a unit
        elif current.kind == "chapter" and not current.heading:
            current.heading = line
        else:
            current.lines.append(line)
        if len(units) > MAX_UNITS:
            raise ConsultationError({"text": [_("The text has too many units.")]}, code="too_big")
    if not any(u.kind == "article" for u in units):
        raise ConsultationError(
            {"text": [_("The text has no article (a line starting with “Điều 1.”).")]},
            code="no_article",
        )
    return units


# --- comparison ---------------------------------------------------------------------------


def compare(old_units, new_units) -> list[dict]:
    """Clause by clause: each anchor of either version with ``change`` one of unchanged,
    changed, added, removed, in the new version's order (removed ones after their place)."""
    old = {u.anchor: u for u in old_units}
    new_anchors = {u.anchor for u in new_units}
    rows = []
    for unit in new_units:
        before = old.get(unit.anchor)
        if before is None:
            change = "added"
        elif before.text_hash == unit.text_hash and before.heading == unit.heading:
            change = "unchanged"
        else:
            change = "changed"
        rows.append(_row(unit.anchor, unit.label, change, before, unit))
    for unit in old_units:
        if unit.anchor not in new_anchors:
            rows.append(_row(unit.anchor, unit.label, "removed", unit, None))
    return rows


def _row(anchor, label, change, before, after) -> dict:
    return {
        "anchor": anchor,
        "label": label,
        "change": change,
        "old_text": before.text if before is not None else None,
        "new_text": after.text if after is not None else None,
        "old_heading": before.heading if before is not None else None,
        "new_heading": after.heading if after is not None else None,
    }


def locate(comment, unit) -> tuple[int, int] | None:
    """Where ``comment``'s range is in ``unit`` (the same anchor in another version): the same
    offsets when the unit's text is unchanged, else where the quoted words are if they appear
    once, else None (the text it commented on is gone)."""
    if comment.range_start is None or unit is None:
        return None
    if unit.text_hash == comment.unit_hash:
        return comment.range_start, comment.range_end
    if comment.quote and unit.text.count(comment.quote) == 1:
        start = unit.text.index(comment.quote)
        return start, start + len(comment.quote)
    return None
