"""The Government's members and their staff: appointing, authorising assistants, the
secretariat (each one transaction, one audit row)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from egov.accounts.models import Official
from egov.cabinet.models import Assistant, Member, Position, Secretary
from egov.core.services import audit


def appoint(
    official: Official,
    position: str,
    title: str,
    *,
    term_start: dt.date,
    term_end: dt.date | None = None,
    rank: int = 100,
    actor="system",
) -> Member:
    if position not in Position.values:
        raise ValidationError(_("Unknown position."), code="position")
    if term_end is not None and term_end < term_start:
        raise ValidationError(_("A term cannot end before it starts."), code="term")
    with transaction.atomic():
        if position == Position.PRIME_MINISTER:
            clash = Member.objects.filter(position=position).at(term_start).exists()
            if clash:
                raise ValidationError(
                    _("There is already a Prime Minister on that date."), code="position"
                )
        member = Member.objects.create(
            official=official,
            position=position,
            title=title,
            rank=rank,
            term_start=term_start,
            term_end=term_end,
        )
        audit.record(actor=actor, action="cabinet.appoint", obj=member, summary={"title": title})
    return member


def authorise_assistant(
    official: Official, member: Member, *, valid_from: dt.date, valid_to=None, actor="system"
) -> Assistant:
    with transaction.atomic():
        assistant = Assistant.objects.create(
            official=official, member=member, valid_from=valid_from, valid_to=valid_to
        )
        audit.record(
            actor=actor, action="cabinet.assistant", obj=assistant, summary={"member": member.pk}
        )
    return assistant


def add_secretary(official: Official, *, actor="system") -> Secretary:
    """Make ``official`` one of the secretariat; an active secretary already is (no change, no
    audit row: the demo load runs it again)."""
    with transaction.atomic():
        secretary = Secretary.objects.select_for_update().filter(official=official).first()
        if secretary is not None and secretary.active:
            return secretary
        if secretary is None:
            secretary = Secretary.objects.create(official=official, active=True)
        else:
            secretary.active = True
            secretary.save(update_fields=["active"])
        audit.record(actor=actor, action="cabinet.secretary", obj=secretary)
    return secretary
