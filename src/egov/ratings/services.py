"""Every change of a rating (docs/architecture.md, "State changes"): :func:`rate` gives it,
:func:`change` changes it within the change window. Each is one transaction that locks the
dossier, writes the rating and its scores, one audit row and sends ``rating_saved`` (the national
sync queues it there). A refused call writes nothing.

Who may rate: the dossier's applicant, by the rule that lets them see and act on it (the policy's
owner rule, ``dossiers.apply`` on the dossier: the citizen who filed it, for herself or for whom
she is recorded as representing). Officials, API clients and superusers may not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from egov.accounts import policy
from egov.accounts.models import Citizen
from egov.core.services import audit
from egov.dossiers import scopes as dossier_scopes
from egov.dossiers.models import Dossier, Status
from egov.ratings.errors import RatingError, RatingRefused
from egov.ratings.models import CriteriaSet, CriterionScore, SatisfactionRating
from egov.ratings.signals import rating_saved

MAX_REASON = 1000
MAX_COMMENT = 2000


@dataclass
class RatingData:
    """What the applicant gives: a score per criterion code, a dislike and its reason, a
    comment."""

    scores: dict[str, object] = field(default_factory=dict)
    disliked: bool = False
    dislike_reason: str = ""
    comment: str = ""


def current_set() -> CriteriaSet | None:
    """The criteria set new ratings are given on: the newest version in force."""
    return CriteriaSet.objects.filter(in_force=True).order_by("-created_at", "-pk").first()


def applicant_of(actor, dossier: Dossier) -> Citizen | None:
    """The citizen ``actor`` is if they are the dossier's applicant, else None."""
    user = policy.actor_of(actor) if actor is not None else None
    if user is None or getattr(user, "is_client", False) or not getattr(user, "pk", None):
        return None
    if not dossier.applicant_citizen_id:
        return None
    citizen = Citizen.objects.filter(user=user).first()
    if citizen is None or citizen.pk != dossier.applicant_citizen_id:
        return None
    if not policy.can(user, dossier_scopes.APPLY, dossier):
        return None
    return citizen


def may_rate(actor, dossier: Dossier) -> bool:
    return dossier.status == Status.RESULT_RETURNED and applicant_of(actor, dossier) is not None


def rating_of(dossier: Dossier, citizen: Citizen) -> SatisfactionRating | None:
    return (
        SatisfactionRating.objects.filter(dossier=dossier, citizen=citizen)
        .select_related("criteria_set")
        .first()
    )


def rate(dossier: Dossier, *, actor, data: RatingData) -> SatisfactionRating:
    """Rate a dossier whose result was returned, once. PermissionDenied for anyone but its
    applicant; RatingRefused before status 10 or when already rated; RatingError on bad
    input."""
    try:
        with transaction.atomic():
            locked, citizen = _begin(dossier, actor)
            if rating_of(locked, citizen) is not None:
                raise RatingRefused(
                    _("You have already rated this dossier; you can change your rating."),
                    code="already_rated",
                )
            criteria_set = current_set()
            if criteria_set is None:
                raise RatingRefused(_("No satisfaction criteria are in force."), code="no_criteria")
            scores, values = _checked(criteria_set, data)
            now = timezone.now()
            rating = SatisfactionRating.objects.create(
                dossier=locked,
                citizen=citizen,
                criteria_set=criteria_set,
                organisation_id=locked.organisation_id,
                procedure_id=locked.procedure_version.procedure_id,
                returned_at=locked.returned_at or locked.closed_at or now,
                created_at=now,
                updated_at=now,
                **values,
            )
            CriterionScore.objects.bulk_create(
                CriterionScore(rating=rating, criterion=c, score=s) for c, s in scores
            )
            _finish(actor, rating, "ratings.rate", created=True)
            return rating
    except IntegrityError as exc:  # a second rating that raced the first one past the check
        raise RatingRefused(
            _("You have already rated this dossier; you can change your rating."),
            code="already_rated",
        ) from exc


@transaction.atomic
def change(dossier: Dossier, *, actor, data: RatingData) -> SatisfactionRating:
    """Change one's rating within the change window, on the set it was given on."""
    locked, citizen = _begin(dossier, actor)
    rating = (
        SatisfactionRating.objects.select_for_update()
        .select_related("criteria_set")
        .filter(dossier=locked, citizen=citizen)
        .first()
    )
    if rating is None:
        raise RatingRefused(_("You have not rated this dossier yet."), code="not_rated")
    now = timezone.now()
    if now >= rating.frozen_at:
        raise RatingRefused(
            _(
                "A rating can be changed only within %(days)d days of being given; this one "
                "was given on %(date)s and can no longer be changed."
            )
            % {
                "days": (rating.frozen_at - rating.created_at).days,
                "date": timezone.localtime(rating.created_at).strftime("%d/%m/%Y"),
            },
            code="frozen",
        )
    scores, values = _checked(rating.criteria_set, data)
    for name, value in values.items():
        setattr(rating, name, value)
    rating.revision += 1
    rating.updated_at = now
    rating.save()
    rating.scores.all().delete()
    CriterionScore.objects.bulk_create(
        CriterionScore(rating=rating, criterion=c, score=s) for c, s in scores
    )
    _finish(actor, rating, "ratings.change", created=False)
    return rating


def _begin(dossier: Dossier, actor) -> tuple[Dossier, Citizen]:
    """The dossier locked, and its applicant. PermissionDenied is asked first: someone else
    learns nothing of the dossier's status."""
    locked = (
        Dossier.objects.select_for_update()
        .select_related("procedure_version")
        .filter(pk=dossier.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("You may not rate this dossier."))
    citizen = applicant_of(actor, locked)
    if citizen is None:
        raise PermissionDenied(_("Only the dossier's applicant may rate it."))
    if locked.status != Status.RESULT_RETURNED:
        raise RatingRefused(
            _("A dossier can be rated only after its result has been returned."),
            code="not_returned",
        )
    return locked, citizen


def _checked(criteria_set: CriteriaSet, data: RatingData):
    """The (criterion, score) pairs and the rating's other values, or RatingError naming every
    fault."""
    criteria = {c.code: c for c in criteria_set.criteria.all()}
    errors: dict[str, list[str]] = {}
    given = data.scores if isinstance(data.scores, dict) else {}
    unknown = sorted(str(code) for code in given if code not in criteria)
    if unknown:
        errors.setdefault("scores", []).append(
            _("Unknown criteria: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    pairs = []
    for code, criterion in criteria.items():
        value = given.get(code)
        if value in (None, ""):
            errors.setdefault(f"scores.{code}", []).append(
                _("Give a score for “%(name)s”.") % {"name": criterion.name}
            )
            continue
        score = _integer(value)
        if score is None or not 1 <= score <= criteria_set.max_score:
            errors.setdefault(f"scores.{code}", []).append(
                _("The score for “%(name)s” must be a whole number from 1 to %(max)d.")
                % {"name": criterion.name, "max": criteria_set.max_score}
            )
            continue
        pairs.append((criterion, score))
    reason = (data.dislike_reason or "").strip()
    comment = (data.comment or "").strip()
    disliked = bool(data.disliked)
    if disliked and not reason:
        errors["dislike_reason"] = [_("Say why you are not satisfied.")]
    if len(reason) > MAX_REASON:
        errors["dislike_reason"] = [
            _("At most %(n)d characters.") % {"n": MAX_REASON},
        ]
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [_("At most %(n)d characters.") % {"n": MAX_COMMENT}]
    if errors:
        raise RatingError(errors, code="invalid")
    average = Decimal(sum(s for _c, s in pairs)) / Decimal(len(pairs) or 1)
    values = {
        "disliked": disliked,
        "dislike_reason": reason if disliked else "",
        "comment": comment,
        "average": average.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
    }
    return pairs, values


def _integer(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _finish(actor, rating: SatisfactionRating, action: str, *, created: bool) -> None:
    audit.record(
        actor=policy.actor_of(actor),
        action=action,
        obj=rating,
        organisation=rating.organisation,
        summary={
            "dossier": rating.dossier.code,
            "criteria_set": f"{rating.criteria_set.code} v{rating.criteria_set.version}",
            "average": str(rating.average),
            "disliked": rating.disliked,
            "revision": rating.revision,
        },
    )
    rating_saved.send(sender=SatisfactionRating, rating=rating, created=created)
