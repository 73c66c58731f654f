"""A fake sending port (the bot's Sender), recording what would have reached each platform; and a way to run a
fake platform in a thread of its own, for processes under test to call."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from bot.delivery.port import DeliveryError, Mail, Sent
from bot.replies import Reply
from restanse_core.model import Person


@dataclass
class Delivered:
    to: str  # initials, or "#channel"
    ref: str
    reply: Reply


@dataclass
class FakeSender:
    platform: str = "slack"
    unreachable: set[str] = field(default_factory=set)
    permanent: dict[str, str] = field(default_factory=dict)  # initials → reason
    transient: dict[str, int] = field(default_factory=dict)  # initials → failures before success
    retry_after: float | None = None
    knows_history: bool = True  # Slack can look its own messages up; Teams cannot
    delay: float = 0.0
    lost_answers: dict[str, int] = field(
        default_factory=dict
    )  # initials → times the message lands, the answer is lost
    delivered: list[Delivered] = field(default_factory=list)
    calls: int = 0

    async def can_reach(self, person: Person) -> bool:
        return person.initials not in self.unreachable

    async def send_direct(
        self, person: Person, reply: Reply, *, ref: str, proactive: bool = True, mail: Mail | None = None
    ) -> Sent:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if person.initials in self.permanent:
            raise DeliveryError(self.permanent[person.initials], permanent=True)
        if self.transient.get(person.initials, 0) > 0:
            self.transient[person.initials] -= 1
            raise DeliveryError(
                "for mange forespørsler (HTTP 429)", permanent=False, retry_after=self.retry_after
            )
        self.delivered.append(Delivered(person.initials, ref, reply))
        if self.lost_answers.get(person.initials, 0) > 0:
            self.lost_answers[person.initials] -= 1
            raise DeliveryError("tidsavbrudd mens vi ventet på svar", permanent=False, maybe_sent=True)
        return Sent(self.platform, f"D-{person.initials}", f"m{len(self.delivered)}")

    async def post_channel(self, channel: str, reply: Reply, *, ref: str) -> Sent:
        self.calls += 1
        self.delivered.append(Delivered(f"#{channel}", ref, reply))
        return Sent(self.platform, channel, f"m{len(self.delivered)}")

    async def was_sent(self, person: Person | None, channel: str | None, ref: str) -> bool | None:
        if not self.knows_history:
            return None
        return any(d.ref == ref for d in self.delivered)

    def to(self, who: str) -> list[Delivered]:
        return [d for d in self.delivered if d.to == who]


class Running:
    """A fake platform on 127.0.0.1 in a thread of its own, so processes under test can call it."""

    def __init__(self, fake: Any) -> None:
        self.fake = fake
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> Any:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.fake.start(), self.loop).result(10)
        return self.fake

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.fake.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
