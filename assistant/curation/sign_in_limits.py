"""A bound on guessing curators' passwords on a team page.

scrypt makes each try cost about 70 ms, which still allows a thousand guesses a minute. After a few
failures for one name, that name waits before its next try, twice as long after each further
failure; failures across all names are bounded too, so spraying one password over many names
stops as well. The limiter lives for the page's process: a new browser session starts no fresh
count. A success clears its name's count.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

FAILURES_BEFORE_WAIT = 5
ALL_NAMES_FAILURES_BEFORE_WAIT = 20
FIRST_WAIT_SECONDS = 30.0
LONGEST_WAIT_SECONDS = 3_600.0
# Failures older than this are forgotten: a curator who mistypes now and then is never held.
FORGET_AFTER_SECONDS = 900.0
ANY_NAME = "\x00any"


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class SignInLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._records: dict[str, _Record] = {}

    def wait_before_try(self, name: str) -> float:
        """Seconds before `name` may try again (0 when it may now)."""
        now = self._clock()
        with self._lock:
            return max(
                max(0.0, self._record(key, now).locked_until - now) for key in self._keys(name)
            )

    def record(self, name: str, success: bool) -> None:
        now = self._clock()
        with self._lock:
            if success:
                self._records.pop(self._key(name), None)
                return
            for key, allowed in zip(
                self._keys(name),
                (FAILURES_BEFORE_WAIT, ALL_NAMES_FAILURES_BEFORE_WAIT),
                strict=True,
            ):
                entry = self._record(key, now)
                entry.failures.append(now)
                beyond = len(entry.failures) - allowed
                if beyond >= 0:
                    wait = min(LONGEST_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2**beyond)
                    entry.locked_until = now + wait

    def _record(self, key: str, now: float) -> _Record:
        entry = self._records.setdefault(key, _Record())
        entry.failures = [at for at in entry.failures if now - at < FORGET_AFTER_SECONDS]
        return entry

    @staticmethod
    def _key(name: str) -> str:
        return name.strip().casefold()

    def _keys(self, name: str) -> tuple[str, str]:
        return self._key(name), ANY_NAME
