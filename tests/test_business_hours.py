"""Business-hours arithmetic (portal.routing.hours): examples, validation, and properties.

No app and no database: the module is pure. The examples pin down the answers SPEC 13 needs
(a Friday message, a weekend one, the daylight saving weekends); the Hypothesis properties
check that adding and measuring business time agree for any zone, days and window, and a
minute-by-minute count of the local clock checks the measure itself.
"""

import math
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.routing.hours import (
    BusinessHours,
    BusinessHoursError,
    add_business_hours,
    business_hours_between,
    due_at,
    is_open,
    warning_at,
)

OFFICE = BusinessHours("Europe/Berlin")  # Monday to Friday, 09:00-17:00
SUNDAY = (6,)
ROUND_THE_CLOCK = dict(days=tuple(range(7)), start="00:00", end="24:00")
MICROSECOND = timedelta(microseconds=1)
TOLERANCE = 1e-6  # hours: far above microsecond rounding, far below anything that matters


def local(zone: str, *args: int, fold: int = 0) -> datetime:
    """The naive-UTC moment at which the clock in `zone` shows the given wall time."""
    wall = datetime(*args, tzinfo=ZoneInfo(zone), fold=fold)
    return wall.astimezone(UTC).replace(tzinfo=None)


def hours(delta: timedelta) -> float:
    return delta / timedelta(hours=1)


# --- Examples ------------------------------------------------------------------------------


def test_friday_afternoon_with_an_eight_hour_target_is_due_monday_afternoon():
    friday = local("Europe/Berlin", 2026, 1, 16, 16)
    assert friday == datetime(2026, 1, 16, 15)
    due = add_business_hours(friday, 8, OFFICE)
    assert due == local("Europe/Berlin", 2026, 1, 19, 16) == datetime(2026, 1, 19, 15)
    assert business_hours_between(friday, due, OFFICE) == 8


def test_summer_time_is_counted_in_local_hours():
    friday = local("Europe/Berlin", 2026, 6, 12, 16)
    assert add_business_hours(friday, 8, OFFICE) == datetime(2026, 6, 15, 14)


def test_a_weekend_message_starts_the_clock_on_monday_morning():
    saturday = local("Europe/Berlin", 2026, 1, 17, 11, 30)
    monday_nine = local("Europe/Berlin", 2026, 1, 19, 9)
    assert add_business_hours(saturday, 0, OFFICE) == monday_nine
    assert add_business_hours(saturday, 1, OFFICE) == monday_nine + timedelta(hours=1)
    assert business_hours_between(saturday, monday_nine, OFFICE) == 0
    assert not is_open(saturday, OFFICE)
    assert is_open(monday_nine, OFFICE)


def test_zero_hours_is_the_start_when_open_and_the_next_opening_when_closed():
    wednesday_ten = local("Europe/Berlin", 2026, 1, 14, 10)
    assert add_business_hours(wednesday_ten, 0, OFFICE) == wednesday_ten
    closing = local("Europe/Berlin", 2026, 1, 14, 17)
    assert not is_open(closing, OFFICE)
    assert add_business_hours(closing, 0, OFFICE) == local("Europe/Berlin", 2026, 1, 15, 9)
    early = local("Europe/Berlin", 2026, 1, 14, 6)
    assert add_business_hours(early, 0, OFFICE) == local("Europe/Berlin", 2026, 1, 14, 9)


def test_a_target_used_up_at_closing_time_is_due_at_closing_time():
    wednesday_nine = local("Europe/Berlin", 2026, 1, 14, 9)
    assert add_business_hours(wednesday_nine, 8, OFFICE) == local("Europe/Berlin", 2026, 1, 14, 17)
    assert add_business_hours(wednesday_nine, 16, OFFICE) == local("Europe/Berlin", 2026, 1, 15, 17)


@pytest.mark.parametrize(
    "zone, friday, monday",
    [
        # Berlin springs forward on 29 March 2026 and falls back on 25 October.
        ("Europe/Berlin", (2026, 3, 27), (2026, 3, 30)),
        ("Europe/Berlin", (2026, 10, 23), (2026, 10, 26)),
        # New York: 8 March and 1 November 2026.
        ("America/New_York", (2026, 3, 6), (2026, 3, 9)),
        ("America/New_York", (2026, 10, 30), (2026, 11, 2)),
    ],
)
def test_office_hours_across_the_daylight_saving_weekends(zone, friday, monday):
    bh = BusinessHours(zone)
    start = local(zone, *friday, 16)
    due = add_business_hours(start, 8, bh)
    assert due == local(zone, *monday, 16)
    # The wall clock moved, so the UTC moments are 71 or 73 hours apart, not 72.
    assert hours(due - start) in (71, 73)
    assert business_hours_between(start, due, bh) == 8


@pytest.mark.parametrize(
    "zone, window, spring, autumn, spring_hours, autumn_hours",
    [
        # The window holds the jump: it lasts the real time that passes in it.
        ("Europe/Berlin", ("01:00", "05:00"), (2026, 3, 29), (2026, 10, 25), 3, 5),
        ("America/New_York", ("00:00", "04:00"), (2026, 3, 8), (2026, 11, 1), 3, 5),
        ("Australia/Lord_Howe", ("01:00", "03:00"), (2026, 10, 4), (2026, 4, 5), 1.5, 2.5),
        ("America/Havana", ("00:00", "02:00"), (2026, 3, 8), (2026, 11, 1), 1, 3),
        # A 09:00-17:00 window never notices.
        ("Europe/Berlin", ("09:00", "17:00"), (2026, 3, 29), (2026, 10, 25), 8, 8),
    ],
)
def test_a_window_on_a_daylight_saving_day_counts_real_time(
    zone, window, spring, autumn, spring_hours, autumn_hours
):
    bh = BusinessHours(zone, SUNDAY, *window)
    for day, expected in ((spring, spring_hours), (autumn, autumn_hours)):
        midnight_utc = datetime(*day) - timedelta(days=1)
        assert business_hours_between(midnight_utc, midnight_utc + timedelta(days=3), bh) == (
            expected
        )


def test_an_opening_time_the_clock_skips_opens_at_the_jump():
    # Berlin, 29 March 2026: 02:00 becomes 03:00, so 02:30 never shows; 01:00 UTC is 03:00.
    bh = BusinessHours("Europe/Berlin", SUNDAY, "02:30", "05:00")
    saturday = datetime(2026, 3, 28, 12)
    assert add_business_hours(saturday, 0, bh) == datetime(2026, 3, 29, 1)
    assert business_hours_between(saturday, datetime(2026, 3, 30), bh) == 2
    # A window wholly inside the skipped hour is empty that day: the clock runs on next week.
    skipped = BusinessHours("Europe/Berlin", SUNDAY, "02:00", "02:30")
    assert business_hours_between(saturday, datetime(2026, 3, 30), skipped) == 0
    assert add_business_hours(saturday, 0.25, skipped) == local("Europe/Berlin", 2026, 4, 5, 2, 15)


def test_a_boundary_the_clock_shows_twice_opens_at_the_first_and_closes_at_the_second():
    # New York, 1 November 2026: 01:00-02:00 happens twice (EDT, then EST).
    opening = BusinessHours("America/New_York", SUNDAY, "01:30", "03:00")
    saturday = datetime(2026, 10, 31, 12)
    first_half_past_one = local("America/New_York", 2026, 11, 1, 1, 30, fold=0)
    assert first_half_past_one == datetime(2026, 11, 1, 5, 30)
    assert add_business_hours(saturday, 0, opening) == first_half_past_one
    assert business_hours_between(saturday, datetime(2026, 11, 2), opening) == 2.5

    closing = BusinessHours("America/New_York", SUNDAY, "00:00", "01:30")
    second_half_past_one = local("America/New_York", 2026, 11, 1, 1, 30, fold=1)
    assert second_half_past_one == datetime(2026, 11, 1, 6, 30)
    assert add_business_hours(saturday, 2.5, closing) == second_half_past_one
    assert business_hours_between(saturday, datetime(2026, 11, 2), closing) == 2.5


def test_midnight_at_the_end_of_the_day_is_its_first_showing():
    # Havana, 1 November 2026: at 01:00 the clock goes back to 00:00, so Sunday's first hour
    # happens twice. Saturday's "24:00" is the first 00:00: the repeat belongs to Sunday.
    saturday = BusinessHours("America/Havana", (5,), "00:00", "24:00")
    weekend = BusinessHours("America/Havana", (5, 6), "00:00", "24:00")
    span = (datetime(2026, 10, 30), datetime(2026, 11, 3))
    assert business_hours_between(*span, saturday) == 24
    assert business_hours_between(*span, weekend) == 24 + 25


@pytest.mark.parametrize(
    "zone", ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago"]
)
def test_round_the_clock_is_plain_elapsed_time_whatever_the_clock_does(zone):
    bh = BusinessHours(zone, **ROUND_THE_CLOCK)
    for start in (datetime(2026, 3, 27, 13, 7), datetime(2026, 10, 23, 22, 59)):
        assert is_open(start, bh)
        for target in (0, 0.5, 24, 71.25, 24 * 14):
            assert add_business_hours(start, target, bh) == start + timedelta(hours=target)
    # The year 2026 whole: 365 days of 24 real hours, clocks turned or not.
    year = business_hours_between(datetime(2026, 1, 1), datetime(2027, 1, 1), bh)
    assert year == 365 * 24


def test_a_day_ending_at_23_59_leaves_a_minute_out():
    bh = BusinessHours("UTC", tuple(range(7)), "00:00", "23:59")
    assert business_hours_between(datetime(2026, 1, 1), datetime(2026, 1, 2), bh) == 23 + 59 / 60


def test_ten_thousand_hours_are_quick_even_for_a_sparse_team():
    bh = BusinessHours("America/New_York", (2,), "10:00", "11:00")  # one hour a week
    started = time.perf_counter()
    due = add_business_hours(datetime(2026, 1, 1), 10_000, bh)
    assert business_hours_between(datetime(2026, 1, 1), due, bh) == 10_000
    assert time.perf_counter() - started < 5  # about 0.25 s; generous for a shared machine
    office_due = add_business_hours(datetime(2026, 1, 1), 10_000, OFFICE)
    assert office_due.year == 2030


def test_due_at():
    friday = local("Europe/Berlin", 2026, 1, 16, 16)
    assert due_at(friday, None, OFFICE) is None
    assert due_at(friday, None, None) is None
    assert due_at(friday, 8, None) == friday + timedelta(hours=8)
    assert due_at(friday, 8, OFFICE) == add_business_hours(friday, 8, OFFICE)
    assert due_at(friday, 0, OFFICE) == friday
    assert due_at(local("Europe/Berlin", 2026, 1, 17, 9), 0, OFFICE) == local(
        "Europe/Berlin", 2026, 1, 19, 9
    )


def test_warning_at_is_eighty_percent_of_the_business_time():
    friday = local("Europe/Berlin", 2026, 1, 16, 16)
    due = due_at(friday, 8, OFFICE)
    # 6.4 of the 8 hours: 1 on Friday, 5.4 on Monday from 09:00, so 14:24.
    assert warning_at(friday, due, OFFICE) == local("Europe/Berlin", 2026, 1, 19, 14, 24)
    assert warning_at(friday, due, OFFICE, fraction=1) == due
    assert warning_at(friday, due, OFFICE, fraction=0) == friday
    assert warning_at(friday, friday + timedelta(hours=10), None) == friday + timedelta(hours=8)
    # Nothing to wait for: the warning is the due moment itself, never after it.
    assert warning_at(friday, friday, OFFICE) == friday
    assert warning_at(friday, friday - timedelta(hours=1), OFFICE) == friday - timedelta(hours=1)
    saturday = local("Europe/Berlin", 2026, 1, 17, 10)
    assert warning_at(saturday, saturday + timedelta(hours=1), OFFICE) == saturday + timedelta(
        hours=1
    )
    with pytest.raises(ValueError):
        warning_at(friday, due, OFFICE, fraction=1.5)


@pytest.mark.parametrize("bad", [-1, -0.001, math.nan, math.inf, "8", True])
def test_hours_must_be_a_finite_number_not_below_zero(bad):
    with pytest.raises((ValueError, TypeError)):
        add_business_hours(datetime(2026, 1, 1), bad, OFFICE)


def test_datetimes_must_be_naive_utc():
    with pytest.raises(ValueError, match="naive"):
        add_business_hours(datetime(2026, 1, 1, tzinfo=UTC), 1, OFFICE)
    with pytest.raises(ValueError, match="naive"):
        business_hours_between(datetime(2026, 1, 1), datetime(2026, 1, 2, tzinfo=UTC), OFFICE)


# --- Validation ----------------------------------------------------------------------------


def test_from_dict_and_to_dict_round_trip():
    data = {"timezone": "America/New_York", "days": [4, 0, 2], "start": "08:30", "end": "24:00"}
    bh = BusinessHours.from_dict(data)
    assert bh == BusinessHours("America/New_York", (0, 2, 4), "08:30", "24:00")
    assert bh.to_dict() == {**data, "days": [0, 2, 4]}
    assert BusinessHours.from_dict(bh.to_dict()) == bh
    assert BusinessHours.from_dict({}) == BusinessHours()
    assert BusinessHours().to_dict() == {
        "timezone": "UTC",
        "days": [0, 1, 2, 3, 4],
        "start": "09:00",
        "end": "17:00",
    }
    assert BusinessHours.from_dict({"timezone": "Asia/Kolkata"}).start == "09:00"


@pytest.mark.parametrize(
    "data, field, words",
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Unknown time zone"),
        ({"timezone": "Europe"}, "timezone", "Unknown time zone"),
        ({"timezone": "../../etc/passwd"}, "timezone", "Unknown time zone"),
        ({"timezone": "/etc/localtime"}, "timezone", "Unknown time zone"),
        ({"timezone": "europe/berlin "}, "timezone", "Unknown time zone"),
        ({"timezone": ""}, "timezone", "IANA name"),
        ({"timezone": None}, "timezone", "IANA name"),
        ({"days": []}, "days", "at least one"),
        ({"days": [0, 7]}, "days", "out of range"),
        ({"days": [-1]}, "days", "out of range"),
        ({"days": [1, 2, 1]}, "days", "Tuesday) is listed twice"),
        ({"days": ["1"]}, "days", "not a weekday number"),
        ({"days": [True]}, "days", "not a weekday number"),
        ({"days": 3}, "days", "a list of weekday numbers"),
        ({"days": "01234"}, "days", "a list of weekday numbers"),
        ({"start": "9:00"}, "start", "HH:MM"),
        ({"start": "24:00", "end": "24:00"}, "start", "HH:MM"),
        ({"start": "12:60"}, "start", "HH:MM"),
        ({"start": "０９:００"}, "start", "HH:MM"),
        ({"start": 900}, "start", "HH:MM"),
        ({"end": "17:00:00"}, "end", "HH:MM"),
        ({"end": "24:01"}, "end", "HH:MM"),
        ({"end": "25:00"}, "end", "HH:MM"),
        ({"start": "17:00", "end": "09:00"}, "end", "must be after start"),
        ({"start": "09:00", "end": "09:00"}, "end", "must be after start"),
        ({"start": "22:00", "end": "06:00"}, "end", "past midnight"),
        ({"start_time": "08:00"}, None, "Unknown business hours field 'start_time'"),
    ],
)
def test_invalid_business_hours_name_the_field(data, field, words):
    with pytest.raises(BusinessHoursError) as caught:
        BusinessHours.from_dict(data)
    assert caught.value.field == field
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_the_constructor_validates_too():
    with pytest.raises(BusinessHoursError) as caught:
        BusinessHours("Nowhere/Special")
    assert caught.value.field == "timezone"
    with pytest.raises(BusinessHoursError):
        BusinessHours.from_dict(["UTC"])  # type: ignore[arg-type]


# --- Properties ----------------------------------------------------------------------------

SETTINGS = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # a 30-minute shift
    "Asia/Kolkata",  # +05:30, no daylight saving
    "America/Santiago",  # shifts at midnight: Saturday 23:00 twice, Sunday 00:00 skipped
    "America/Havana",  # Sunday 00:00-01:00 twice or skipped
]
# Days on which the zones above turn their clocks, so that examples meet them often.
SHIFT_DAYS = [
    datetime(2026, 3, 29),
    datetime(2026, 10, 25),
    datetime(2026, 3, 8),
    datetime(2026, 11, 1),
    datetime(2026, 4, 5),
    datetime(2026, 10, 4),
    datetime(2026, 9, 6),
    datetime(2025, 3, 30),
    datetime(2025, 10, 26),
]


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Boundaries near the small hours, where the clocks turn, come up more often than others.
boundary = st.one_of(
    st.integers(0, 96).map(lambda quarter: quarter * 15),
    st.sampled_from([0, 30, 60, 90, 120, 150, 180, 1380, 1410, 1440]),
    st.integers(0, 1440),
)


@st.composite
def business_hours(draw, zones=ZONES):
    start, end = sorted(draw(st.lists(boundary, min_size=2, max_size=2, unique=True)))
    days = draw(st.sets(st.integers(0, 6), min_size=1))
    return BusinessHours(draw(st.sampled_from(zones)), tuple(days), clock(start), clock(end))


moments = st.one_of(
    st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1)),
    st.builds(
        lambda day, minutes: day + timedelta(minutes=minutes),
        st.sampled_from(SHIFT_DAYS),
        st.integers(-7 * 24 * 60, 2 * 24 * 60),
    ),
)
targets = st.one_of(
    st.floats(0, 120, allow_nan=False),
    st.integers(0, 300),
    st.sampled_from([0.25, 0.5, 1, 8, 24, 40]),
)


def business_gap(a: datetime, b: datetime, bh: BusinessHours) -> float:
    """The business time between two moments, in either order."""
    return business_hours_between(min(a, b), max(a, b), bh)


@SETTINGS
@given(bh=business_hours(), start=moments, target=targets)
def test_measuring_what_was_added_gives_it_back(bh, start, target):
    due = add_business_hours(start, target, bh)
    assert due >= start
    assert math.isclose(business_hours_between(start, due, bh), target, abs_tol=TOLERANCE)


@SETTINGS
@given(bh=business_hours(), start=moments, a=targets, b=targets)
def test_more_hours_are_never_due_sooner(bh, start, a, b):
    low, high = sorted((a, b))
    assert add_business_hours(start, low, bh) <= add_business_hours(start, high, bh)


@SETTINGS
@given(bh=business_hours(), start=moments, a=targets, b=targets)
def test_adding_in_two_steps_is_adding_the_sum(bh, start, a, b):
    middle = add_business_hours(start, a, bh)
    if not (is_open(middle, bh) or b > 0):
        # Zero hours from a closing time is the next opening: the one exception.
        return
    two_steps = add_business_hours(middle, b, bh)
    one_step = add_business_hours(start, a + b, bh)
    # Float hours round to microseconds, so compare in business time, not wall time.
    assert business_gap(two_steps, one_step, bh) <= TOLERANCE


@SETTINGS
@given(bh=business_hours(), start=moments, target=targets)
def test_a_due_moment_is_in_business_hours(bh, start, target):
    due = add_business_hours(start, target, bh)
    if timedelta(hours=target) > timedelta(0):
        # Inside an open window, or exactly at its end: the moment just before was open.
        assert business_hours_between(due - MICROSECOND, due, bh) > 0
    else:
        assert is_open(due, bh)
        assert due == start or not is_open(start, bh)
        assert business_hours_between(start, due, bh) == 0


@SETTINGS
@given(
    bh=business_hours(),
    start=moments,
    steps=st.lists(st.integers(0, 4 * 24 * 60 * 60), min_size=2, max_size=2),
)
def test_measuring_is_additive_over_a_split_point(bh, start, steps):
    middle = start + timedelta(seconds=steps[0])
    end = middle + timedelta(seconds=steps[1])
    whole = business_hours_between(start, end, bh)
    parts = business_hours_between(start, middle, bh) + business_hours_between(middle, end, bh)
    assert math.isclose(whole, parts, abs_tol=1e-9)
    assert business_hours_between(end, start, bh) == 0
    assert whole <= hours(end - start) + 1e-9


@SETTINGS
@given(bh=business_hours(), start=moments, target=targets, fraction=st.floats(0, 1))
def test_the_warning_comes_at_its_fraction_of_the_way(bh, start, target, fraction):
    due = due_at(start, target, bh)
    warning = warning_at(start, due, bh, fraction)
    assert start <= warning <= due or (start > warning == due)
    spent = business_hours_between(start, warning, bh)
    assert math.isclose(spent, fraction * target, abs_tol=TOLERANCE)


@SETTINGS
@given(bh=business_hours())
def test_business_hours_survive_their_json_form(bh):
    assert BusinessHours.from_dict(bh.to_dict()) == bh


# Zones and whole-hour boundaries away from the turning hours (Berlin 02:00-03:00, New York
# 01:00-03:00, Lord Howe 01:30-02:30): there "the clock shows a time inside the window" and
# "the window from the first opening to the last closing" mean the same, so counting
# minutes on the local clock is an independent measure.
plain_boundary = st.sampled_from([0, 4, 5, 8, 9, 12, 13, 17, 18, 20, 23, 24]).map(lambda h: h * 60)


@st.composite
def plain_business_hours(draw):
    start, end = sorted(draw(st.lists(plain_boundary, min_size=2, max_size=2, unique=True)))
    days = draw(st.sets(st.integers(0, 6), min_size=1))
    zone = draw(
        st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"])
    )
    return BusinessHours(zone, tuple(days), clock(start), clock(end))


def minutes_on_the_clock(start: datetime, end: datetime, bh: BusinessHours) -> int:
    """The minutes from `start` to `end` in which the local clock reads inside the window."""
    zone = ZoneInfo(bh.timezone)
    first, last = (int(bh.start[:2]) * 60, int(bh.end[:2]) * 60)
    count = 0
    moment = start.replace(tzinfo=UTC)
    while moment < end.replace(tzinfo=UTC):
        wall = moment.astimezone(zone)
        if wall.weekday() in bh.days and first <= wall.hour * 60 + wall.minute < last:
            count += 1
        moment += timedelta(minutes=1)
    return count


@settings(SETTINGS, max_examples=25)
@given(
    bh=plain_business_hours(),
    day=st.sampled_from(SHIFT_DAYS[:6]),
    offset=st.integers(-4 * 24 * 60, 24 * 60),
    length=st.integers(0, 5 * 24 * 60),
)
def test_measuring_agrees_with_the_local_clock_minute_by_minute(bh, day, offset, length):
    start = day + timedelta(minutes=offset)
    end = start + timedelta(minutes=length)
    assert business_hours_between(start, end, bh) * 60 == pytest.approx(
        minutes_on_the_clock(start, end, bh), abs=1e-6
    )
