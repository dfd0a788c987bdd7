"""Pacing on a clock the test moves: per chat, per group, overall, and after a 429."""

from __future__ import annotations

from scheduler.ratelimit import ChatRateLimiter, RateLimits


class Time:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_chat_gets_one_message_per_second_and_others_are_not_held_up() -> None:
    time = Time()
    limiter = ChatRateLimiter(RateLimits(global_per_second=1000), now=time)

    assert limiter.try_acquire("1")
    time.now += 0.002
    assert not limiter.try_acquire("1")
    assert limiter.try_acquire("2")  # another chat goes (at the overall pace, 1 per ms)
    time.now += 1.0
    assert not limiter.try_acquire("1")  # 1 s plus the safety margin
    time.now += 0.06
    assert limiter.try_acquire("1")


def test_sends_are_spaced_evenly_to_the_overall_rate_without_bursts() -> None:
    time = Time()
    limiter = ChatRateLimiter(RateLimits(global_per_second=20), now=time)
    sent = []
    while time.now < 1010:
        if limiter.try_acquire(str(len(sent))):
            sent.append(time.now)
        time.now += 0.001
    per_second = [sum(1 for t in sent if start <= t < start + 1) for start in range(1000, 1010)]
    assert max(per_second) <= 20 and min(per_second) >= 18
    gaps = [b - a for a, b in zip(sent, sent[1:], strict=False)]
    assert min(gaps) >= 1 / 20  # evenly spaced: never two at once


def test_a_429_holds_back_only_its_chat_and_eases_the_overall_rate() -> None:
    time = Time()
    limiter = ChatRateLimiter(RateLimits(global_per_second=10), now=time)
    limiter.pause("1", 30)

    assert limiter.chat_ready_at("1") >= time.now + 30
    assert limiter.try_acquire("2")
    time.now += 0.1
    assert not limiter.try_acquire("3")  # slower than 1 every 0.105 s for a while
    time.now += 0.05
    assert limiter.try_acquire("3")


def test_a_group_gets_at_most_20_messages_a_minute() -> None:
    time = Time()
    limiter = ChatRateLimiter(RateLimits(global_per_second=1000), now=time)
    sent = 0
    while time.now < 1060:
        sent += limiter.try_acquire("-100123")
        time.now += 0.5
    assert sent == 20


def test_the_actual_sends_never_exceed_the_cap_however_late_they_run() -> None:
    time = Time()
    limiter = ChatRateLimiter(RateLimits(global_per_second=10), now=time)

    admitted = sum(limiter.admit(str(n)) == 0 for n in range(30))  # a burst after a stall

    assert admitted == 9  # 10/s less the margin, within one window
    assert limiter.admit("99") > 0
    assert limiter.admit("0") > 0  # and that chat just had one
