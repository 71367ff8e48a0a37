"""Regulations and their legal documents: recorded by the managing organisation, searched
without diacritics with the catalogue's search words (egov.catalog.search.tokens)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from egov.catalog.models import Procedure, Sector
from egov.catalog.search import tokens
from egov.consultation import scopes
from egov.consultation.costs import compliance_cost
from egov.consultation.errors import ConsultationError
from egov.consultation.models import DocType, LegalDocument, Regulation
from egov.consultation.services._common import record, require, required
from egov.core.models import Organisation

COST_FIELDS = ("subjects", "frequency", "days", "day_value", "fees", "other_costs")


@dataclass
class RegulationData:
    document_number: str
    document_type: str
    document_title: str
    issued_on: date
    issuing_body: Organisation
    article: str
    content: str
    clause: str = ""
    point: str = ""
    sector: Sector | None = None
    procedure_codes: list[str] = field(default_factory=list)
    costs: dict = field(default_factory=dict)


def search_key(regulation: Regulation) -> str:
    words = tokens(f"{regulation.content} {regulation.document.number} {regulation.document.title}")
    return " " + " ".join(words) + " "


# Bounds: the columns' (frequency and days are numeric(12, 2)), and a cost that still fits the
# reform plans' bigint sums; past them a figure is a typing slip, refused rather than a 500.
MAX_AMOUNT = Decimal("1e15")
MAX_TIMES = Decimal("1e9")
MAX_COST = 10**18


def clean_costs(values: dict) -> dict:
    """The cost fields as numbers ≥ 0; a bad one is a ConsultationError naming it."""
    cleaned, errors = {}, {}
    for name in COST_FIELDS:
        raw = values.get(name, 0)
        try:
            number = Decimal(str(raw if raw not in (None, "") else 0).strip())
        except InvalidOperation:
            errors[name] = [_("Enter a number.")]
            continue
        # Finite first: comparing NaN raises.
        limit = MAX_TIMES if name in {"frequency", "days"} else MAX_AMOUNT
        if not number.is_finite() or number < 0 or number > limit:
            shown = number_format(int(limit), force_grouping=True)
            errors[name] = [_("Enter a number between 0 and %(limit)s.") % {"limit": shown}]
            continue
        if name in {"frequency", "days"}:
            if number != number.quantize(Decimal("0.01")):
                errors[name] = [_("At most two decimals.")]
                continue
            cleaned[name] = number
        elif number != number.to_integral_value():
            # The app's own words: a shared msgid ("Enter a whole number.") would take the
            # translation of whichever app's catalogue comes first.
            errors[name] = [
                _("Give the number of subjects without decimals.")
                if name == "subjects"
                else _("Give whole đồng, without decimals.")
            ]
        else:
            cleaned[name] = int(number)
    if not errors and len(cleaned) == len(COST_FIELDS):
        cost = compliance_cost(*(cleaned[n] for n in COST_FIELDS))
        if cost > MAX_COST:
            errors["subjects"] = [
                _("The cost would be over %(limit)s VND a year: check the figures.")
                % {"limit": number_format(MAX_COST, force_grouping=True)}
            ]
    if errors:
        raise ConsultationError(errors, code="invalid_cost")
    return cleaned


def record_regulation(actor, organisation: Organisation, data: RegulationData) -> Regulation:
    """Record a regulation of ``organisation`` (its legal document made or found by number)."""
    require(actor, scopes.MANAGE, organisation)
    required(data.document_number, "document_number", _("Give the document's number."))
    required(data.content, "content", _("Give the regulation's text."))
    required(data.article, "article", _("Give the article."))
    if data.document_type not in DocType.values:
        raise ConsultationError({"document_type": [_("Unknown document type.")]}, code="invalid")
    costs = clean_costs(data.costs)
    procedures = list(Procedure.objects.filter(code__in=data.procedure_codes))
    unknown = sorted(set(data.procedure_codes) - {p.code for p in procedures})
    if unknown:
        raise ConsultationError(
            {
                "procedures": [
                    _("No procedure has the code %(codes)s.") % {"codes": ", ".join(unknown)}
                ]
            },
            code="unknown_procedure",
        )
    with transaction.atomic():
        document, _created = LegalDocument.objects.get_or_create(
            number=data.document_number.strip(),
            defaults={
                "doc_type": data.document_type,
                "title": data.document_title or data.document_number,
                "issued_on": data.issued_on,
                "issuing_body": data.issuing_body,
            },
        )
        regulation = Regulation(
            document=document,
            article=data.article.strip(),
            clause=data.clause.strip(),
            point=data.point.strip(),
            content=data.content.strip(),
            sector=data.sector,
            organisation=organisation,
            **costs,
        )
        regulation.search_key = search_key(regulation)
        regulation.save()
        regulation.procedures.set(procedures)
        record(
            actor,
            "regulation.record",
            regulation,
            organisation,
            document=document.number,
            place=regulation.place(),
            cost=regulation.cost,
        )
    return regulation


def update_costs(actor, regulation: Regulation, values: dict) -> Regulation:
    """Change the cost fields given in ``values`` (the others stay); the audit row has the cost
    before and after and the fields that changed."""
    require(actor, scopes.MANAGE, regulation)
    costs = clean_costs({**{n: getattr(regulation, n) for n in COST_FIELDS}, **values})
    with transaction.atomic():
        locked = Regulation.objects.select_for_update().get(pk=regulation.pk)
        before = locked.cost
        changed = sorted(n for n, v in costs.items() if getattr(locked, n) != v)
        for name, value in costs.items():
            setattr(locked, name, value)
        locked.save()
        record(
            actor,
            "regulation.costs",
            locked,
            locked.organisation,
            before=before,
            after=locked.cost,
            fields=changed,
        )
    return locked


def search(query: str = "", *, sector=None, organisation=None) -> QuerySet[Regulation]:
    """Regulations having every word of ``query`` (with or without diacritics; the last word
    may be unfinished), optionally of one sector or managing organisation."""
    qs = Regulation.objects.all()
    if sector:
        qs = qs.filter(
            Q(sector__code=sector) | Q(sector__pk=sector if str(sector).isdigit() else 0)
        )
    if organisation:
        qs = qs.filter(organisation__code=organisation)
    words = tokens(query or "")[:12]
    for word in words[:-1]:
        qs = qs.filter(search_key__contains=f" {word} ")
    if words:
        qs = qs.filter(search_key__contains=f" {words[-1]}")
    return qs
