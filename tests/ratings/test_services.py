"""Rating a returned dossier: once, by its applicant only, changeable for 7 days, every refusal
a 4xx error with nothing written; audited; ``rating_saved`` sent inside the transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from egov.core.models import AuditEntry
from egov.dossiers import services as dossier_services
from egov.ratings import services
from egov.ratings.errors import RatingError, RatingRefused
from egov.ratings.models import CriterionScore, SatisfactionRating
from egov.ratings.signals import rating_saved

from ..dossiers.core_support import submit
from .conftest import all_scores, data, returned

pytestmark = pytest.mark.django_db


def _nothing_written():
    return not SatisfactionRating.objects.exists() and not CriterionScore.objects.exists()


def test_the_applicant_rates_a_returned_dossier_once(world):
    d = returned(world)
    seen = []

    def receiver(sender, rating, created, **kwargs):
        seen.append((rating.pk, created, connection.in_atomic_block))

    rating_saved.connect(receiver)
    try:
        scores = all_scores(5, attitude=1, on_time=3)
        rating = services.rate(
            d, actor=world.citizen.user, data=services.RatingData(scores=scores, comment=" Tốt ")
        )
    finally:
        rating_saved.disconnect(receiver)
    assert rating.organisation == world.a and rating.procedure == world.version.procedure
    assert rating.returned_at == d.returned_at and rating.revision == 1
    assert rating.comment == "Tốt" and not rating.disliked
    assert {s.criterion.code: s.score for s in rating.scores.all()} == scores
    # 10 criteria at 5, one at 1, one at 3: 54 / 12
    assert rating.average == Decimal("4.50")
    assert seen == [(rating.pk, True, True)]
    entry = AuditEntry.objects.get(action="ratings.rate")
    assert entry.summary["dossier"] == d.code and entry.summary["average"] == "4.50"
    with pytest.raises(RatingRefused) as refused:
        services.rate(d, actor=world.citizen.user, data=data())
    assert refused.value.code == "already_rated"
    assert SatisfactionRating.objects.count() == 1


def test_a_dislike_needs_its_reason(world):
    d = returned(world)
    with pytest.raises(RatingError) as error:
        services.rate(d, actor=world.citizen.user, data=data(disliked=True, dislike_reason=" "))
    assert "dislike_reason" in error.value.message_dict
    assert _nothing_written()
    rating = services.rate(
        d, actor=world.citizen.user, data=data(2, disliked=True, dislike_reason="Phải đi lại 3 lần")
    )
    assert rating.disliked and rating.dislike_reason == "Phải đi lại 3 lần"


@pytest.mark.parametrize(
    "status_of",
    [
        lambda w: submit(w),
        lambda w: dossier_services.mark_processed(
            dossier_services.start_processing(
                dossier_services.receive(submit(w), actor=None), actor=None
            ),
            actor=None,
        ),
    ],
    ids=["new", "processed"],
)
def test_no_rating_before_the_result_is_returned(world, status_of):
    d = status_of(world)
    with pytest.raises(RatingRefused) as refused:
        services.rate(d, actor=world.citizen.user, data=data())
    assert refused.value.code == "not_returned"
    assert _nothing_written()


def test_only_the_applicant_may_rate(world):
    d = returned(world)
    for who in (world.other.user, world.desk.user, world.approver.user, None):
        with pytest.raises(PermissionDenied):
            services.rate(d, actor=who, data=data())
    assert _nothing_written()


@pytest.mark.parametrize(
    ("scores", "field"),
    [
        ({"no_such_criterion": 3}, "scores"),
        ({"overall": 6}, "scores.overall"),
        ({"overall": 0}, "scores.overall"),
        ({"overall": "năm"}, "scores.overall"),
        ({"overall": True}, "scores.overall"),
        ({"overall": None}, "scores.overall"),
    ],
)
def test_bad_scores_are_refused_with_nothing_written(world, scores, field):
    d = returned(world)
    given = all_scores()
    given.update(scores)
    if given.get("overall") is None:
        given.pop("overall")
    with pytest.raises(RatingError) as error:
        services.rate(d, actor=world.citizen.user, data=services.RatingData(scores=given))
    assert field in error.value.message_dict
    assert _nothing_written()
    assert not AuditEntry.objects.filter(action__startswith="ratings.").exists()


def test_a_rating_changes_within_seven_days_then_freezes(world):
    d = returned(world)
    rating = services.rate(d, actor=world.citizen.user, data=data(3))
    seen = []
    rating_saved.connect(
        lambda sender, rating, created, **k: seen.append(created), weak=False, dispatch_uid="t"
    )
    try:
        changed = services.change(
            d, actor=world.citizen.user, data=data(2, disliked=True, dislike_reason="Chậm")
        )
    finally:
        rating_saved.disconnect(dispatch_uid="t")
    assert seen == [False]
    assert changed.pk == rating.pk and changed.revision == 2 and changed.disliked
    assert changed.average == Decimal("2.00")
    assert CriterionScore.objects.filter(rating=rating).count() == len(all_scores())
    assert AuditEntry.objects.filter(action="ratings.change").count() == 1
    # Given eight days ago: frozen.
    SatisfactionRating.objects.filter(pk=rating.pk).update(
        created_at=timezone.now() - dt.timedelta(days=8)
    )
    with pytest.raises(RatingRefused) as refused:
        services.change(d, actor=world.citizen.user, data=data(5))
    assert refused.value.code == "frozen"
    assert "7" in " ".join(refused.value.messages)
    rating.refresh_from_db()
    assert rating.revision == 2 and rating.average == Decimal("2.00")


def test_change_needs_a_rating_and_the_applicant(world):
    d = returned(world)
    with pytest.raises(RatingRefused) as refused:
        services.change(d, actor=world.citizen.user, data=data())
    assert refused.value.code == "not_rated"
    services.rate(d, actor=world.citizen.user, data=data())
    with pytest.raises(PermissionDenied):
        services.change(d, actor=world.other.user, data=data(1))


def test_a_representative_rates_the_dossier_she_filed_for_a_business(world):
    from egov.accounts.models import BusinessRepresentation

    BusinessRepresentation.objects.create(
        citizen=world.citizen, tax_code="0101234567", business_name="Công ty TNHH Bình An"
    )
    d = returned(
        world,
        citizen=world.citizen,
        applicant=dossier_services.ApplicantData(
            name="Công ty TNHH Bình An", id_number="0101234567", kind="business"
        ),
    )
    assert d.applicant_kind == "business"
    rating = services.rate(d, actor=world.citizen.user, data=data())
    assert rating.citizen == world.citizen
