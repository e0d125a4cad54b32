"""Business-hours arithmetic for answer targets (SPEC 13): pure, no database.

A team promises a first answer within its target counted in its business hours: local
wall-clock hours on some weekdays in one IANA time zone. Every datetime that goes in or comes
out is naive UTC, the form the database stores (see `portal.timeutil`).

Daylight saving time: business hours are read on the local clock, and a day's window counts
the real time that passes in it. It opens the first moment the clock shows `start` and closes
the last moment it shows `end`. So a 01:00-05:00 window lasts 3 real hours on the day Berlin
springs forward (02:00 -> 03:00) and 5 on the day it falls back (03:00 -> 02:00), while a
09:00-17:00 window never notices. A boundary the clock skips (02:30 on the spring day) falls on
the jump itself; one the clock shows twice opens at the first showing and closes at the
second. Where the windows of neighbouring days would overlap (a zone that turns its clock back
across midnight), the later one starts where the earlier ends: no moment counts twice.

`end` may be "24:00", midnight at the end of the day (the first moment of the next one), so
days 0-6 from 00:00 to 24:00 is round the clock. Overnight hours (22:00-06:00) are not
supported: end comes after start on the same day.

The arithmetic walks whole days, each in constant time, never minute by minute: 10,000 hours
of office hours take some milliseconds, of one hour a week a fraction of a second. Durations
are kept to the microsecond, as datetimes are.
"""

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, NamedTuple, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "BusinessHours",
    "BusinessHoursError",
    "add_business_hours",
    "business_hours_between",
    "due_at",
    "is_open",
    "warning_at",
]

FIELDS = ("timezone", "days", "start", "end")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)
_SECOND = timedelta(seconds=1)


class BusinessHoursError(ValueError):
    """Business hours that cannot be used; `field` names the culprit, None the whole object."""

    def __init__(self, message: str, field: str | None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class BusinessHours:
    """When a team works: `days` (Monday 0 .. Sunday 6) from `start` to `end` in `timezone`."""

    timezone: str = "UTC"
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: str = "09:00"
    end: str = "17:00"

    def __post_init__(self) -> None:
        # Checked here, not only in from_dict, so that no invalid value exists at all.
        _zone(self.timezone)
        object.__setattr__(self, "days", _days(self.days))
        start = _clock(self.start, "start")
        end = _clock(self.end, "end")
        if end <= start:
            raise BusinessHoursError(
                f"End ({self.end}) must be after start ({self.start}) on the same day; "
                "hours that run past midnight are not supported (use 24:00 for midnight).",
                "end",
            )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Business hours from their JSON form; keys left out take the defaults.

        A caller that means "change only the time zone" merges with the current `to_dict()`
        first. Unknown keys are refused rather than ignored, so that a misspelt "start_time"
        does not pass as a change.
        """
        if not isinstance(data, Mapping):
            raise BusinessHoursError(
                "Business hours must be an object with timezone, days, start and end.", None
            )
        unknown = sorted(str(key) for key in data if key not in FIELDS)
        if unknown:
            raise BusinessHoursError(
                f"Unknown business hours field {unknown[0]!r}: use timezone, days, start and end.",
                None,
            )
        return cls(**{key: data[key] for key in FIELDS if key in data})

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as SPEC 13 shows a team's `business_hours`."""
        return {
            "timezone": self.timezone,
            "days": list(self.days),
            "start": self.start,
            "end": self.end,
        }


def add_business_hours(start: datetime, hours: float, bh: BusinessHours) -> datetime:
    """The moment `hours` of business time after `start` have passed.

    The clock starts at the next opening when `start` is outside business hours, so zero hours
    gives that opening (or `start` itself when open). A target used up exactly as a window
    closes gives the closing moment, not the next opening.
    """
    return _add(_naive(start), _duration(hours), bh)


def business_hours_between(start: datetime, end: datetime, bh: BusinessHours) -> float:
    """The business hours from `start` to `end`: 0 when `end` is not after `start`."""
    start, end = _naive(start), _naive(end)
    if end <= start:
        return 0.0
    return _business_time(start, end, bh) / _HOUR


def due_at(
    start: datetime, target_hours: float | None, bh: BusinessHours | None
) -> datetime | None:
    """`first_answer_due_at` for work that arrived at `start`.

    No target, no due moment; a team without business hours counts plain wall-clock hours.
    """
    if target_hours is None:
        return None
    if bh is None:
        return _naive(start) + _duration(target_hours)
    return add_business_hours(start, target_hours, bh)


def warning_at(
    start: datetime, due: datetime, bh: BusinessHours | None, fraction: float = 0.8
) -> datetime:
    """The `answer_due` moment: `fraction` of the business time from `start` to `due` gone.

    Never later than `due`, so a warning cannot come after the work is overdue.
    """
    start, due = _naive(start), _naive(due)
    if isinstance(fraction, bool) or not 0 <= fraction <= 1:
        raise ValueError(f"The fraction must be between 0 and 1, not {fraction!r}.")
    if due <= start:
        return due
    if bh is None:
        return start + (due - start) * fraction
    return min(_add(start, _business_time(start, due, bh) * fraction, bh), due)


def is_open(moment: datetime, bh: BusinessHours) -> bool:
    """Whether `moment` lies in business hours (a window includes its opening, not its close)."""
    moment = _naive(moment)
    opens, _closes = next(_windows(bh, moment))
    return opens <= moment


def _add(start: datetime, remaining: timedelta, bh: BusinessHours) -> datetime:
    for opens, closes in _windows(bh, start):
        begin = max(opens, start)
        if remaining <= closes - begin:
            return begin + remaining
        remaining -= closes - begin
    raise OverflowError("The answer target ends beyond the year 9999.")


def _business_time(start: datetime, end: datetime, bh: BusinessHours) -> timedelta:
    total = timedelta(0)
    for opens, closes in _windows(bh, start):
        if opens >= end:
            break
        total += min(closes, end) - max(opens, start)
    return total


class _Rules(NamedTuple):
    zone: ZoneInfo
    days: frozenset[int]
    start: timedelta
    end: timedelta


@lru_cache(maxsize=256)
def _rules(bh: BusinessHours) -> _Rules:
    """The parsed form of `bh`, worked out once per distinct value."""
    return _Rules(
        _zone(bh.timezone), frozenset(bh.days), _clock(bh.start, "start"), _clock(bh.end, "end")
    )


def _windows(bh: BusinessHours, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The open windows in UTC that close after `since`, in order, none empty or overlapping."""
    rules = _rules(bh)
    day = _wall(since, rules.zone).date()
    # A window of the day before can still be open (a clock turned back across midnight).
    if day > date.min:
        day -= _DAY
    previous_close = datetime.min
    while day < date.max:
        if day.weekday() in rules.days:
            midnight = datetime.combine(day, time())
            opens = _utc(midnight + rules.start, rules.zone, latest=False)
            # "24:00" is the first moment of the next day, not a repeat of it.
            closes = _utc(midnight + rules.end, rules.zone, latest=rules.end < _DAY)
            opens = max(opens, previous_close)
            if closes > opens:
                previous_close = closes
                if closes > since:
                    yield opens, closes
        day += _DAY


def _utc(local: datetime, zone: ZoneInfo, *, latest: bool) -> datetime:
    """The UTC moment the clock in `zone` shows `local`.

    A time shown twice (clocks turned back) gives the earlier or, with `latest`, the later
    showing; a time skipped (clocks turned forward) gives the moment of the jump.
    """
    first = local - local.replace(tzinfo=zone, fold=0).utcoffset()
    second = local - local.replace(tzinfo=zone, fold=1).utcoffset()
    if first == second:
        return first
    early, late = min(first, second), max(first, second)
    if _wall(early, zone) == local:
        return late if latest else early
    return _jump(early, late, zone)


def _jump(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The moment between `before` and `after` at which the zone's offset changes.

    Found by halving whole seconds: time zone transitions fall on whole seconds, and this runs
    only for a window boundary inside a skipped hour, a handful of days a year.
    """
    target = _offset(after, zone)
    low, high = 0, (after - before) // _SECOND
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(before + middle * _SECOND, zone) == target:
            high = middle
        else:
            low = middle
    return before + high * _SECOND


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """What the clock in `zone` shows at the naive-UTC `moment`."""
    return moment.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def _offset(moment: datetime, zone: ZoneInfo) -> timedelta | None:
    return moment.replace(tzinfo=UTC).astimezone(zone).utcoffset()


def _naive(moment: datetime) -> datetime:
    """`moment` checked to be naive: an aware one would be compared wrongly or not at all."""
    if not isinstance(moment, datetime):
        raise TypeError(f"Expected a naive-UTC datetime, got {type(moment).__name__}.")
    if moment.tzinfo is not None:
        raise ValueError("Expected a naive-UTC datetime (as stored), got an aware one.")
    return moment


def _duration(hours: float) -> timedelta:
    # Any real number will do (a Decimal from a NUMERIC column too); text and booleans will not.
    if isinstance(hours, str | bool):
        raise TypeError(f"Hours must be a number, not {hours!r}.")
    value = float(hours)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"Hours must be a finite number, zero or more, not {hours!r}.")
    try:
        return timedelta(hours=value)
    except OverflowError:
        raise OverflowError(f"{hours!r} hours is beyond the calendar.") from None


def _zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise BusinessHoursError(
            "The time zone must be an IANA name such as Europe/Berlin.", "timezone"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # ValueError: a path that leaves the database; OSError: a folder such as "Europe".
        raise BusinessHoursError(
            f"Unknown time zone {name!r}: use an IANA name such as Europe/Berlin.", "timezone"
        ) from None


def _days(value: object) -> tuple[int, ...]:
    if not isinstance(value, list | tuple):
        raise BusinessHoursError(
            "Days must be a list of weekday numbers, Monday 0 to Sunday 6.", "days"
        )
    if not value:
        raise BusinessHoursError("Days must name at least one weekday.", "days")
    seen: set[int] = set()
    for day in value:
        if isinstance(day, bool) or not isinstance(day, int):
            raise BusinessHoursError(
                f"Day {day!r} is not a weekday number (Monday 0 to Sunday 6).", "days"
            )
        if not 0 <= day <= 6:
            raise BusinessHoursError(f"Day {day} is out of range: Monday is 0, Sunday 6.", "days")
        if day in seen:
            raise BusinessHoursError(f"Day {day} ({DAY_NAMES[day]}) is listed twice.", "days")
        seen.add(day)
    return tuple(sorted(seen))


def _clock(value: object, field: str) -> timedelta:
    """The time since midnight that `value` ("HH:MM") names; "24:00" only for `end`."""
    if isinstance(value, str):
        if field == "end" and value == "24:00":
            return _DAY
        match = _CLOCK.fullmatch(value)
        if match:
            return timedelta(hours=int(match[1]), minutes=int(match[2]))
    example = "09:00" if field == "start" else "17:00, or 24:00 for midnight"
    raise BusinessHoursError(
        f"{field.capitalize()} must be a time as HH:MM ({example}), not {value!r}.", field
    )
