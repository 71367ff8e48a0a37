"""Drafts: typed as text (egov.consultation.structure cuts it into units with anchors), new
versions, and their clause-by-clause comparison."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from egov.consultation import scopes, structure
from egov.consultation.errors import ConsultationError
from egov.consultation.models import (
    DocType,
    Draft,
    DraftVersion,
    LegalDocument,
    Regulation,
    RegulationStatus,
    Unit,
)
from egov.consultation.services._common import next_code, person_of, record, require, required
from egov.core.models import Organisation


def _write_units(version: DraftVersion, parsed) -> list[Unit]:
    units, by_anchor = [], {}
    for position, p in enumerate(parsed, start=1):
        text = p.text
        unit = Unit(
            version=version,
            kind=p.kind,
            anchor=p.anchor,
            label=p.label,
            heading=p.heading[:500],
            text=text,
            text_hash=structure.text_hash(f"{p.heading}\n{text}"),
            position=position,
        )
        units.append(unit)
    # Parents first (they precede their children), so each child can point at a saved row.
    saved = []
    for unit, p in zip(units, parsed, strict=True):
        unit.parent = by_anchor.get(p.parent)
        unit.save()
        by_anchor[unit.anchor] = unit
        saved.append(unit)
    return saved


def create_draft(
    actor,
    organisation: Organisation,
    *,
    title: str,
    doc_type: str,
    text: str,
    repeals: list[Regulation] = (),
    repealed_documents: list[LegalDocument] = (),
    note: str = "",
    source: str = "text",
) -> Draft:
    """A new draft of ``organisation`` (the drafting agency) and its version 1, repealing
    ``repeals`` and every regulation in force of ``repealed_documents`` (one in, one out: a
    draft that repeals none is flagged, not refused)."""
    require(actor, scopes.MANAGE, organisation)
    title = required(title, "title", _("Give the draft's title."))
    if doc_type not in DocType.values:
        raise ConsultationError({"doc_type": [_("Unknown document type.")]}, code="invalid")
    repeals = _repealed(repeals, repealed_documents)
    parsed = structure.parse(text)
    with transaction.atomic():
        draft = Draft.objects.create(
            code=next_code("DT"), title=title, doc_type=doc_type, organisation=organisation
        )
        draft.repeals.set(repeals)
        version = DraftVersion.objects.create(
            draft=draft, number=1, note=note, created_by=person_of(actor)
        )
        _write_units(version, parsed)
        record(
            actor,
            "draft.create",
            draft,
            organisation,
            code=draft.code,
            units=len(parsed),
            repeals=len(repeals),
            repealed=[r.pk for r in repeals],
            documents=sorted(d.number for d in repealed_documents),
            source=source,
        )
    return draft


def _repealed(regulations, documents) -> list[Regulation]:
    """The regulations repealed, each once; one already cut cannot be repealed again (nor a
    document left with none in force)."""
    chosen = {r.pk: r for r in regulations}
    cut = [r for r in chosen.values() if r.status == RegulationStatus.CUT]
    if cut:
        raise ConsultationError(
            {
                "repeals": [
                    _("%(place)s of %(number)s is already cut.")
                    % {"place": cut[0].place(), "number": cut[0].document.number}
                ]
            },
            code="already_cut",
        )
    for document in documents:
        in_force = list(document.regulations.exclude(status=RegulationStatus.CUT))
        if not in_force:
            raise ConsultationError(
                {
                    "repealed_documents": [
                        _("Document %(number)s has no regulation in force.")
                        % {"number": document.number}
                    ]
                },
                code="already_cut",
            )
        chosen.update((r.pk, r) for r in in_force)
    return sorted(chosen.values(), key=lambda r: r.pk)


def add_version(
    actor, draft: Draft, *, text: str, note: str = "", source: str = "text"
) -> DraftVersion:
    """The next version of ``draft``: units with the same numbers keep their anchors."""
    require(actor, scopes.MANAGE, draft)
    parsed = structure.parse(text)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        last = locked.versions.order_by("-number").first()
        version = DraftVersion.objects.create(
            draft=locked, number=last.number + 1, note=note, created_by=person_of(actor)
        )
        units = _write_units(version, parsed)
        changes = structure.compare(list(last.units.all()), units)
        counts = {}
        for row in changes:
            counts[row["change"]] = counts.get(row["change"], 0) + 1
        record(
            actor,
            "draft.version",
            draft,
            locked.organisation,
            number=version.number,
            source=source,
            **counts,
        )
    return version


def version_of(draft: Draft, number) -> DraftVersion:
    version = draft.versions.filter(number=number).first() if str(number).isdigit() else None
    if version is None:
        raise ConsultationError(
            {"version": [_("This draft has no version %(n)s.") % {"n": number}]}, code="no_version"
        )
    return version


def compare(draft: Draft, old_number, new_number) -> list[dict]:
    old, new = version_of(draft, old_number), version_of(draft, new_number)
    return structure.compare(list(old.units.all()), list(new.units.all()))


def latest(draft: Draft) -> DraftVersion:
    return draft.versions.order_by("-number").first()


def one_in_one_out(draft: Draft) -> bool:
    """Flagged: a new draft that repeals no regulation."""
    return not draft.repeals.exists()
