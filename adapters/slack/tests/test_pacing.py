"""At most one proactive message per second per channel; off when the interval is 0."""

from __future__ import annotations

from adapters.slack.pacing import Pacer


class _Time:
    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


async def test_messages_to_one_channel_come_a_second_apart() -> None:
    clock = _Time()
    pacer = Pacer(1.0, monotonic=clock.monotonic, sleep=clock.sleep)
    for _ in range(3):
        await pacer.wait("D1")
    assert clock.waits == [1.0, 1.0]


async def test_other_channels_do_not_wait_for_each_other() -> None:
    clock = _Time()
    pacer = Pacer(1.0, monotonic=clock.monotonic, sleep=clock.sleep)
    for channel in ("D1", "D2", "D3"):
        await pacer.wait(channel)
    assert clock.waits == []


async def test_a_channel_quiet_for_a_while_sends_at_once() -> None:
    clock = _Time()
    pacer = Pacer(1.0, monotonic=clock.monotonic, sleep=clock.sleep)
    await pacer.wait("D1")
    clock.now += 5
    await pacer.wait("D1")
    assert clock.waits == []


async def test_pacing_can_be_switched_off() -> None:
    clock = _Time()
    pacer = Pacer(0, monotonic=clock.monotonic, sleep=clock.sleep)
    for _ in range(5):
        await pacer.wait("D1")
    assert clock.waits == []
