"""The indicators: one function per formula key, over the platform's own tables.

Each function takes the period, the indicator's parameters and a ``Scope`` (one organisation's
subtree, or every ranked organisation at once) and says what its denominator is and which of it
counts in the numerator. Two shapes:

- ``Counted``: a denominator queryset and a numerator condition (a ``Q`` within it). The engine
  counts both in one grouped query (by the rows' organisation) for a ranking, or lists them for
  a drill-down: the lists are the same querysets as the counts.
- ``Listed``: rows ``(bucket, key, counts, value)`` made in Python, for the small catalogue
  tables and where the rule needs the calendar (working days): distinct keys per bucket.

A formula whose data lives in an app not in the platform yet answers ``Unavailable``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_noop

from egov.catalog.models import (
    Channel,
    ChannelKind,
    Fee,
    ImplementingAgency,
    OnlineLevel,
    Procedure,
    ProcedureStatus,
    ProcedureVersion,
    RequiredDocument,
    VersionStatus,
)
from egov.core.calendar import TIMEZONE, WorkingCalendar
from egov.core.models import Organisation
from egov.core.models.organisations import Level
from egov.dossiers.models import (
    CitizenDataStoreEntry,
    Dossier,
    DossierComponent,
    Result,
)
from egov.dossiers.models.status import Timeliness
from egov.dossiers.services import deadlines
from egov.exchange.models import DocumentType, OfficialDocument
from egov.payments.models import ONLINE_METHODS, FeeItem, Payment, PaymentStatus, Relief
from egov.petitions.models import Petition, Reaction
from egov.petitions.models import Status as PetitionStatus
from egov.ratings.models import SatisfactionRating
from egov.sync.models import SyncMark

from .periods import Period

NOT_YET = gettext_noop("source not yet available")
NOT_RECORDED = gettext_noop("not recorded by the platform")


class Scope:
    """Which organisations' figures: one organisation and its subtree, or all ranked ones.

    ``bucket(org_id)`` gives the organisation a row is counted for (the requested one, or the
    ranked top-level organisation above it); ``level(bucket)`` says ministry or province.
    """

    def __init__(self, roots: Iterable[Organisation], *, everything: bool = False):
        self.roots = list(roots)
        self.everything = everything
        by_id = {root.pk: root for root in self.roots}
        # Results shared by several formulas within one computation (the catalogue's pairs).
        self.memo: dict[str, object] = {}
        self._level = {root.pk: root.level for root in self.roots}
        if everything:
            # Every organisation belongs to the tree of one top-level organisation: the first id
            # of its path. One query of ids and paths, no join per counted row.
            rows = Organisation.objects.values_list("id", "path")
            self._bucket = {}
            for org_id, path in rows:
                top = int(path.strip("/").split("/")[0])
                if top in by_id:
                    self._bucket[org_id] = top
        else:
            # Some organisations (one, or the ranked ones whose figures moved): their subtrees,
            # one query; each row counts for the root whose path prefixes its organisation's.
            roots_by_path = sorted(self.roots, key=lambda r: -len(r.path))
            within = Q()
            for root in self.roots:
                within |= Q(path__startswith=root.path)
            rows = Organisation.objects.filter(within).values_list("id", "path")
            self._bucket = {}
            for org_id, path in rows:
                root = next(r for r in roots_by_path if path.startswith(r.path))
                self._bucket[org_id] = root.pk

    @classmethod
    def of(cls, organisation: Organisation) -> Scope:
        return cls([organisation])

    def filter(self, qs: QuerySet, field: str) -> QuerySet:
        if self.everything:
            return qs
        # The subtree's ids, not a join on the path: the planner estimates an id list well.
        return qs.filter(**{f"{field}__in": list(self._bucket)})

    def bucket(self, org_id) -> int | None:
        return self._bucket.get(org_id)

    def level(self, bucket: int) -> str:
        return self._level.get(bucket, "")


@dataclass
class Counted:
    denominator: QuerySet  # restricted to the period, not yet to the scope
    numerator: Q
    org_field: str = "organisation"
    # The period's field: lists are read in its order, along its index.
    order: str = "pk"


@dataclass
class Listed:
    model: type
    # (bucket, key, counts in the numerator, value summed in the numerator or None)
    rows: list[tuple[int, int, bool, Decimal | None]]


@dataclass
class Unavailable:
    reason: str


Formula = Callable[[Period, dict, Scope], "Counted | Listed | Totals | Unavailable"]
FORMULAS: dict[str, Formula] = {}


def formula(function: Formula) -> Formula:
    FORMULAS[function.__name__] = function
    return function


# --- the periods' dossiers and procedures --------------------------------------------------------


def received(period: Period) -> QuerySet:
    start, end = period.bounds
    return Dossier.objects.filter(received_at__gte=start, received_at__lt=end)


def finished(period: Period) -> QuerySet:
    return deadlines.finished_between(*period.bounds)


def in_force() -> QuerySet:
    return Procedure.objects.filter(status=ProcedureStatus.ACTIVE, current_version__isnull=False)


def procedure_rows(scope: Scope, qs: QuerySet, counts: Callable[[int], bool]) -> list:
    """(bucket, procedure id, counts) for each procedure and organisation of its agencies."""
    query = scope.filter(qs, "agencies").values_list("agencies", "pk").distinct()
    key = str(query.query)
    if key not in scope.memo:
        scope.memo[key] = list(query)
    pairs = scope.memo[key]
    rows = []
    for org_id, pk in pairs:
        bucket = scope.bucket(org_id)
        if bucket is not None:
            rows.append((bucket, pk, counts(pk), None))
    return rows


# --- publicity ---------------------------------------------------------------------------------


def working_days_before(calendar: WorkingCalendar, day: dt.date, days: int) -> dt.date:
    """The working day ``days`` working days before ``day``."""
    while days > 0:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            days -= 1
    return day


@formula
def announced_on_time(period: Period, params: dict, scope: Scope):
    """1.1: a version published at least 20 (ministry) or 5 (province) working days before it
    takes effect; the publication in the catalogue is the announcement egov records."""
    start, end = period.bounds
    versions = scope.filter(
        ProcedureVersion.objects.exclude(status=VersionStatus.DRAFT).filter(
            published_at__gte=start, published_at__lt=end
        ),
        "publishing_agency",
    ).values_list("publishing_agency_id", "pk", "published_at", "effective_from")
    calendar = WorkingCalendar.for_organisation(None)
    deadlines: dict[tuple[dt.date, int], dt.date] = {}  # few effective dates, many versions
    rows = []
    for org_id, pk, published_at, effective_from in versions:
        bucket = scope.bucket(org_id)
        if bucket is None:
            continue
        ministry = scope.level(bucket) == Level.CENTRAL
        days = int(params["ministry_days" if ministry else "province_days"])
        published = published_at.astimezone(TIMEZONE).date()
        if (effective_from, days) not in deadlines:
            deadlines[effective_from, days] = working_days_before(calendar, effective_from, days)
        on_time = published <= deadlines[effective_from, days]
        rows.append((bucket, pk, on_time, None))
    return Listed(ProcedureVersion, rows)


def working_days_after(calendar: WorkingCalendar, day: dt.date, days: int) -> dt.date:
    """The working day ``days`` working days after ``day``."""
    while days > 0:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            days -= 1
    return day


def _decision_key(text: str) -> str:
    """A decision's number and notation as written anywhere: "163/QĐ-BTP" (no spaces, upper)."""
    return "".join(text.split()).upper()


@formula
def published_after_announcement(period: Period, params: dict, scope: Scope):
    """1.2: a version published at most 10 (ministry) or 5 (province) working days after its
    announcing decision. The catalogue records the decision's number and notation
    (``published_by_decision``), the document exchange its date: the publishing agency's
    registered decision (QĐ) of that number, the latest one promulgated on or before the
    publication. A version whose decision is not registered in egov is not measured (neither
    on time nor late): N/A when none is."""
    start, end = period.bounds
    versions = list(
        scope.filter(
            ProcedureVersion.objects.exclude(status=VersionStatus.DRAFT)
            .filter(published_at__gte=start, published_at__lt=end)
            .exclude(published_by_decision=""),
            "publishing_agency",
        ).values_list("publishing_agency_id", "pk", "published_at", "published_by_decision")
    )
    decisions: dict[tuple[int, str], list[dt.date]] = defaultdict(list)
    if versions:
        documents = OfficialDocument.objects.filter(
            organisation_id__in={org_id for org_id, *_rest in versions},
            document_type=DocumentType.QD,
            promulgation_date__lt=end.date(),
        ).values_list("organisation_id", "number", "notation", "promulgation_date")
        for org_id, number, notation, day in documents:
            decisions[org_id, _decision_key(f"{number}/{notation}")].append(day)
    calendar = WorkingCalendar.for_organisation(None)
    rows = []
    for org_id, pk, published_at, decision in versions:
        bucket = scope.bucket(org_id)
        published = published_at.astimezone(TIMEZONE).date()
        days = [d for d in decisions.get((org_id, _decision_key(decision)), []) if d <= published]
        if bucket is None or not days:
            continue
        ministry = scope.level(bucket) == Level.CENTRAL
        limit = int(params["ministry_days" if ministry else "province_days"])
        rows.append((bucket, pk, published <= working_days_after(calendar, max(days), limit), None))
    return Listed(ProcedureVersion, rows)


def complete_record() -> Q:
    """Every part a procedure record must publish (Decree 63/2010, Circular 02/2017/TT-VPCP)."""
    version = OuterRef("current_version")
    return (
        ~Q(current_version__name="")
        & Q(Exists(ProcedureVersion.sectors.through.objects.filter(procedureversion=version)))
        & ~Q(current_version__levels=[])
        & ~Q(current_version__steps=[])
        & ~Q(current_version__results=[])
        & ~Q(current_version__legal_basis=[])
        & Q(Exists(ImplementingAgency.objects.filter(version=version)))
        & Q(Exists(RequiredDocument.objects.filter(version=version)))
        & Q(Exists(Channel.objects.filter(version=version, time_limit__isnull=False)))
    )


@formula
def records_complete(period, params, scope):
    """1.3: procedures in force whose record has every required part (not by period)."""
    complete = set(in_force().filter(complete_record()).values_list("pk", flat=True))
    return Listed(Procedure, procedure_rows(scope, in_force(), complete.__contains__))


@formula
def dossiers_synced(period, params, scope):
    """1.4: dossiers received in the period that the national portal has acknowledged (the
    sync's mark, set when a send succeeded). An instance that does not sync scores 0 here, as
    it would on the national side, which sees none of its dossiers."""
    synced = SyncMark.objects.filter(dossier=OuterRef("pk"))
    return Counted(received(period), Q(Exists(synced)), order="received_at")


# --- progress ----------------------------------------------------------------------------------


@formula
def handled_on_time(period, params, scope):
    """2.1: finished early or on time. The due time already moved by the paused (supplement)
    time; more than ``max_supplements`` supplement requests counts as late. The rule is the
    dossiers app's (``deadlines.finished_on_time``), which reporting's on-time rate reads too."""
    # An expression, not an annotation: the denominator stays the plain "finished" queryset,
    # so that the engine counts every indicator over it in one query.
    limit = params.get("max_supplements", deadlines.MAX_SUPPLEMENTS)
    return Counted(finished(period), deadlines.finished_on_time(limit), order="processed_at")


class WorkingDays:
    """Working days between two dates on the national calendar, by a running count per day."""

    def __init__(self):
        self.calendar = WorkingCalendar.for_organisation(None)
        self.ordinal: dict[dt.date, int] = {}

    def _fill(self, first: dt.date, last: dt.date) -> None:
        # Recounted over the whole range known so far: ordinals must share one origin.
        self.ordinal = {}
        count = 0
        day = first
        while day <= last:
            if self.calendar.is_working_day(day):
                count += 1
            self.ordinal[day] = count
            day += dt.timedelta(days=1)

    def ordinal_of(self, day: dt.date) -> int:
        if day not in self.ordinal:
            known = [day, *(list(self.ordinal)[:1] + list(self.ordinal)[-1:])]
            self._fill(min(known) - dt.timedelta(days=31), max(known) + dt.timedelta(days=31))
        return self.ordinal[day]


@dataclass
class Totals:
    """A sum and a count per bucket, over the rows of ``queryset`` (an average's parts)."""

    queryset: QuerySet
    org_field: str
    totals: dict[int, tuple[Decimal, int]]


@formula
def average_handling_time(period, params, scope):
    """2.2: working days from reception to processing, minus the paused working time (in
    working days of the calendar's day length), per finished dossier. Information: no points.

    One query grouped by organisation and the two local days: each group's working days are
    the difference of the days' ordinals on the national calendar, times its dossiers."""
    qs = scope.filter(finished(period).filter(received_at__isnull=False), "organisation")
    days = WorkingDays()
    day_length = Decimal(days.calendar.day_length.total_seconds())
    totals: dict[int, list] = defaultdict(lambda: [Decimal(0), 0])
    grouped = (
        qs.values(
            "organisation_id",
            done=TruncDate("processed_at", tzinfo=TIMEZONE),
            came=TruncDate("received_at", tzinfo=TIMEZONE),
        )
        .annotate(n=Count("pk"), paused=Sum("paused_total"))
        .order_by()
    )
    for row in grouped:
        bucket = scope.bucket(row["organisation_id"])
        if bucket is None:
            continue
        spent = row["n"] * (days.ordinal_of(row["done"]) - days.ordinal_of(row["came"]))
        paused = Decimal(row["paused"].total_seconds()) / day_length if row["paused"] else 0
        totals[bucket][0] += spent - paused
        totals[bucket][1] += row["n"]
    return Totals(
        qs,
        "organisation",
        {b: (total.quantize(Decimal("0.01")), n) for b, (total, n) in totals.items()},
    )


# --- online services ---------------------------------------------------------------------------

ONLINE = (OnlineLevel.FULL, OnlineLevel.PARTIAL)


@formula
def offered_online(period, params, scope):
    """3.1: procedures in force offered fully or partly online."""
    online = set(in_force().filter(online_level__in=ONLINE).values_list("pk", flat=True))
    return Listed(Procedure, procedure_rows(scope, in_force(), online.__contains__))


@formula
def online_with_dossiers(period, params, scope):
    """3.2: of the procedures offered online, those with a dossier received online in the
    period by the same organisation's subtree."""
    with_dossiers = set()
    dossiers = scope.filter(
        received(period).filter(channel__kind=ChannelKind.ONLINE), "organisation"
    )
    for org_id, procedure_id in dossiers.values_list(
        "organisation_id", "procedure_version__procedure_id"
    ).distinct():
        with_dossiers.add((scope.bucket(org_id), procedure_id))
    rows = procedure_rows(scope, in_force().filter(online_level__in=ONLINE), lambda pk: False)
    return Listed(
        Procedure, [(b, pk, (b, pk) in with_dossiers, None) for b, pk, _counts, _v in rows]
    )


@formula
def online_submissions(period, params, scope):
    """3.3: dossiers received online, counted only once an electronic result was issued."""
    return Counted(
        received(period),
        Q(channel__kind=ChannelKind.ONLINE)
        & Q(Exists(Result.objects.filter(dossier=OuterRef("pk")))),
        order="received_at",
    )


def with_fee() -> QuerySet:
    fees = Fee.objects.filter(channel__version=OuterRef("current_version"), amount_vnd__gt=0)
    return in_force().filter(Exists(fees))


@formula
def fee_procedures_payable(period, params, scope):
    """3.5: procedures with a fee whose online channel carries it (paid through the platform's
    gateways, integrated with the national payment platform)."""
    online_fees = Fee.objects.filter(
        channel__version=OuterRef("current_version"),
        channel__kind=ChannelKind.ONLINE,
        amount_vnd__gt=0,
    )
    payable = set(with_fee().filter(Exists(online_fees)).values_list("pk", flat=True))
    return Listed(Procedure, procedure_rows(scope, with_fee(), payable.__contains__))


@formula
def fee_procedures_paid(period, params, scope):
    """3.5b: procedures with a fee that had an online payment settled in the period."""
    start, end = period.bounds
    paid = set()
    payments = scope.filter(
        Payment.objects.filter(
            status=PaymentStatus.PAID,
            method__in=ONLINE_METHODS,
            settled_at__gte=start,
            settled_at__lt=end,
        ),
        "dossier__organisation",
    )
    for org_id, procedure_id in payments.values_list(
        "dossier__organisation_id", "dossier__procedure_version__procedure_id"
    ).distinct():
        paid.add((scope.bucket(org_id), procedure_id))
    rows = procedure_rows(scope, with_fee(), lambda pk: False)
    return Listed(Procedure, [(b, pk, (b, pk) in paid, None) for b, pk, _c, _v in rows])


def fees_due() -> Q:
    """A fee item left to pay after exemptions and reductions (fee 0 excluded)."""
    items = (
        FeeItem.objects.filter(dossier=OuterRef("pk"), amount_vnd__gt=0)
        .exclude(relief=Relief.EXEMPT)
        .exclude(relief=Relief.REDUCED, relief_vnd__gte=F("amount_vnd"))
    )
    return Q(Exists(items))


@formula
def dossiers_paid_online(period, params, scope):
    """3.6: dossiers with fees due paid through a gateway (VNPay, the national platform)."""
    online = Payment.objects.filter(
        dossier=OuterRef("pk"), status=PaymentStatus.PAID, method__in=ONLINE_METHODS
    )
    return Counted(received(period).filter(fees_due()), Q(Exists(online)), order="received_at")


# --- digitisation ------------------------------------------------------------------------------


@formula
def e_results(period, params, scope):
    """4.1: finished dossiers with an electronic result."""
    return Counted(
        finished(period),
        Q(Exists(Result.objects.filter(dossier=OuterRef("pk")))),
        order="processed_at",
    )


@formula
def digitised(period, params, scope):
    """4.2: dossiers whose every component is digitised (and that have one)."""
    parts = DossierComponent.objects.filter(dossier=OuterRef("pk"))
    return Counted(
        received(period),
        Q(Exists(parts)) & ~Q(Exists(parts.filter(digitised=False))),
        order="received_at",
    )


@formula
def certified_copies(period, params, scope):
    """4.2b: the platform has no electronic certified-copy service."""
    return Unavailable(NOT_YET)


@formula
def reused(period, params, scope):
    """4.3: dossiers with at least one component reusing digitised data."""
    parts = DossierComponent.objects.filter(dossier=OuterRef("pk"), reused=True)
    return Counted(received(period), Q(Exists(parts)), order="received_at")


@formula
def data_store(period, params, scope):
    """4.4: a component taken from the citizen's data store, or the result put into it."""
    taken = DossierComponent.objects.filter(dossier=OuterRef("pk"), reused_from__isnull=False)
    given = CitizenDataStoreEntry.objects.filter(source_dossier=OuterRef("pk"))
    return Counted(received(period), Q(Exists(taken)) | Q(Exists(given)), order="received_at")


@formula
def eid_verified(period, params, scope):
    """4.5: the applicant logged in with the e-ID (a citizen account: VNeID's OpenID Connect)."""
    return Counted(received(period), Q(applicant_citizen__isnull=False), order="received_at")


@formula
def population_data(period, params, scope):
    """4.5a: the catalogue does not record which procedures query the population database."""
    return Unavailable(NOT_YET)


# --- satisfaction ------------------------------------------------------------------------------


def answered(period: Period) -> QuerySet:
    start, end = period.bounds
    return Petition.objects.filter(
        answered_at__gte=start,
        answered_at__lt=end,
        status__in=[PetitionStatus.ANSWERED, PetitionStatus.PUBLISHED],
        merged_into__isnull=True,
    )


@formula
def petitions_on_time(period, params, scope):
    """5.2: petitions answered in the period, on time."""
    return Counted(answered(period), Q(answered_late=False), order="answered_at")


def _reactions(useful: bool) -> Subquery:
    counted = (
        Reaction.objects.filter(petition=OuterRef("pk"), useful=useful)
        .values("petition")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@formula
def petition_satisfaction(period, params, scope):
    """5.3: (answered − mostly "not useful" − answered late) ÷ answered."""
    mostly_useful = LessThanOrEqual(_reactions(False), _reactions(True))
    return Counted(answered(period), Q(answered_late=False) & Q(mostly_useful), order="answered_at")


@formula
def procedure_satisfaction(period, params, scope):
    """5.4: 100 % − (overdue rate + rate with a petition or a dislike), over the dossiers
    finished in the period: the numerator is those finished early or on time, about which no
    petition was sent and no applicant said "not satisfied". A dossier both late and disliked
    is counted once (the Decision's sum of rates would subtract it twice)."""
    complained = Petition.objects.filter(dossier=OuterRef("pk"))
    disliked = SatisfactionRating.objects.filter(dossier=OuterRef("pk"), disliked=True)
    return Counted(
        finished(period),
        Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME])
        & ~Q(Exists(complained))
        & ~Q(Exists(disliked)),
        order="processed_at",
    )
