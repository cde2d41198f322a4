"""Swedish dates and times: stored in UTC, shown and typed in as Stockholm time.

A day typed in a form (a survey's dates, the links' expiry) means the whole day in Stockholm,
whatever its length on the days the clocks change.
"""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LAST_SECOND = time(23, 59, 59)


def day_start(day: date | None) -> datetime | None:
    """The first moment of ``day`` in Stockholm, in UTC."""
    if day is None:
        return None
    return datetime.combine(day, time(0, 0), STOCKHOLM).astimezone(UTC)


def day_end(day: date | None) -> datetime | None:
    """The last second (23:59:59) of ``day`` in Stockholm, in UTC."""
    if day is None:
        return None
    return datetime.combine(day, LAST_SECOND, STOCKHOLM).astimezone(UTC)


def local_day(moment: datetime | None) -> date | None:
    """The Stockholm date of ``moment`` (a naive moment is taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(STOCKHOLM).date()


def local_time(moment: datetime | None) -> datetime | None:
    """``moment`` as Stockholm time (aware)."""
    return moment.astimezone(STOCKHOLM) if moment else None


def from_local(wall: datetime | None) -> datetime | None:
    """A naive wall-clock time typed in Stockholm, made aware."""
    return wall.replace(tzinfo=STOCKHOLM) if wall else None


_OFFSET_RE = re.compile(r"P(\d+)([DWMY])")
_OFFSET_UNITS = {"D": ("dag", "dagar"), "W": ("vecka", "veckor"), "M": ("månad", "månader"),
                 "Y": ("år", "år")}  # fmt: skip


def offset_text(offset: str) -> str:
    """An ISO 8601 offset from an anchor as people say it in Swedish: ``P0D`` -> "vid start",
    ``P12M`` -> "efter 12 månader", ``P1Y`` -> "efter 1 år"; anything else as it is."""
    match = _OFFSET_RE.fullmatch(offset or "")
    if match is None:
        return offset
    n, unit = int(match.group(1)), match.group(2)
    if n == 0:
        return "vid start"
    one, many = _OFFSET_UNITS[unit]
    return f"efter {n} {one if n == 1 else many}"
