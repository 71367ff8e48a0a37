"""Three indicators recomputed by hand from a fixture (tests/serviceindex/support.py), and the
ranking's grouped queries agreeing with one organisation's subtree.

Province P, November 2026 (A and B are its communes; Q another province):

- finished in November in P: d1 (early), d2 (late), d3 (on time, one supplement), d4 (on time,
  received in October) → 2.1 = 3 / 4 = 75 %, 20 points × 75 ÷ 100 = 15;
- received in November in P: d1, d2, d3, d5, d6 (d4 in October, d8 in December, d7 in Q);
  online with an e-result: d1 (d5 is online without a result) → 3.3 = 1 / 5 = 20 %, target
  50 %: 4 × 20 ÷ 50 = 1.6;
- every component digitised: d5 only (d6 has one not digitised, the others have none)
  → 4.2 = 1 / 5 = 20 %, target 80 %: 4 × 20 ÷ 80 = 1.
"""

from decimal import Decimal as D

import pytest

from egov.serviceindex import engine
from egov.serviceindex.indicators import Scope
from egov.serviceindex.models import IndexIndicator
from egov.serviceindex.periods import Period

from .support import make_world, november

pytestmark = pytest.mark.django_db
NOV = Period.parse("2026-11")


@pytest.fixture
def w():
    world = make_world()
    world.d = november(world)
    return world


def figures(card, code):
    line = card.line(code)
    return line.figure.numerator, line.figure.denominator, line.score


def test_three_indicators_by_hand(w):
    card = engine.scorecard(w.p, NOV)
    assert figures(card, "2.1") == (3, 4, D(15))
    assert figures(card, "3.3") == (1, 5, D("1.6"))
    assert figures(card, "4.2") == (1, 5, D(1))
    assert figures(card, "4.5")[:2] == (1, 5)  # d5: a citizen logged in with the e-ID
    assert figures(card, "4.3")[:2] == (1, 5)  # d6 reuses a component
    assert figures(card, "3.1")[:2] == (1, 1)  # A's one procedure, fully online
    assert figures(card, "3.2")[:2] == (1, 1)  # ... with dossiers received online (d1, d5)
    assert engine.scorecard(w.q, NOV).line("3.1").figure.denominator == 0  # none of Q's


def test_the_traced_rows_are_what_was_counted(w):
    trace = engine.trace(w.p, NOV, IndexIndicator.objects.get(code="2.1"))
    d = w.d
    assert set(trace.denominator) == {d["d1"], d["d2"], d["d3"], d["d4"]}
    assert set(trace.numerator) == {d["d1"], d["d3"], d["d4"]}
    trace = engine.trace(w.p, NOV, IndexIndicator.objects.get(code="4.2"))
    assert list(trace.numerator) == [d["d5"]]


def test_a_commune_is_its_own_subtree(w):
    card = engine.scorecard(w.b, NOV)
    assert figures(card, "4.2")[:2] == (0, 1)
    assert card.line("2.1").figure.available is False  # nothing finished: N/A, not zero
    assert card.line("2.1").score is None


def test_more_supplements_than_allowed_count_as_late(w):
    indicator = IndexIndicator.objects.get(code="2.1")
    indicator.parameters = {"max_supplements": 0}
    counting = engine.count(indicator, NOV, Scope.of(w.p))
    assert counting.figures[w.p.pk].numerator == 2  # d3 had one supplement


def test_ranking_agrees_with_each_subtree(w, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        cards = {c.organisation: c for c in engine.scorecards(NOV)}
    for org in (w.p, w.q):
        alone = engine.scorecard(org, NOV)
        for line in alone.lines:
            ranked = cards[org].line(line.indicator.code)
            assert ranked.figure == line.figure, (org, line.indicator.code)
    assert figures(cards[w.q], "2.1") == (1, 1, D(20))


def test_synced_and_satisfaction_by_hand(w):
    """1.4: received in November in P (d1, d2, d3, d5, d6), acknowledged by the national portal:
    d1 and d5 → 2 / 5. 5.4: finished in November in P (d1 early, d2 late, d3 and d4 on time);
    a petition about d3 and a "not satisfied" rating of d4 leave d1 → 1 / 4."""
    from django.utils import timezone

    from egov.ratings.models import CriteriaSet, SatisfactionRating
    from egov.sync.models import SyncMark

    from .support import petition

    d = w.d
    for name in ("d1", "d5"):
        SyncMark.objects.create(dossier=d[name], version=1, synced_at=timezone.now())
    about_d3 = petition(w, w.a, answered="2026-11-20", late=False)
    type(about_d3).objects.filter(pk=about_d3.pk).update(dossier=d["d3"])
    criteria = CriteriaSet.objects.create(code="t", version=1, name="t", max_score=5)
    for name, disliked in (("d4", True), ("d1", False)):
        dossier = d[name]
        SatisfactionRating.objects.create(
            dossier=dossier,
            citizen=w.citizen,
            criteria_set=criteria,
            organisation=dossier.organisation,
            procedure=dossier.procedure_version.procedure,
            returned_at=timezone.now(),
            disliked=disliked,
            dislike_reason="Chậm" if disliked else "",
            average=D(2),
            created_at=timezone.now(),
            updated_at=timezone.now(),
        )
    card = engine.scorecard(w.p, NOV)
    assert figures(card, "1.4") == (2, 5, D("2.4"))  # 6 points × 40 % ÷ 100 %
    assert figures(card, "5.4")[:2] == (1, 4)
    ranked = {c.organisation: c for c in engine.scorecards(NOV)}
    assert figures(ranked[w.p], "5.4")[:2] == (1, 4)
    assert figures(ranked[w.p], "1.4")[:2] == (2, 5)


def test_average_handling_time_in_working_days(w):
    card = engine.scorecard(w.q, NOV)
    line = card.line("2.2")
    # d7: received Sunday 8 November, processed Monday 9: one working day.
    assert (line.figure.numerator, line.figure.denominator) == (1, 1)
    assert line.score is None and line.informative


def test_petitions_by_hand(w):
    """5.2: answered in November in P's subtree, on time: 2 of 3. 5.3: minus the one mostly
    "not useful" (1 useful, 2 not) and the late one: 1 of 3."""
    from .support import petition

    petition(w, w.a, answered="2026-11-10", late=False, useful=2, not_useful=1)
    petition(w, w.a, answered="2026-11-11", late=False, useful=1, not_useful=2)
    petition(w, w.b, answered="2026-11-12", late=True)
    petition(w, w.q, answered="2026-11-12", late=False)  # another province
    petition(w, w.a, answered="2026-10-30", late=False)  # another month
    card = engine.scorecard(w.p, NOV)
    assert figures(card, "5.2") == (2, 3, D(4))
    assert figures(card, "5.3") == (1, 3, D(2))
    ranked = {c.organisation: c for c in engine.scorecards(NOV)}
    assert figures(ranked[w.p], "5.3") == (1, 3, D(2))


def test_dossiers_paid_online_by_hand(w):
    """3.6: fee-bearing dossiers received in November (fee 0 excluded): 3; paid through a
    gateway: 1 (one paid in cash, one not paid) → 33.33 %, target 80 %: 6 × 33.33 ÷ 80."""
    from .support import fee_dossier

    fee_dossier(w, w.a, received="2026-11-03", amount=50_000, paid_online=True)
    fee_dossier(w, w.a, received="2026-11-04", amount=50_000, paid_online=False)
    fee_dossier(w, w.b, received="2026-11-05", amount=20_000, paid_online=None)
    fee_dossier(w, w.b, received="2026-11-05", amount=0, paid_online=None)
    line = engine.scorecard(w.p, NOV).line("3.6")
    assert (line.figure.numerator, line.figure.denominator) == (1, 3)
    assert line.score.quantize(D("0.01")) == (D(6) * D(100) / D(3) / D(80)).quantize(D("0.01"))


def test_live_ranking_moves_with_the_next_state_change(w, django_capture_on_commit_callbacks):
    """The ranking's figures are cached per organisation under its sources' versions: a write
    that bypasses the services is not seen, a state change of a source (its audit row, after
    the commit) is."""
    from django.db import transaction

    from egov.core.services import audit

    from .support import dossier

    before = {c.organisation: c for c in engine.scorecards(NOV)}[w.q].line("2.1").figure
    dossier(w, w.q, received="2026-11-20", processed="2026-11-21", timeliness="late")
    cached = {c.organisation: c for c in engine.scorecards(NOV)}[w.q].line("2.1").figure
    assert cached == before  # nothing recorded yet: the cache holds
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        audit.record(actor="test", action="dossiers.return_result", organisation=w.q, summary={})
    after = {c.organisation: c for c in engine.scorecards(NOV)}[w.q].line("2.1").figure
    assert (after.numerator, after.denominator) == (1, 2)


def test_published_after_announcement_dates_the_decision_by_the_exchange(w):
    """1.2: the catalogue names the announcing decision, the exchange dates it; a province has
    5 working days. A decision not registered in egov leaves the version unmeasured."""
    import datetime as dt

    from django.core.cache import cache

    from egov.catalog.models import ProcedureVersion
    from egov.exchange.models import OfficialDocument

    from .support import at

    ProcedureVersion.objects.filter(pk=w.version.pk).update(
        publishing_agency=w.a, published_at=at("2026-11-20"), published_by_decision="12 / qđ-ubnd"
    )
    assert engine.scorecard(w.p, NOV).line("1.2").figure.denominator == 0  # N/A: not registered
    doc = OfficialDocument.objects.create(
        organisation=w.a,
        year=2026,
        number=12,
        document_type="QĐ",
        notation="QĐ-UBND",
        subject="Công bố thủ tục hành chính",
        signer_name="Nguyễn Văn B",
        promulgation_date=dt.date(2026, 11, 16),  # Monday: 5 working days end on the 23rd
        pdf="x.pdf",
        pdf_sha256="0" * 64,
        created_at=at("2026-11-16"),
    )
    cache.clear()
    assert figures(engine.scorecard(w.p, NOV), "1.2") == (1, 1, D(4))
    OfficialDocument.objects.filter(pk=doc.pk).update(promulgation_date=dt.date(2026, 11, 5))
    cache.clear()  # Thursday the 5th: the 5th working day after it is the 12th
    assert figures(engine.scorecard(w.p, NOV), "1.2")[:2] == (0, 1)
    OfficialDocument.objects.filter(pk=doc.pk).update(promulgation_date=dt.date(2026, 11, 25))
    cache.clear()  # promulgated after the publication: not this version's announcement
    assert engine.scorecard(w.p, NOV).line("1.2").figure.denominator == 0
