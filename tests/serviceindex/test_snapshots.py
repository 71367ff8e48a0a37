"""Closed months frozen with the version used; recomputing one is an explicit, audited act."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from egov.core.models import AuditEntry
from egov.serviceindex import engine
from egov.serviceindex.models import IndexIndicator, Snapshot
from egov.serviceindex.periods import Period
from egov.serviceindex.services import snapshots

from .support import dossier, make_world, november

pytestmark = pytest.mark.django_db
NOV = Period.parse("2026-11")


@pytest.fixture
def w():
    world = make_world()
    world.d = november(world)
    return world


def test_a_frozen_month_does_not_move_with_later_data(w):
    snapshot, made = snapshots.freeze(NOV, actor="test")
    assert made and snapshot.version.code == "766-2022"
    late = dossier(w, w.a, received="2026-11-20", processed="2026-11-25", timeliness="late")
    card = engine.scorecard(w.p, NOV)
    assert card.snapshot == snapshot
    line = card.line("2.1")
    assert (line.figure.numerator, line.figure.denominator) == (3, 4)
    trace = engine.trace(w.p, NOV, IndexIndicator.objects.get(code="2.1"))
    assert late not in set(trace.denominator) and len(trace.denominator) == 4
    ranked = {c.organisation: c for c in engine.scorecards(NOV)}
    assert ranked[w.p].line("2.1").figure.denominator == 4
    # Freezing again changes nothing.
    assert snapshots.freeze(NOV, actor="test") == (snapshot, False)


def test_recompute_is_audited_and_takes_the_new_data(w):
    snapshots.freeze(NOV, actor="test")
    dossier(w, w.a, received="2026-11-20", processed="2026-11-25", timeliness="late")
    with pytest.raises(ValidationError):
        snapshots.recompute(NOV, actor="test", reason=" ")
    snapshot = snapshots.recompute(NOV, actor="test", reason="Dữ liệu tháng 11 được bổ sung")
    assert snapshot.recomputed == 1
    line = engine.scorecard(w.p, NOV).line("2.1")
    assert (line.figure.numerator, line.figure.denominator) == (3, 5)
    entry = AuditEntry.objects.filter(action="serviceindex.recompute").get()
    assert entry.summary["reason"] == "Dữ liệu tháng 11 được bổ sung"
    assert entry.summary["changed"][w.p.code][0] != entry.summary["changed"][w.p.code][1]


def test_only_closed_months_are_frozen(w):
    with pytest.raises(ValidationError):
        snapshots.freeze(Period.current_month(), actor="test")
    with pytest.raises(ValidationError):
        snapshots.freeze(Period.parse("2026-Q4"), actor="test")


def test_commands(w, capsys):
    call_command("serviceindex_freeze", month=["2026-11"])
    assert "2026-11: frozen" in capsys.readouterr().out
    assert Snapshot.objects.filter(month=NOV.first_day).exists()
    call_command("serviceindex_recompute", month="2026-11", reason="Sửa dữ liệu", by="user:1")
    assert "recomputed" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("serviceindex_recompute", month="2026-10", reason="x")
    with pytest.raises(CommandError):
        call_command("serviceindex_freeze", month=["tháng 11"])
