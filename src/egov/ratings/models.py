"""Satisfaction ratings (đánh giá mức độ hài lòng) of dossiers whose result was returned.

The criteria are data: a :class:`CriteriaSet` is one version of a form (its criteria, its scale),
loaded by a migration (0002: the 12-criterion form, docs/ratings.md). A rating keeps the set it
was given on, so a later version changes nothing already rated. A rating copies the dossier's
organisation, procedure and return date: the officials' lists, the public aggregates and the
service index's figures read one table without joining the dossiers.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# A rating can be changed this long after it was first given, then it is frozen (issue 15 §3).
CHANGE_WINDOW = timedelta(days=7)


class Level(models.IntegerChoices):
    """The five-level scale of satisfaction forms (rất hài lòng ... rất không hài lòng)."""

    VERY_DISSATISFIED = 1, pgettext_lazy("satisfaction", "Very dissatisfied")
    DISSATISFIED = 2, pgettext_lazy("satisfaction", "Dissatisfied")
    NEUTRAL = 3, pgettext_lazy("satisfaction", "Neither satisfied nor dissatisfied")
    SATISFIED = 4, pgettext_lazy("satisfaction", "Satisfied")
    VERY_SATISFIED = 5, pgettext_lazy("satisfaction", "Very satisfied")


class CriteriaSet(models.Model):
    """One version of a satisfaction form: its criteria and its scale (1..max_score)."""

    code = models.CharField(_("criteria set code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=255)
    source = models.TextField(_("source"), blank=True, default="")
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=5)
    in_force = models.BooleanField(_("in force"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="ratings_set_code_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code} v{self.version})"


class Criterion(models.Model):
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("criterion code"), max_length=40)
    name = models.CharField(_("name"), max_length=255)
    hint = models.TextField(_("hint"), blank=True, default="")

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["criteria_set", "number"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="ratings_criterion_code"),
            models.UniqueConstraint(
                fields=["criteria_set", "number"], name="ratings_criterion_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class SatisfactionRating(models.Model):
    """One applicant's rating of one dossier: a score per criterion of its set, a dislike with
    its reason, a comment. Changeable for :data:`CHANGE_WINDOW` after ``created_at``."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="satisfaction_ratings"
    )
    citizen = models.ForeignKey(
        "accounts.Citizen", on_delete=models.PROTECT, related_name="satisfaction_ratings"
    )
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="+")
    # Copied from the dossier when it is rated (a returned dossier no longer moves).
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="satisfaction_ratings"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.PROTECT, related_name="satisfaction_ratings"
    )
    returned_at = models.DateTimeField(_("result returned"))
    disliked = models.BooleanField(_("dislike"), default=False)
    dislike_reason = models.TextField(_("reason for the dislike"), blank=True, default="")
    comment = models.TextField(_("comment"), blank=True, default="")
    # Average of the scores, kept with them: lists and exports read it without the scores.
    average = models.DecimalField(_("average score"), max_digits=4, decimal_places=2)
    # 1 when given, +1 at each change: the national side keeps the highest it has seen.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("rated"))
    updated_at = models.DateTimeField(_("last changed"))

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "citizen"], name="ratings_one_per_applicant"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "returned_at"], name="ratings_org_returned_idx"),
            models.Index(fields=["procedure", "organisation"], name="ratings_procedure_org_idx"),
        ]

    def __str__(self) -> str:
        return f"rating {self.pk}"  # never the applicant's name (it ends up in logs)

    @property
    def frozen_at(self):
        return self.created_at + CHANGE_WINDOW


class CriterionScore(models.Model):
    rating = models.ForeignKey(SatisfactionRating, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["criterion__number"]
        constraints = [
            models.UniqueConstraint(fields=["rating", "criterion"], name="ratings_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"
