"""At most one proactive message per second per channel: Slack's own limit for chat.postMessage.

Only the bot's own sending (the monthly fan-out) is paced; an answer to someone who asked is not.
An interval of 0 turns pacing off (benchmarks).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class Pacer:
    def __init__(
        self,
        interval: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._next: dict[str, float] = {}  # channel → earliest time for its next message

    async def wait(self, channel: str) -> None:
        """Wait until `channel` may have another message, and book that slot."""
        if self.interval <= 0:
            return
        now = self._monotonic()
        slot = max(now, self._next.get(channel, now))
        self._next[channel] = slot + self.interval
        if len(self._next) > 10_000:
            self._forget_past(now)
        if slot > now:
            await self._sleep(slot - now)

    def _forget_past(self, now: float) -> None:
        for channel in [c for c, t in self._next.items() if t <= now]:
            del self._next[channel]
