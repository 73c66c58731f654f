"""Pacing of proactive sends under Teams' limits: so many requests per second per tenant and per conversation.

Each send reserves the next free slot on both clocks and sleeps until it; the spacing is even (no bursts), so
a monthly fan-out to thousands of people stays under the limits instead of running into 429s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from adapters.teams.config import Pacing


class Pacer:
    def __init__(
        self,
        pacing: Pacing,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.pacing = pacing
        self._clock = clock
        self._sleep = sleep
        self._tenants: dict[str, float] = {}  # tenant → earliest time of its next request
        self._conversations: dict[str, float] = {}

    def reserve(self, tenant: str, conversation: str | None) -> float:
        """Claim the next slot for a request; returns how long to wait for it (seconds)."""
        now = self._clock()
        slot = now
        tenant_gap = 1.0 / self.pacing.per_tenant if self.pacing.per_tenant > 0 else 0.0
        conversation_gap = 1.0 / self.pacing.per_conversation if self.pacing.per_conversation > 0 else 0.0
        if tenant_gap:
            slot = max(slot, self._tenants.get(tenant, now))
        if conversation_gap and conversation:
            slot = max(slot, self._conversations.get(conversation, now))
        if tenant_gap:
            self._tenants[tenant] = slot + tenant_gap
        if conversation_gap and conversation:
            self._conversations[conversation] = slot + conversation_gap
            if len(self._conversations) > 10_000:  # a fan-out touches each 1:1 once: forget the past ones
                self._conversations = {k: t for k, t in self._conversations.items() if t > now}
        return slot - now

    async def wait(self, tenant: str, conversation: str | None = None) -> None:
        if not self.pacing.enabled:
            return
        delay = self.reserve(tenant, conversation)
        if delay > 0:
            await self._sleep(delay)
