"""reporting's part of ``egov load-demo`` (after the logins and the assignments): a monthly
regime of the one-stop shop's figures and the provinces' economic figures, reported by three
provinces (Đà Nẵng, the demo's, and the first two others by code) and a few of their communes
for the last six closed months and the same month a year before, each report sent, signed where
the demo's reporters sign, approved up the tree and accepted, all through the services: the
aggregates, audit rows and signatures are real, and the command centre's dashboards
(/reporting/dashboard/) show them.

Idempotent per report: a run sends, signs, approves or accepts only what is not done yet, so a
second run adds nothing and a run a month later adds the new month (the dashboards' default)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from egov.accounts.demo import DEMO_OFFICIAL_PASSWORD, DEMO_PROVINCE, demo_official
from egov.accounts.models import Official, RoleAssignment
from egov.accounts.services import officials as official_services
from egov.core.models import Organisation

from .models import Approval, ApprovalStatus, Indicator, ReportingRegime, Submission
from .services import approval, signing
from .services.regimes import create_regime
from .services.rules import previous_period
from .services.submissions import Entry, submit
from .views import latest_period

REGIME = ("tthc-kt-thang", "Báo cáo tình hình kinh tế - xã hội và giải quyết TTHC hằng tháng")
MONTHS = 6  # the last closed months loaded, and the same month a year before the latest
COMMUNE_INDICATORS = (
    "svc_dossiers_received",
    "svc_online_dossier_rate",
    "svc_on_time_rate",
    "svc_online_payment_rate",
    "svc_satisfaction_rate",
)
PROVINCE_INDICATORS = ("retail_sales", "ent_new", "budget_revenue", "cpi")
# The province's reporting and approving official (a reader of its dashboard); the other
# provinces' get "thongke_<their code's last part>".
PROVINCE_OFFICIAL = ("thongke", ("Hoàng Văn", "Nam"), "Chuyên viên Phòng Tổng hợp, Văn phòng UBND")
OTHER_NAMES = (("Đinh Thị", "Yến"), ("Vương Quốc", "Bảo"))
# The demo commune's reporter (its statistics official, accounts' demo "motcua") and leader.
COMMUNE_REPORTER, COMMUNE_LEADER = "motcua", "lanhdao"


@dataclass
class Province:
    organisation: Organisation
    communes: list[Organisation]
    official: Official  # sends and approves for the communes below it, approves the province


def load(write) -> None:
    if settings.PRODUCTION:
        write("Production: no demo reports were made.")
        return
    try:
        made = _load()
    except ValidationError as exc:
        write(f"Reports: no demo reports ({' '.join(exc.messages)}).")
        return
    if made is None:
        write("Reports: the demo province or its communes are missing, no demo reports.")
        return
    write(made)


def _values(organisation: Organisation, year: int, number: int, keys) -> dict[str, str]:
    """Plausible figures that differ by organisation and month (the same on every run)."""
    seed = sum(map(ord, organisation.code)) + year * 12 + number
    received = 180 + seed % 140
    figures = {
        "svc_dossiers_received": received,
        "svc_online_dossier_rate": 55 + seed % 40,
        "svc_on_time_rate": 88 + seed % 12,
        "svc_online_payment_rate": 35 + seed % 45,
        "svc_satisfaction_rate": 85 + seed % 15,
        "retail_sales": 9000 + (seed * 37) % 4000,
        "ent_new": 150 + (seed * 13) % 250,
        "budget_revenue": 2000 + (seed * 29) % 1500,
        "cpi": f"{100 + (seed % 9) / 2:.1f}",
    }
    return {key: str(figures[key]) for key in keys}


def _official(username, names, title, organisation, roles):
    # A province's statistics official reports and approves for its whole tree.
    title = f"{title} {organisation.name}"
    return demo_official(
        username,
        names,
        title,
        organisation,
        roles,
        include_subtree=True,
        add_missing_roles=True,
    )


def _role(official, roles, organisation, *, subtree=False) -> None:
    for role in roles:
        if not RoleAssignment.objects.filter(
            official=official, role=role, organisation=organisation
        ).exists():
            official_services.assign_role(
                official, role, organisation, actor="system", include_subtree=subtree
            )


def _communes(province, count):
    return list(
        Organisation.objects.filter(
            parent=province, level="commune", valid_to__isnull=True
        ).order_by("code")[:count]
    )


def _provinces() -> list[Province] | None:
    demo = Organisation.objects.filter(code=DEMO_PROVINCE).order_by("-id").first()
    communes = _communes(demo, 3) if demo else []
    if not communes:
        return None
    username, names, title = PROVINCE_OFFICIAL
    provinces = [
        Province(
            demo,
            communes,
            _official(username, names, title, demo, ("reporter", "approver")),
        )
    ]
    others = (
        Organisation.objects.filter(level="province", valid_to__isnull=True)
        .exclude(code=DEMO_PROVINCE)
        .order_by("code")[: len(OTHER_NAMES)]
    )
    for organisation, names in zip(others, OTHER_NAMES, strict=False):
        below = _communes(organisation, 2)
        if below:
            username = f"thongke_{organisation.code.rsplit('.', 1)[-1].lower()}"
            official = _official(username, names, title, organisation, ("reporter", "approver"))
            provinces.append(Province(organisation, below, official))
    return provinces


def _regime(provinces) -> ReportingRegime:
    regime = ReportingRegime.objects.filter(code=REGIME[0]).first()
    if regime is not None:
        return regime
    return create_regime(
        actor="system",
        code=REGIME[0],
        name=REGIME[1],
        kind="periodic",
        periodicity="month",
        stages={"commune": 3, "province": 6},
        legal_basis="Nghị định 09/2019/NĐ-CP; Quyết định 766/QĐ-TTg",
        indicators=Indicator.objects.filter(key__in=COMMUNE_INDICATORS + PROVINCE_INDICATORS),
        organisations=[o for p in provinces for o in (p.organisation, *p.communes)],
    )


def _periods(regime) -> list[tuple[int, int]]:
    year, number = latest_period(regime, timezone.localdate())
    periods = [(year, number)]
    while len(periods) < MONTHS:
        periods.append(previous_period(regime, *periods[-1]))
    return [(year - 1, number), *reversed(periods)]


class _Run:
    """The acts one run made, for the line load-demo prints."""

    def __init__(self, regime):
        self.regime = regime
        self.sent = self.signed = self.approved = 0
        self.approvals = {
            (a.organisation_id, a.year, a.number): a.status
            for a in Approval.objects.filter(regime=regime)
        }
        self.submissions = {
            (s.organisation_id, s.year, s.number): s
            for s in Submission.objects.filter(regime=regime)
        }

    def report(self, organisation, period, keys, *, sender, signer=None) -> None:
        """Send the organisation's report for the period (if not yet), and sign it."""
        key = (organisation.pk, *period)
        submission = self.submissions.get(key)
        if submission is None:
            values = _values(organisation, *period, keys)
            submission = submit(
                actor=sender.user,
                regime=self.regime,
                organisation=organisation,
                year=period[0],
                number=period[1],
                entries=[Entry(k, v) for k, v in values.items()],
            )
            self.submissions[key] = submission
            self.sent += 1
        if signer is not None and signing.current_signature(submission) is None:
            signing.sign(submission, actor=signer.user)
            self.signed += 1

    def act(self, name, organisation, period, actor, done) -> None:
        if self.approvals.get((organisation.pk, *period)) in done:
            return
        unit = approval.act(
            actor=actor.user,
            name=name,
            regime=self.regime,
            organisation=organisation,
            year=period[0],
            number=period[1],
        )
        self.approvals[(organisation.pk, *period)] = unit.status
        self.approved += name == "approve"


APPROVED = {ApprovalStatus.APPROVED, ApprovalStatus.ACCEPTED}
ACCEPTED = {ApprovalStatus.ACCEPTED}


@transaction.atomic
def _load() -> str | None:
    provinces = _provinces()
    if provinces is None:
        return None
    regime = _regime(provinces)
    demo = provinces[0]
    reporter = Official.objects.filter(user__username=COMMUNE_REPORTER).first()
    leader = Official.objects.filter(user__username=COMMUNE_LEADER).first()
    if reporter is not None and reporter.organisation_id == demo.communes[0].pk:
        # The commune's statistics official sends and signs its reports.
        _role(reporter, ("reporter",), demo.communes[0])
    else:
        reporter = leader = None
    run = _Run(regime)
    periods = _periods(regime)
    for period in periods:
        for province in provinces:
            for commune in province.communes:
                own = reporter is not None and commune.pk == demo.communes[0].pk
                run.report(
                    commune,
                    period,
                    COMMUNE_INDICATORS,
                    sender=reporter if own else province.official,
                    # The signature of the demo commune's latest report (the drill-down's).
                    signer=reporter if own and period == periods[-1] else None,
                )
                run.act("approve", commune, period, leader if own else province.official, APPROVED)
                if period == periods[-1]:  # the province accepts the latest month's approvals
                    run.act("accept", commune, period, province.official, ACCEPTED)
            run.report(
                province.organisation,
                period,
                PROVINCE_INDICATORS,
                sender=province.official,
                signer=province.official if province is demo and period == periods[-1] else None,
            )
            run.act("approve", province.organisation, period, province.official, APPROVED)
    year, number = periods[-1]
    return (
        f"  Reports: {regime.name}, {len(periods)} months ({number:02d}/{year} the latest), "
        f"{sum(len(p.communes) + 1 for p in provinces)} organisations: {run.sent} sent, "
        f"{run.signed} signed, {run.approved} approved now.\n"
        f"  official       /accounts/login/  user {PROVINCE_OFFICIAL[0]}"
        f"  password {DEMO_OFFICIAL_PASSWORD}  (reports and approves for {demo.organisation.name}:"
        f" /reporting/dashboard/{demo.organisation.code}/)\n"
        "  the command centre: /reporting/dashboard/ (the nation) for quantri, vpcp or"
        " btc_theodoi; motcua and lanhdao send, sign and approve their commune's reports"
    )
