from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "egov.ratings"
    label = "ratings"
    verbose_name = _("Satisfaction ratings")
    url_prefix = "ratings/"  # the applicant's rating form, the officials' list, public figures

    def ready(self):
        from egov.accounts import policy
        from egov.accounts.models import Role
        from egov.core import registry
        from egov.ratings import demo, scopes
        from egov.ratings.models import CriterionScore, SatisfactionRating

        # Officials who handle dossiers read their organisation's ratings and comments; the
        # reporter reads them for the figures. A rating belongs to the organisation that
        # returned the dossier and to the applicant who gave it.
        for role in (Role.DESK, Role.PROCESSOR, Role.APPROVER, Role.REPORTER):
            policy.grant(role, scopes.READ)
        owner_scopes = {scopes.READ, scopes.RATE}
        policy.register(
            SatisfactionRating,
            organisation="organisation",
            owner="citizen__user",
            owner_scopes=owner_scopes,
        )
        policy.register(
            CriterionScore,
            organisation="rating__organisation",
            owner="rating__citizen__user",
            owner_scopes=owner_scopes,
        )
        registry.demo_step(96, "ratings", demo.load)
        registry.nav_link(
            registry.NavLink(
                "ratings.list", _("Satisfaction ratings"), "ratings:list", (scopes.READ,), 55
            )
        )
        # The officials' dossier page links to the dossier's rating for those who may read it
        # (the one-stop shop sits below and does not know this app).
        registry.dossier_link(
            registry.DossierLink(
                "ratings.dossier",
                _("Satisfaction rating"),
                "ratings:dossier",
                lambda user, dossier: (
                    dossier.status == 10 and policy.can(user, scopes.READ, dossier.organisation)
                ),
                order=20,
            )
        )
