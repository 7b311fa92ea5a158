"""Guessing a curator's password on a team page is slowed down, per name and across names."""

from __future__ import annotations

from assistant.curation.sign_in_limits import (
    ALL_NAMES_FAILURES_BEFORE_WAIT,
    FAILURES_BEFORE_WAIT,
    FIRST_WAIT_SECONDS,
    FORGET_AFTER_SECONDS,
    LONGEST_WAIT_SECONDS,
    SignInLimiter,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_a_name_waits_after_repeated_failures_and_longer_each_time():
    clock = Clock()
    limiter = SignInLimiter(clock)
    for _ in range(FAILURES_BEFORE_WAIT - 1):
        limiter.record("priya", success=False)
        assert limiter.wait_before_try("priya") == 0
    limiter.record("priya", success=False)
    assert limiter.wait_before_try("Priya ") == FIRST_WAIT_SECONDS  # same name, however typed
    assert limiter.wait_before_try("sam") == 0
    clock.now += FIRST_WAIT_SECONDS
    assert limiter.wait_before_try("priya") == 0
    limiter.record("priya", success=False)
    assert limiter.wait_before_try("priya") == 2 * FIRST_WAIT_SECONDS


def test_the_wait_is_capped_and_old_failures_are_forgotten():
    clock = Clock()
    limiter = SignInLimiter(clock)
    for _ in range(FAILURES_BEFORE_WAIT + 20):
        limiter.record("priya", success=False)
    assert limiter.wait_before_try("priya") == LONGEST_WAIT_SECONDS
    clock.now += LONGEST_WAIT_SECONDS + FORGET_AFTER_SECONDS
    limiter.record("priya", success=False)
    assert limiter.wait_before_try("priya") == 0


def test_a_success_clears_the_names_count():
    limiter = SignInLimiter(Clock())
    for _ in range(FAILURES_BEFORE_WAIT - 1):
        limiter.record("priya", success=False)
    limiter.record("priya", success=True)
    limiter.record("priya", success=False)
    assert limiter.wait_before_try("priya") == 0


def test_spraying_one_password_over_many_names_waits_too():
    limiter = SignInLimiter(Clock())
    for number in range(ALL_NAMES_FAILURES_BEFORE_WAIT):
        limiter.record(f"name{number}", success=False)
    assert limiter.wait_before_try("someone-new") == FIRST_WAIT_SECONDS
