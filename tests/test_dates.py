"""The Stockholm-date helpers (a pure module), table-driven, across both DST changes."""

from datetime import UTC, date, datetime

import pytest

from consensus import dates


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        # winter: UTC+1
        (date(2026, 1, 15), datetime(2026, 1, 14, 23, 0), datetime(2026, 1, 15, 22, 59, 59)),
        # summer: UTC+2
        (date(2026, 7, 1), datetime(2026, 6, 30, 22, 0), datetime(2026, 7, 1, 21, 59, 59)),
        # spring forward (29 March 2026): a 23-hour day
        (date(2026, 3, 29), datetime(2026, 3, 28, 23, 0), datetime(2026, 3, 29, 21, 59, 59)),
        # fall back (25 October 2026): a 25-hour day
        (date(2026, 10, 25), datetime(2026, 10, 24, 22, 0), datetime(2026, 10, 25, 22, 59, 59)),
        # the year's last day
        (date(2026, 12, 31), datetime(2026, 12, 30, 23, 0), datetime(2026, 12, 31, 22, 59, 59)),
    ],
)
def test_day_start_and_end_in_utc(day, start, end):
    assert dates.day_start(day) == start.replace(tzinfo=UTC)
    assert dates.day_end(day) == end.replace(tzinfo=UTC)
    assert dates.day_start(day).tzinfo is UTC
    assert dates.local_day(dates.day_start(day)) == day
    assert dates.local_day(dates.day_end(day)) == day


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 1, 14, 22, 59, 59, tzinfo=UTC), date(2026, 1, 14)),
        (datetime(2026, 1, 14, 23, 0, tzinfo=UTC), date(2026, 1, 15)),
        (datetime(2026, 6, 30, 21, 59, tzinfo=UTC), date(2026, 6, 30)),
        (datetime(2026, 6, 30, 22, 0, tzinfo=UTC), date(2026, 7, 1)),
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), date(2026, 3, 29)),
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), date(2026, 10, 25)),
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), date(2026, 10, 26)),
        # a naive moment is UTC
        (datetime(2026, 6, 30, 22, 0), date(2026, 7, 1)),
    ],
)
def test_local_day(moment, day):
    assert dates.local_day(moment) == day


@pytest.mark.parametrize(
    ("wall", "utc"),
    [
        (datetime(2026, 1, 15, 9, 0), datetime(2026, 1, 15, 8, 0)),
        (datetime(2026, 7, 1, 9, 0), datetime(2026, 7, 1, 7, 0)),
        (datetime(2026, 3, 29, 3, 0), datetime(2026, 3, 29, 1, 0)),
        (datetime(2026, 10, 25, 4, 0), datetime(2026, 10, 25, 3, 0)),
    ],
)
def test_from_local_and_back(wall, utc):
    aware = dates.from_local(wall)
    assert aware == utc.replace(tzinfo=UTC)
    assert dates.local_time(utc.replace(tzinfo=UTC)).replace(tzinfo=None) == wall


@pytest.mark.parametrize(
    "helper", [dates.day_start, dates.day_end, dates.local_day, dates.local_time, dates.from_local]
)
def test_none_stays_none(helper):
    assert helper(None) is None


@pytest.mark.parametrize(
    ("offset", "text"),
    [
        ("P0D", "vid start"),
        ("P0M", "vid start"),
        ("P6M", "efter 6 månader"),
        ("P1M", "efter 1 månad"),
        ("P12M", "efter 12 månader"),
        ("P1Y", "efter 1 år"),
        ("P2W", "efter 2 veckor"),
        ("P30D", "efter 30 dagar"),
        ("yearly", "yearly"),
    ],
)
def test_offsets_as_people_say_them(offset, text):
    from consensus.dates import offset_text

    assert offset_text(offset) == text
