"""The rate limiter's token buckets, on a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from ftprep.llm import limits
from ftprep.llm.limits import TokenBucket


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    t = FakeTime()
    monkeypatch.setattr(limits.asyncio, "sleep", t.sleep)
    return t


def test_a_burst_up_to_capacity_then_one_per_interval(fake: FakeTime) -> None:
    bucket = TokenBucket(rate=10, capacity=3, clock=fake.clock, tick=0)

    async def go() -> None:
        for _ in range(6):
            await bucket.take(1)

    asyncio.run(go())
    assert fake.slept == [0.1, 0.1, 0.1]  # three at once, then every 0.1 s
    assert fake.now == pytest.approx(100.3)


def test_a_quiet_spell_refills_but_never_above_capacity(fake: FakeTime) -> None:
    bucket = TokenBucket(rate=10, capacity=3, clock=fake.clock, tick=0)
    asyncio.run(bucket.take(3))
    fake.now += 60
    assert bucket.level == pytest.approx(3)
    asyncio.run(bucket.take(3))
    assert fake.slept == []


def test_a_request_larger_than_the_bucket_waits_for_a_full_bucket_and_leaves_debt(
    fake: FakeTime,
) -> None:
    bucket = TokenBucket(rate=100, capacity=50, clock=fake.clock, tick=0)

    async def go() -> None:
        await bucket.take(40)
        await bucket.take(200)  # more than the capacity: waits until full, then owes 150
        await bucket.take(1)

    asyncio.run(go())
    assert fake.slept == [pytest.approx(0.4), pytest.approx(1.51)]


def test_unused_tokens_are_given_back(fake: FakeTime) -> None:
    bucket = TokenBucket(rate=10, capacity=10, clock=fake.clock, tick=0)
    asyncio.run(bucket.take(10))
    bucket.give_back(5)  # the completion used half its estimate
    assert bucket.level == pytest.approx(5)
    bucket.give_back(-8)  # another used more
    assert bucket.level == pytest.approx(-3)


def test_waits_end_on_a_grid_of_ticks_never_early_and_without_losing_the_rate(
    fake: FakeTime,
) -> None:
    bucket = TokenBucket(rate=50, capacity=50, clock=fake.clock, tick=0.1)
    released: list[float] = []

    async def go() -> None:
        for _ in range(300):
            await bucket.take(1)
            released.append(fake.now)

    asyncio.run(go())
    # the first 50 go at once (a full bucket), then 250 at 50 a second: 5 s, not a tick more
    assert fake.now - 100 == pytest.approx(5.0, abs=1e-6)
    for k, at in enumerate(released):  # never before the exact schedule allows
        assert at >= 100 + (k - 49) / 50 - 1e-9
    # one wake-up per tick instead of one per request, each on the grid
    assert len(fake.slept) == 50
    assert all(abs(t * 10 - round(t * 10)) < 1e-6 for t in released[50:])


def test_the_tick_never_exceeds_half_the_burst_the_bucket_holds() -> None:
    assert TokenBucket(rate=50, capacity=1, tick=0.1).tick == pytest.approx(0.01)
    assert TokenBucket(rate=0.1, capacity=1, tick=0.1).tick == pytest.approx(0.1)
