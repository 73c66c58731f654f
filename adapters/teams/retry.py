"""Trying a Bot Framework call again when Teams asks for it: the SDK itself does not retry.

412, 429, 502, 503 and 504 are worth another try (and a dropped connection or a timeout); `Retry-After` is
honoured, otherwise the wait doubles with full jitter. Attempts are bounded; so is a single wait.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import aiohttp

from adapters.teams.config import Retry

log = logging.getLogger("restansebot.teams")

RETRYABLE = frozenset({412, 429, 502, 503, 504})
T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class GaveUp(Exception):
    """Teams kept asking us to wait (or a wait longer than we will hold a send): try again later."""

    def __init__(self, status: int | None, retry_after: float | None, cause: BaseException) -> None:
        super().__init__(
            f"gave up after HTTP {status}" if status else f"gave up after {type(cause).__name__}"
        )
        self.status = status
        self.retry_after = retry_after
        self.cause = cause


def retry_after_seconds(headers: Mapping[str, str] | None, now: datetime | None = None) -> float | None:
    """The Retry-After header in seconds: a number, or an HTTP date."""
    value = (headers or {}).get("Retry-After")
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def status_of(exc: BaseException) -> int | None:
    return exc.status if isinstance(exc, aiohttp.ClientResponseError) else None


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, aiohttp.ClientResponseError):
        return exc.status in RETRYABLE
    return isinstance(exc, aiohttp.ClientConnectionError | asyncio.TimeoutError)


async def with_retries(
    call: Callable[[], Awaitable[T]],
    policy: Retry,
    *,
    sleep: Sleep = asyncio.sleep,
    jitter: Callable[[], float] = random.random,
    what: str = "Teams",
) -> T:
    """Run `call`, again after a transient failure, at most `policy.attempts` times in all.

    Non-transient errors are raised as they are; running out of attempts raises GaveUp.
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            return await call()
        except Exception as exc:
            if not is_transient(exc):
                raise
            status = status_of(exc)
            headers = exc.headers if isinstance(exc, aiohttp.ClientResponseError) else None
            asked = retry_after_seconds(headers)
            if attempt == policy.attempts or (asked is not None and asked > policy.max_delay):
                raise GaveUp(status, asked, exc) from exc
            backoff = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1)) * jitter()
            wait = asked if asked is not None else backoff
            log.info("%s svarte %s; prøver igjen om %.1f s (forsøk %d av %d)",
                     what, status or type(exc).__name__, wait, attempt + 1, policy.attempts)  # fmt: skip
            await sleep(wait)
    raise AssertionError("unreachable")  # the loop returns or raises
