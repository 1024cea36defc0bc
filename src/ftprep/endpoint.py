"""What every client of an OpenAI-compatible endpoint shares (embeddings, chat completions): where
the endpoint is, keeping its key out of messages, and when to try a request again and how long to
wait first."""

from __future__ import annotations

import email.utils
import os
import random
import time

#: the endpoint when neither the caller nor ``$OPENAI_BASE_URL`` names one
OPENAI_URL = "https://api.openai.com/v1"

#: statuses worth another try: rate limits, timeouts, conflicts and server errors
RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


def base_url(given: str | None) -> str:
    """``given``, else ``$OPENAI_BASE_URL``, else OpenAI's, without a trailing slash."""
    return (given or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL).rstrip("/")


def hide_key(message: str, key: str) -> str:
    """``message`` with the API key ``key`` replaced by ``***`` (servers echo it back)."""
    return message.replace(key, "***") if key else message


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
