"""When to try a request again, and how long to wait first: shared by every HTTP client of ftprep
(embeddings, chat completions)."""

from __future__ import annotations

import email.utils
import random
import time

#: statuses worth another try: rate limits, timeouts, conflicts and server errors
RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


def retry_delay(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def backoff_delay(
    attempt: int,
    retry_after: str | None,
    *,
    base: float,
    cap: float,
    rng: random.Random | None = None,
) -> float:
    """The wait before try ``attempt + 2``: the server's ``Retry-After`` when it sent one, else
    an exponential backoff (``base * 2**attempt``) with "equal jitter" (half fixed, half random,
    so that clients that failed together do not come back together); at most ``cap``."""
    delay = retry_delay(retry_after)
    if delay is None:
        ceiling = base * 2**attempt
        delay = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
    return min(delay, cap)
