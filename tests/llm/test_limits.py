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
    bucket = TokenBucket(rate=10, capacity=3, clock=fake.clock)

    async def go() -> None:
        for _ in range(6):
            await bucket.take(1)

    asyncio.run(go())
    assert fake.slept == [0.1, 0.1, 0.1]  # three at once, then every 0.1 s
    assert fake.now == pytest.approx(100.3)


def test_a_quiet_spell_refills_but_never_above_capacity(fake: FakeTime) -> None:
    bucket = TokenBucket(rate=10, capacity=3, clock=fake.clock)
    asyncio.run(bucket.take(3))
    fake.now += 60
    assert bucket.level == pytest.approx(3)
    asyncio.run(bucket.take(3))
    assert fake.slept == []


def test_a_request_larger_than_the_bucket_waits_for_a_full_bucket_and_leaves_debt(
    fake: FakeTime,
) -> None:
    bucket = TokenBucket(rate=100, capacity=50, clock=fake.clock)

    async def go() -> None:
        await bucket.take(40)
        await bucket.take(200)  # more than the capacity: waits until full, then owes 150
        await bucket.take(1)

    asyncio.run(go())
    assert fake.slept == [pytest.approx(0.4), pytest.approx(1.51)]


def test_unused_tokens_are_given_back(fake: FakeTime) -> None:
    bucket = TokenBucket(rate=10, capacity=10, clock=fake.clock)
    asyncio.run(bucket.take(10))
    bucket.give_back(5)  # the completion used half its estimate
    assert bucket.level == pytest.approx(5)
    bucket.give_back(-8)  # another used more
    assert bucket.level == pytest.approx(-3)
