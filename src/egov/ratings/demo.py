"""ratings' part of ``egov load-demo`` (after the logins and the petitions' centre): three
dossiers of the first demo citizen (the development e-ID provider's "Nguyễn Văn An",
oidc-provider/demo-citizens.json) at the demo commune, taken to "result returned" through the
dossiers' services; two are rated through the ratings' services (one not satisfied), the third
is left for the citizen to rate after logging in. Once: a second run finds the ratings."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from egov.accounts.demo import DEMO_CITIZENS, DEMO_PROVINCE, demo_citizen

# The development provider's first citizen: its subject, name and ID number.
DEMO_CITIZEN = DEMO_CITIZENS[0]


def load(write) -> None:
    if settings.PRODUCTION:
        write("Production: no demo ratings were made.")
        return
    if not settings.EGOV_OIDC_ISSUER:
        write("Ratings: no e-ID provider is configured, so no demo citizen to rate.")
        return
    _default_criteria()
    try:
        made = _ratings()
    except ValidationError as exc:
        write(f"Ratings: no demo ratings ({' '.join(exc.messages)}).")
        return
    write(made)


@transaction.atomic
def _ratings() -> str:
    from egov.accounts.models import Citizen
    from egov.core.models import Organisation
    from egov.ratings.models import SatisfactionRating

    subject, name, pid = DEMO_CITIZEN
    citizen = Citizen.objects.filter(issuer=settings.EGOV_OIDC_ISSUER, subject=subject).first()
    if citizen is not None and SatisfactionRating.objects.filter(citizen=citizen).exists():
        return "  Ratings: the demo citizen's ratings are already there."
    province = Organisation.objects.filter(code=DEMO_PROVINCE).order_by("-id").first()
    commune = (
        Organisation.objects.filter(parent=province, level="commune", valid_to__isnull=True)
        .order_by("code")
        .first()
        if province
        else None
    )
    version = _version()
    if commune is None or version is None:
        return "  Ratings: no demo commune or procedure with workflow steps, no demo ratings."
    if citizen is None:
        citizen = demo_citizen(subject, name, pid)
    dossiers = [_returned(version, commune, citizen) for _ in range(3)]
    _rate(dossiers[0], citizen, 5, comment="Cán bộ hướng dẫn tận tình, trả kết quả trước hẹn.")
    _rate(
        dossiers[1],
        citizen,
        2,
        disliked=True,
        reason="Phải đến bổ sung giấy tờ hai lần vì không được hướng dẫn đầy đủ từ đầu.",
    )
    return (
        f"  Ratings: 2 dossiers of the demo citizen {name} rated at {commune.name}; "
        f"{dossiers[2].code} is returned and waits for her rating (/my/dossiers/)."
    )


def _version():
    """A commune procedure version in force that has workflow steps (the demo's step 50)."""
    from egov.catalog.models import Procedure, ProcedureVersion
    from egov.dossiers.models import WorkflowStep

    # Three plain queries, not one join: a join of the versions to their steps (DISTINCT over
    # every column, or a subquery of ids) ran for minutes on PostgreSQL under some plans.
    with_steps = set(WorkflowStep.objects.values_list("procedure_version_id", flat=True))
    current = (
        Procedure.objects.filter(levels__contains="commune", current_version__isnull=False)
        .order_by("code")
        .values_list("current_version_id", flat=True)
    )
    chosen = next((pk for pk in current if pk in with_steps), None)
    if chosen is None:
        return None
    return ProcedureVersion.objects.select_related("procedure").get(pk=chosen)


def _returned(version, commune, citizen):
    from egov.dossiers import services
    from egov.dossiers.benchdata import sample_form

    dossier = services.register_in_person(
        actor=None,
        procedure_version=version,
        organisation=commune,
        applicant=services.ApplicantData(
            name=citizen.full_name, id_number=citizen.personal_id_number
        ),
        form_data=sample_form(version.application_form or None),
        citizen=citizen,
    )
    dossier = services.start_processing(dossier, actor=None)
    dossier = services.mark_processed(dossier, actor=None)
    return services.return_result(dossier, actor=None)


def _default_criteria() -> None:
    """The default criteria set, as migration 0002 loads it, if the table was emptied since (a
    database flushed by a test's live server, or rows deleted by hand)."""
    import importlib

    from django.apps import apps

    from egov.ratings.services import current_set

    if current_set() is None:
        migration = importlib.import_module("egov.ratings.migrations.0002_default_criteria")
        migration.load(apps, None)


def _rate(dossier, citizen, score, *, comment="", disliked=False, reason=""):
    from egov.ratings import services
    from egov.ratings.services import current_set

    codes = current_set().criteria.values_list("code", flat=True)
    scores = dict.fromkeys(codes, score)
    if score > 1:
        scores["overall"] = score - 1 if disliked else score
    services.rate(
        dossier,
        actor=citizen.user,
        data=services.RatingData(
            scores=scores, disliked=disliked, dislike_reason=reason, comment=comment
        ),
    )
