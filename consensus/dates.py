"""Swedish dates and times: stored in UTC, shown and typed in as Stockholm time.

A day typed in a form (a survey's dates, the links' expiry) means the whole day in Stockholm,
whatever its length on the days the clocks change.
"""

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
