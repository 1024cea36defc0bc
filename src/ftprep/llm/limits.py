"""Staying inside a provider's limits: requests in flight, requests per minute, tokens per minute.

Rates are token buckets that refill continuously (a limit of 600 requests a minute lets one
through every 0.1 s, with a burst of at most ``burst`` seconds' worth after a quiet spell), which
is how OpenAI-style providers count. A request larger than the token bucket's whole capacity
still goes through once the bucket is full, leaving it in debt, so that no request waits forever.

Waits end on a grid of ``tick`` seconds (0.1 by default): a request starts up to one tick later
than its bucket would allow, never earlier, so the requests due within the same tenth of a second
wake the event loop once. Under a sustained limit of 50 requests a second this halves the client's
CPU (each wake-up of an idle process costs more than the request it sends) and adds at most 0.1 s
to calls that take seconds.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager


class TokenBucket:
    """``rate`` units a second, at most ``capacity`` saved up; kept as the time at which the
    bucket would be full again (GCRA), so that taking is one reservation and at most one sleep,
    with no lock to hand over between waiting requests. Waits are rounded up to a multiple of
    ``tick`` seconds (0 for exact waits)."""

    def __init__(
        self,
        rate: float,
        capacity: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        tick: float = 0.1,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self.rate = rate
        self.capacity = max(capacity, 1.0)
        self._clock = clock
        # a later start never lets the bucket fill up (which would lose capacity) while the
        # wait is shorter than the burst the bucket holds
        self.tick = min(tick, self.capacity / rate / 2)
        self._full_at = clock()  # when the bucket is full again (now or earlier: full)

    @property
    def level(self) -> float:
        return self.capacity - max(0.0, self._full_at - self._clock()) * self.rate

    async def take(self, amount: float) -> None:
        """Wait until ``amount`` is available (or, for more than the capacity, until the bucket
        is full), then take it. Requests are served in the order they ask."""
        now = self._clock()
        full_at = max(self._full_at, now)
        # the units must be there: the bucket's deficit after taking may not pass capacity
        start = full_at - (self.capacity - min(amount, self.capacity)) / self.rate
        self._full_at = full_at + amount / self.rate
        if start > now:
            if self.tick > 0:
                start = math.ceil(start / self.tick) * self.tick
            await asyncio.sleep(start - now)

    def give_back(self, amount: float) -> None:
        """Return units taken but not used (a completion shorter than estimated), or take more
        (a negative amount) for one that was longer."""
        now = self._clock()
        self._full_at = (
            max(now, self._full_at - amount / self.rate)
            if amount > 0
            else (max(now, self._full_at) - amount / self.rate)
        )


class RateLimiter:
    """At most ``concurrency`` requests at once, ``rpm`` requests and ``tpm`` tokens a minute."""

    def __init__(
        self,
        concurrency: int = 8,
        rpm: float | None = None,
        tpm: float | None = None,
        *,
        burst: float = 1.0,
        tick: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.concurrency = concurrency
        self._gate = asyncio.Semaphore(concurrency)
        self._requests = TokenBucket(rpm / 60, rpm / 60 * burst, clock, tick=tick) if rpm else None
        self._tokens = (
            TokenBucket(tpm / 60, tpm / 60 * max(burst, 1.0), clock, tick=tick) if tpm else None
        )

    @asynccontextmanager
    async def slot(self, tokens: int) -> AsyncIterator[Callable[[int], None]]:
        """Hold a slot for one request estimated at ``tokens``; the yielded function takes the
        tokens the request really used, to settle the estimate."""
        async with self._gate:
            if self._requests is not None:
                await self._requests.take(1)
            if self._tokens is not None:
                await self._tokens.take(tokens)
            bucket = self._tokens

            def settle(used: int) -> None:
                if bucket is not None:
                    bucket.give_back(tokens - used)

            yield settle
