"""The one pacer of every channel: at most so many proactive messages per second per key; off at rate 0."""

from __future__ import annotations

import pytest

from bot.delivery.pacing import Pacer


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
    pacer = Pacer({"channel": 1.0}, clock=clock.monotonic, sleep=clock.sleep)
    for _ in range(3):
        await pacer.wait(channel="D1")
    assert clock.waits == [1.0, 1.0]


async def test_other_channels_do_not_wait_for_each_other() -> None:
    clock = _Time()
    pacer = Pacer({"channel": 1.0}, clock=clock.monotonic, sleep=clock.sleep)
    for channel in ("D1", "D2", "D3"):
        await pacer.wait(channel=channel)
    assert clock.waits == []


async def test_a_channel_quiet_for_a_while_sends_at_once() -> None:
    clock = _Time()
    pacer = Pacer({"channel": 1.0}, clock=clock.monotonic, sleep=clock.sleep)
    await pacer.wait(channel="D1")
    clock.now += 5
    await pacer.wait(channel="D1")
    assert clock.waits == []


async def test_pacing_can_be_switched_off() -> None:
    clock = _Time()
    pacer = Pacer({"channel": 0}, clock=clock.monotonic, sleep=clock.sleep)
    for _ in range(5):
        await pacer.wait(channel="D1")
    assert clock.waits == []


async def test_a_mailbox_at_thirty_a_minute_sends_every_two_seconds() -> None:
    clock = _Time()
    pacer = Pacer({"mailbox": 0.5}, clock=clock.monotonic, sleep=clock.sleep)
    for _ in range(3):
        await pacer.wait(mailbox="arkiv@k.no")
    assert clock.waits == [2.0, 2.0]


async def test_a_send_waits_for_the_slowest_of_its_clocks() -> None:
    clock = _Time()
    pacer = Pacer({"tenant": 10, "conversation": 1}, clock=clock.monotonic, sleep=clock.sleep)
    await pacer.wait(tenant="t", conversation="c1")
    await pacer.wait(tenant="t", conversation="c1")  # its conversation allows one a second
    await pacer.wait(tenant="t", conversation="c2")  # the tenant's next slot is 0.1 s after the last send
    assert clock.waits == pytest.approx([1.0, 0.1])
