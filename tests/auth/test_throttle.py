"""The throttling rule (consensus/auth/throttle.py), by hand-computed tables."""

from datetime import UTC, datetime, timedelta

import pytest

from consensus.auth.throttle import (
    Delay,
    Limit,
    LoginRule,
    delay_wait,
    limit_wait,
    login_wait,
    wait_in_words,
)

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
LIMIT = Limit(count=3, window=timedelta(minutes=15))
DELAY = Delay(
    free=2, window=timedelta(minutes=15), step=timedelta(seconds=2), cap=timedelta(seconds=10)
)


def ago(*seconds: int) -> list[datetime]:
    return [NOW - timedelta(seconds=s) for s in seconds]


@pytest.mark.parametrize(
    ("seconds_ago", "wait"),
    [
        ((), 0),
        ((10, 20), 0),  # two of three
        ((10, 20, 30), 870),  # full: the oldest (30 s ago) leaves the window in 900 - 30 s
        # Four counted (40, 30, 20, 10 s ago): two must leave before fewer than three are
        # left; the second to leave is 30 s old: 870 s.
        ((10, 20, 30, 40), 870),
        ((100, 200, 300), 600),
        ((100, 200, 900), 0),  # the oldest is exactly at the window's edge: out
        ((100, 200, 899), 1),  # one second left
        ((100, 200, 1000, 2000), 0),  # old ones do not count
    ],
)
def test_limit_wait(seconds_ago, wait):
    assert limit_wait(ago(*seconds_ago), NOW, LIMIT) == wait


@pytest.mark.parametrize(
    ("seconds_ago", "wait"),
    [
        ((), 0),
        ((5, 50), 0),  # two free failures
        ((1, 50, 60), 1),  # third: 2 s after the latest (1 s ago) → 1 s
        ((0, 50, 60), 2),
        ((3, 50, 60), 0),  # the 2 s have passed
        ((0, 40, 50, 60), 4),  # fourth: 4 s
        ((1, 30, 40, 50, 60), 7),  # fifth: 8 s after the latest → 7 s
        ((0, 20, 30, 40, 50, 60), 10),  # sixth: 16 s capped at 10 s
        ((0, 1000, 2000, 3000), 0),  # only one in the window: free
    ],
)
def test_delay_wait(seconds_ago, wait):
    assert delay_wait(ago(*seconds_ago), NOW, DELAY) == wait


def test_login_wait_is_the_longer_and_a_known_device_skips_the_account():
    rule = LoginRule(address=LIMIT, account=DELAY)
    address = ago(10, 20)  # free
    account = ago(0, 20, 30, 40, 50, 60)  # 10 s
    assert login_wait(address, account, NOW, rule) == 10
    assert login_wait(address, account, NOW, rule, known_device=True) == 0
    assert login_wait(ago(10, 20, 30), account, NOW, rule, known_device=True) == 870
    assert login_wait(ago(10, 20, 30), account, NOW, rule) == 870


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, ("seconds", 1)),
        (59, ("seconds", 59)),
        (60, ("minutes", 1)),
        (61, ("minutes", 2)),
        (720, ("minutes", 12)),
        (870, ("minutes", 15)),
        (900, ("minutes", 15)),
    ],
)
def test_wait_in_words(seconds, words):
    assert wait_in_words(seconds) == words
