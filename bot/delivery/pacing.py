"""One pacer for every channel's proactive sends: so many per second per key — a Slack channel, a Teams tenant
and conversation, a mailbox.

Each send reserves the next free slot on every clock it is subject to and sleeps until the latest of them; the
spacing is even (no bursts), so a monthly fan-out to thousands of people stays under the platforms' limits
instead of running into 429s. Only the bot's own sending is paced, never an answer to someone who asked. A
rate of 0 switches that limit off.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

FORGET_AFTER = (
    10_000  # keys remembered per scope before the past ones are forgotten (a fan-out touches each once)
)


class Pacer:
    def __init__(
        self,
        rates: Mapping[str, float],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`rates`: scope → requests per second for each key in it, e.g. {"tenant": 50, "conversation": 7}."""
        self.gaps = {scope: 1.0 / rate for scope, rate in rates.items() if rate > 0}
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, dict[str, float]] = {
            scope: {} for scope in self.gaps
        }  # key → its next free slot

    def reserve(self, **keys: str | None) -> float:
        """Claim the next slot for a request to these keys (scope=key); returns how long to wait for it."""
        now = self._clock()
        chosen = {scope: key for scope, key in keys.items() if key is not None and scope in self.gaps}
        slot = max([now, *(self._next[scope].get(key, now) for scope, key in chosen.items())])
        for scope, key in chosen.items():
            booked = self._next[scope]
            booked[key] = slot + self.gaps[scope]
            if len(booked) > FORGET_AFTER:
                self._next[scope] = {k: t for k, t in booked.items() if t > now}
        return slot - now

    async def wait(self, **keys: str | None) -> None:
        """Wait until a request to these keys may go, and book that slot."""
        if not self.gaps:
            return
        delay = self.reserve(**keys)
        if delay > 0:
            await self._sleep(delay)
