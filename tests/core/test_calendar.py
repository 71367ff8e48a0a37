"""The working calendar: properties on in-memory calendars, named cases, overrides, the CLI."""

import functools
from datetime import date, datetime, time, timedelta
from io import StringIO

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from egov.core.calendar import (
    TIMEZONE,
    CalendarError,
    Unit,
    WorkingCalendar,
    due,
    working_time_between,
)
from egov.core.models import AuditEntry, CalendarOverride
from egov.core.services import calendar as calendar_services
from egov.core.services.organisations import (
    OrganisationData,
    create_organisation,
    update_organisation,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in their English source form."""
    with translation.override("en"):
        yield


FAST = settings(max_examples=200, deadline=None)
H = timedelta(hours=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TIMEZONE)


# In-memory calendars (no database) and an independent description of each, for the oracle.
SPECS = {
    "nationwide": {"office_hours": [["07:00", "11:30"], ["13:30", "17:00"]]},
    "custom": {
        "office_hours": [["08:00", "12:00"], ["13:00", "15:30"], ["16:00", "18:15"]],
        "days_off": [date(2026, 3, 2), date(2025, 6, 10)],
        "working_days": [date(2026, 3, 7), date(2025, 6, 15)],
    },
}
CALENDARS = {name: WorkingCalendar(**spec) for name, spec in SPECS.items()}
VN = holidays.VN(years=range(2024, 2030))


def oracle_working_day(name: str, day: date) -> bool:
    spec = SPECS[name]
    if day in spec.get("days_off", ()):
        return False
    if day in spec.get("working_days", ()):
        return True
    if day in VN:
        return False
    return day.weekday() < 5 or day in VN.weekend_workdays


@functools.cache
def oracle_periods(name: str, day: date) -> list[tuple[datetime, datetime]]:
    if not oracle_working_day(name, day):
        return []
    return [
        (at(f"{day}T{start}"), at(f"{day}T{end}")) for start, end in SPECS[name]["office_hours"]
    ]


clock_marks = st.sampled_from(
    [
        "00:00",
        "06:59",
        "07:00",
        "08:00",
        "11:30",
        "12:00",
        "13:00",
        "13:30",
        "16:00",
        "17:00",
        "18:15",
        "23:59",
    ]
)
instants = st.one_of(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 6, 30)).map(
        lambda d: d.replace(second=0, microsecond=0, tzinfo=TIMEZONE)
    ),
    # Instants on period boundaries, where off-by-one mistakes live.
    st.builds(
        lambda day, mark: datetime.combine(day, time.fromisoformat(mark), TIMEZONE),
        st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)),
        clock_marks,
    ),
)
# Up to 300 working days of 8 h, in minutes; plus exact multiples of a day's office time.
amounts = st.one_of(
    st.integers(min_value=0, max_value=300 * 8 * 60).map(lambda m: timedelta(minutes=m)),
    st.integers(min_value=0, max_value=300).map(lambda n: n * 8 * H),
)
calendar_names = st.sampled_from(sorted(CALENDARS))


# Properties ------------------------------------------------------------------------------------


@FAST
@given(calendar_names, instants, amounts, amounts)
def test_add_is_monotone_in_the_amount(name, t, a, b):
    cal = CALENDARS[name]
    low, high = sorted([a, b])
    assert cal.add(t, low) <= cal.add(t, high)


@FAST
@given(calendar_names, instants, instants, amounts)
def test_add_is_monotone_in_the_start(name, t1, t2, a):
    cal = CALENDARS[name]
    early, late = sorted([t1, t2])
    assert cal.add(early, a) <= cal.add(late, a)


@FAST
@given(calendar_names, instants, amounts, amounts)
def test_add_composes(name, t, a, b):
    cal = CALENDARS[name]
    assert cal.add(cal.add(t, a), b) == cal.add(t, a + b)


@FAST
@given(calendar_names, instants, amounts)
def test_add_never_lands_on_a_day_off_or_outside_office_hours(name, t, a):
    result = CALENDARS[name].add(t, a)
    assert result.tzinfo is not None and result.utcoffset() == 7 * H
    periods = oracle_periods(name, result.date())
    assert periods, f"{result} is on a day off"
    assert any(start <= result <= end for start, end in periods)


@FAST
@given(calendar_names, instants, amounts)
def test_between_inverts_add(name, t, a):
    cal = CALENDARS[name]
    assert cal.between(t, cal.add(t, a)) == a


@FAST
@given(
    calendar_names,
    instants,
    st.integers(min_value=0, max_value=400 * 24 * 60),
    st.integers(min_value=1, max_value=8 * 60),
)
def test_add_inverts_between_inside_working_time(name, t, minutes, step):
    cal = CALENDARS[name]
    # Build u inside working time, in (open, close] of some period, instead of filtering random
    # instants (three in four fall outside office hours, which starves Hypothesis). The oracle,
    # built straight from holidays.VN, confirms where u lies.
    u = cal.add(t + timedelta(minutes=minutes), timedelta(minutes=step))
    assert any(start < u <= end for start, end in oracle_periods(name, u.date()))
    assert cal.add(t, cal.between(t, u)) == u


@FAST
@given(calendar_names, instants, instants, instants)
def test_between_is_additive(name, a, b, c):
    cal = CALENDARS[name]
    a, b, c = sorted([a, b, c])
    assert cal.between(a, c) == cal.between(a, b) + cal.between(b, c)
    assert cal.between(c, a) == timedelta(0)


def brute_force_add(name: str, t: datetime, amount: timedelta) -> datetime:
    """Walk minute by minute: the reference the fast implementation must agree with."""

    def working_minute(m: datetime) -> bool:
        return any(start <= m < end for start, end in oracle_periods(name, m.date()))

    def at_close(m: datetime) -> bool:
        return any(end == m for _start, end in oracle_periods(name, m.date()))

    minute = timedelta(minutes=1)
    m = t
    if amount == timedelta(0):
        if at_close(m):
            return m
        while not working_minute(m):
            m += minute
        return m
    remaining = amount
    while True:
        if working_minute(m):
            remaining -= minute
            if remaining == timedelta(0):
                return m + minute
        m += minute


@settings(max_examples=60, deadline=None)
@given(
    calendar_names,
    st.one_of(instants, st.just(at("2026-02-13T16:00")), st.just(at("2026-08-28T16:30"))),
    st.integers(min_value=0, max_value=20 * 60).map(lambda m: timedelta(minutes=m)),
)
def test_add_agrees_with_a_minute_by_minute_walk(name, t, a):
    assert CALENDARS[name].add(t, a) == brute_force_add(name, t, a)


# Named cases -----------------------------------------------------------------------------------

NATIONWIDE = CALENDARS["nationwide"]


@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected", "why"),
    [
        ("2026-02-13T16:00", 3, Unit.WORKING_DAYS, "2026-02-25T16:00", "Tết: 16–20 Feb off"),
        ("2026-02-13T16:00", 2, Unit.WORKING_DAYS, "2026-02-24T16:00", "Tết"),
        ("2026-02-13T16:00", 1, Unit.WORKING_HOURS, "2026-02-13T17:00", "Tết, same day"),
        ("2026-02-13T16:00", 2, Unit.WORKING_HOURS, "2026-02-23T08:00", "Tết"),
        ("2026-04-29T10:00", 1, Unit.WORKING_DAYS, "2026-05-04T10:00", "30/4 and 1/5 off"),
        ("2026-04-24T10:00", 1, Unit.WORKING_DAYS, "2026-04-28T10:00", "27/4 observed"),
        ("2026-08-28T10:00", 1, Unit.WORKING_DAYS, "2026-09-03T10:00", "31/8, 1–2/9 off"),
        ("2026-08-21T10:00", 1, Unit.WORKING_DAYS, "2026-08-22T10:00", "Saturday 22/8 works"),
        ("2026-08-21T16:00", 2, Unit.WORKING_HOURS, "2026-08-22T08:00", "Saturday 22/8 works"),
        ("2026-03-03T12:00", 0, Unit.WORKING_HOURS, "2026-03-03T13:30", "intake at lunch"),
        ("2026-03-03T12:00", 1, Unit.WORKING_HOURS, "2026-03-03T14:30", "intake at lunch"),
        ("2026-03-03T12:00", 1, Unit.WORKING_DAYS, "2026-03-04T11:30", "intake at lunch"),
        ("2026-03-03T18:00", 1, Unit.WORKING_HOURS, "2026-03-04T08:00", "after 17:00"),
        ("2026-03-06T17:30", 1, Unit.WORKING_HOURS, "2026-03-09T08:00", "Friday evening"),
        ("2026-03-03T06:00", 0, Unit.WORKING_DAYS, "2026-03-03T07:00", "before opening"),
        ("2026-03-03T07:00", 1, Unit.WORKING_DAYS, "2026-03-03T17:00", "ends at 17:00"),
        ("2026-03-03T13:30", 3.5, Unit.WORKING_HOURS, "2026-03-03T17:00", "ends at 17:00"),
        ("2026-03-03T17:00", 0, Unit.WORKING_DAYS, "2026-03-03T17:00", "17:00 is in office"),
        ("2026-03-03T17:00", 1, Unit.WORKING_DAYS, "2026-03-04T17:00", "from the close"),
        ("2026-03-03T09:15", 0.5, Unit.WORKING_DAYS, "2026-03-03T15:15", "half a day"),
        ("2026-03-02T09:00", 1, Unit.CALENDAR_DAYS, "2026-03-03T09:00", "calendar days"),
        ("2026-03-02T09:00", 5, Unit.CALENDAR_DAYS, "2026-03-09T17:00", "lands on Saturday"),
        ("2026-02-13T09:00", 3, Unit.CALENDAR_DAYS, "2026-02-23T17:00", "lands in Tết"),
        ("2026-03-07T09:00", 0, Unit.CALENDAR_DAYS, "2026-03-09T17:00", "start on Saturday"),
    ],
)
def test_named_deadlines(start, amount, unit, expected, why):
    assert NATIONWIDE.due(at(start), amount, unit) == at(expected), why


def test_between_counts_office_time_only():
    assert NATIONWIDE.between(at("2026-02-13T08:00"), at("2026-02-23T12:00")) == 11.5 * H
    assert NATIONWIDE.between(at("2026-03-03T11:00"), at("2026-03-03T14:00")) == H
    assert NATIONWIDE.between(at("2026-03-03T14:00"), at("2026-03-03T11:00")) == timedelta(0)


def test_other_time_zones_are_converted():
    start = datetime.fromisoformat("2026-02-13T09:00+00:00")  # 16:00 in Hà Nội
    result = NATIONWIDE.due(start, 3, Unit.WORKING_DAYS)
    assert result == at("2026-02-25T16:00")
    assert result.isoformat() == "2026-02-25T16:00:00+07:00"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: NATIONWIDE.due(at("2026-03-03T09:00"), -1, Unit.WORKING_DAYS), "negative"),
        (lambda: NATIONWIDE.add(at("2026-03-03T09:00"), -H), "negative"),
        (lambda: NATIONWIDE.due(datetime(2026, 3, 3, 9), 1, Unit.WORKING_DAYS), "time zone"),
        (lambda: NATIONWIDE.between(datetime(2026, 3, 3, 9), at("2026-03-04T09:00")), "zone"),
        (lambda: NATIONWIDE.due(at("1999-12-31T09:00"), 1, Unit.WORKING_DAYS), "2000–2099"),
        (lambda: NATIONWIDE.due(at("2099-12-31T09:00"), 5, Unit.WORKING_DAYS), "2000–2099"),
        (lambda: NATIONWIDE.due(at("2099-12-30T09:00"), 9, Unit.CALENDAR_DAYS), "2000–2099"),
        (lambda: NATIONWIDE.due(at("2026-03-03T09:00"), 1.5, Unit.CALENDAR_DAYS), "whole"),
        (lambda: NATIONWIDE.due(at("2026-03-03T09:00"), "3", Unit.WORKING_DAYS), "number"),
        (lambda: NATIONWIDE.due(at("2026-03-03T09:00"), float("nan"), "working_days"), "finite"),
        (lambda: NATIONWIDE.due(at("2026-03-03T09:00"), 1, "fortnights"), "Unknown unit"),
        (lambda: WorkingCalendar(office_hours=[["13:00", "12:00"]]), "in order"),
        (lambda: WorkingCalendar(office_hours=[["7h", "12:00"]]), "pairs"),
        (lambda: WorkingCalendar(years=(1999, 2026)), "2000–2099"),
    ],
)
def test_bad_input_is_refused_with_a_sentence(call, message):
    with pytest.raises(CalendarError, match=message):
        call()


def test_a_smaller_year_range_refuses_days_beyond_it():
    cal = WorkingCalendar(years=(2026, 2026))
    assert cal.due(at("2026-12-30T09:00"), 1, Unit.WORKING_DAYS) == at("2026-12-31T09:00")
    with pytest.raises(CalendarError, match="2026–2026"):
        cal.due(at("2026-12-31T09:00"), 1, Unit.WORKING_DAYS)


# Organisations and overrides (database) -----------------------------------------------------


def make_org(code, level="province", parent=None):
    return create_organisation(
        OrganisationData(code=code, name=f"Unit {code}", level=level, parent=parent)
    )


@pytest.fixture
def tree(db):
    province = make_org("000.00.00.H99")
    commune = make_org("000.00.01.H99", level="commune", parent=province)
    other = make_org("000.00.00.H98")
    return province, commune, other


def test_module_functions_use_the_nationwide_calendar(db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert due(at("2026-02-13T16:00"), 3, Unit.WORKING_DAYS) == at("2026-02-25T16:00")
    assert working_time_between(at("2026-02-13T16:00"), at("2026-02-23T08:00")) == 2 * H


def test_an_organisation_with_its_own_office_hours(tree):
    province, commune, other = tree
    hours = [["07:30", "11:30"], ["13:00", "16:30"]]  # 7.5 h
    province = update_organisation(province, office_hours=hours)
    commune.refresh_from_db()
    start = at("2026-03-03T16:00")
    for org in (province, commune):  # the commune inherits its province's hours
        assert due(start, 1, Unit.WORKING_HOURS, org) == at("2026-03-04T08:00")
        assert due(start, 1, Unit.WORKING_DAYS, org) == at("2026-03-04T16:00")
        assert due(at("2026-03-03T16:45"), 0, Unit.WORKING_DAYS, org) == at("2026-03-04T07:30")
        assert working_time_between(at("2026-03-03T00:00"), at("2026-03-04T00:00"), org) == (
            7.5 * H
        )
    assert due(start, 1, Unit.WORKING_HOURS, other) == at("2026-03-03T17:00")
    assert due(start, 1, Unit.WORKING_HOURS) == at("2026-03-03T17:00")


def test_a_nationwide_override(tree):
    province, commune, other = tree
    calendar_services.add_override(
        date=date(2026, 3, 4), kind="day_off", reason="Extra day off (decision 1/2026)"
    )
    calendar_services.add_override(
        date=date(2026, 3, 7), kind="working_day", reason="Swap for 4 March"
    )
    for org in (None, province, commune, other):
        assert due(at("2026-03-03T10:00"), 1, Unit.WORKING_DAYS, org) == at("2026-03-05T10:00")
        assert due(at("2026-03-06T10:00"), 1, Unit.WORKING_DAYS, org) == at("2026-03-07T10:00")


def test_an_override_applies_to_the_organisations_subtree_only(tree, django_assert_max_num_queries):
    province, commune, other = tree
    calendar_services.add_override(
        date=date(2026, 3, 4),
        kind="day_off",
        reason="Provincial anniversary",
        organisation=province,
    )
    start, next_day, day_after = (
        at("2026-03-03T10:00"),
        at("2026-03-04T10:00"),
        at("2026-03-05T10:00"),
    )
    assert due(start, 1, Unit.WORKING_DAYS, province) == day_after
    with django_assert_max_num_queries(2):  # ancestors' hours, overrides: not one per day
        assert due(start, 1, Unit.WORKING_DAYS, commune) == day_after
    assert due(start, 1, Unit.WORKING_DAYS, other) == next_day
    assert due(start, 1, Unit.WORKING_DAYS) == next_day
    # The most specific row wins: the commune works on its province's day off.
    calendar_services.add_override(
        date=date(2026, 3, 4), kind="working_day", reason="Commune works", organisation=commune
    )
    assert due(start, 1, Unit.WORKING_DAYS, commune) == next_day
    assert due(start, 1, Unit.WORKING_DAYS, province) == day_after


def test_overrides_are_audited_and_removable(db):
    override = calendar_services.add_override(
        date=date(2026, 3, 4), kind="day_off", reason="Extra day off", actor="user:7"
    )
    entry = AuditEntry.objects.get(action="calendar.override.add")
    assert entry.object_id == str(override.pk)
    assert entry.actor == "user:7"
    assert entry.summary["date"] == "2026-03-04" and entry.summary["kind"] == "day_off"
    assert due(at("2026-03-03T10:00"), 1, Unit.WORKING_DAYS) == at("2026-03-05T10:00")

    calendar_services.remove_override(override, actor="user:7")
    assert not CalendarOverride.objects.exists()
    removed = AuditEntry.objects.get(action="calendar.override.remove")
    assert removed.object_id == str(override.pk)
    assert due(at("2026-03-03T10:00"), 1, Unit.WORKING_DAYS) == at("2026-03-04T10:00")
    with pytest.raises(ValidationError, match="no longer exists"):
        calendar_services.remove_override(override)


@pytest.mark.parametrize(
    ("day", "kind", "message"),
    [
        (date(1999, 12, 31), "day_off", "2000–2099"),
        (date(2100, 1, 4), "day_off", "2000–2099"),
        (date(2026, 3, 3), "working_day", "already a working day"),
        (date(2026, 8, 22), "working_day", "already a working day"),  # the swapped Saturday
        (date(2026, 3, 8), "day_off", "already a day off"),  # a Sunday
        (date(2026, 9, 2), "day_off", "already a day off"),  # National Day
        (date(2026, 3, 3), "holiday", "kind"),
    ],
)
def test_override_validation(db, day, kind, message):
    with pytest.raises(ValidationError, match=message):
        calendar_services.add_override(date=day, kind=kind, reason="Test")
    assert not CalendarOverride.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="calendar.").exists()


def test_override_needs_a_reason_and_no_duplicate(tree):
    province = tree[0]
    with pytest.raises(ValidationError, match="reason"):
        calendar_services.add_override(date=date(2026, 3, 4), kind="day_off", reason="  ")
    calendar_services.add_override(
        date=date(2026, 3, 4), kind="day_off", reason="First", organisation=province
    )
    with pytest.raises(ValidationError, match="already an override"):
        calendar_services.add_override(
            date=date(2026, 3, 4), kind="day_off", reason="Again", organisation=province
        )
    # The same date nationwide is another calendar (and is still a working day nationwide).
    calendar_services.add_override(date=date(2026, 3, 4), kind="day_off", reason="Nationwide")
    assert CalendarOverride.objects.count() == 2


# Command line ----------------------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue().strip()


def test_cli_due_and_between(tree):
    assert run("due", "--from", "2026-02-13T16:00", "--working-days", "3") == (
        "2026-02-25T16:00:00+07:00"
    )
    assert run("due", "--from", "2026-02-13T09:00Z", "--working-hours", "1.5") == (
        "2026-02-23T07:30:00+07:00"
    )
    assert run("due", "--from", "2026-03-02T09:00", "--calendar-days", "5") == (
        "2026-03-09T17:00:00+07:00"
    )
    assert run("between", "--from", "2026-02-13T08:00", "--to", "2026-02-23T12:00") == "11.5"
    update_organisation(tree[0], office_hours=[["08:00", "12:00"], ["13:00", "17:00"]])
    assert (
        run("due", "--from", "2026-03-03T07:00", "--working-days", "1", "--org", "000.00.01.H99")
        == "2026-03-03T17:00:00+07:00"
    )


def test_cli_override_add(tree):
    output = run(
        "override",
        "add",
        "--date",
        "2026-03-04",
        "--kind",
        "day_off",
        "--reason",
        "Anniversary",
        "--org",
        "000.00.00.H99",
    )
    assert "2026-03-04" in output
    override = CalendarOverride.objects.get()
    assert override.organisation == tree[0] and override.kind == "day_off"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["due", "--from", "2026-02-13T16:00", "--working-days", "-3"], "negative"),
        (["due", "--from", "13/02/2026", "--working-days", "3"], "not a date and time"),
        (["due", "--from", "2026-02-13T16:00", "--working-hours", "three"], "not a number"),
        (["due", "--from", "1999-02-13T16:00", "--working-days", "3"], "2000–2099"),
        (
            ["due", "--from", "2026-02-13", "--working-days", "3", "--org", "000.00.00.H01"],
            "No organisation",
        ),
        (
            ["due", "--from", "2026-02-13", "--working-days", "3", "--calendar-days", "3"],
            "not allowed",
        ),
        (
            ["override", "add", "--date", "2026-03-08", "--kind", "day_off", "--reason", "x"],
            "already a day off",
        ),
        (
            ["override", "add", "--date", "8/3/2026", "--kind", "day_off", "--reason", "x"],
            "not a date",
        ),
    ],
)
def test_cli_bad_input_is_a_command_error(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
