"""The throttling rule (pure): given the times of earlier attempts, may one more be evaluated
now, and if not, how many seconds must the person wait?

Two rules guard the login (``auth.services.login_wait``, counted in the database so every
app process shares the count; only *failed* logins count, so a correct password never uses
up an allowance):

- per address (:class:`Limit`): at most ``count`` failed logins in any ``window`` from one
  address, whichever account they name; the next is refused until the oldest counted failure
  leaves the window.
- per account (:class:`Delay`): guesses spread over many addresses slow down, but never lock
  the account: after ``free`` failed logins within ``window``, each further one makes the
  account wait ``step``, doubling with every failure up to ``cap``, counted from the latest
  failure. A browser that has signed in to the account before skips this delay.

The workshop join counts every join per address with a :class:`Limit`.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    """At most ``count`` attempts in any ``window``."""

    count: int
    window: timedelta


@dataclass(frozen=True)
class Delay:
    """``free`` failures within ``window`` cost nothing; then ``step``, doubling, at most
    ``cap``, after the latest failure."""

    free: int
    window: timedelta
    step: timedelta
    cap: timedelta


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _recent(times: Iterable[datetime], now: datetime, window: timedelta) -> list[datetime]:
    return sorted(t for t in times if now - window < t <= now)


def limit_wait(times: Iterable[datetime], now: datetime, limit: Limit) -> int:
    """Seconds until one more attempt may be evaluated under ``limit`` (0: now)."""
    recent = _recent(times, now, limit.window)
    if len(recent) < limit.count:
        return 0
    frees_at = recent[len(recent) - limit.count] + limit.window
    return _seconds(frees_at - now)


def delay_wait(times: Iterable[datetime], now: datetime, delay: Delay) -> int:
    """Seconds until the account may be tried again under ``delay`` (0: now)."""
    recent = _recent(times, now, delay.window)
    over = len(recent) - delay.free
    if over <= 0:
        return 0
    pause = min(delay.step * (2 ** (over - 1)), delay.cap)
    ready_at = recent[-1] + pause
    return _seconds(ready_at - now) if ready_at > now else 0


@dataclass(frozen=True)
class LoginRule:
    address: Limit
    account: Delay


def login_wait(
    address_failures: Iterable[datetime],
    account_failures: Iterable[datetime],
    now: datetime,
    rule: LoginRule,
    *,
    known_device: bool = False,
) -> int:
    """Seconds before this login may be evaluated (0: now): the longer of the two rules; the
    account's delay does not apply to a browser that signed in to the account before."""
    wait = limit_wait(address_failures, now, rule.address)
    if not known_device:
        wait = max(wait, delay_wait(account_failures, now, rule.account))
    return wait


def wait_in_words(seconds: int) -> tuple[str, int]:
    """How to say the wait: ``("seconds", n)`` under a minute, else ``("minutes", n)``
    rounded up (599 s → 10 minutes)."""
    if seconds < 60:
        return "seconds", max(1, seconds)
    return "minutes", math.ceil(seconds / 60)
