"""Retrying what Teams asks us to retry, and spacing proactive sends under Teams' limits (with a fake clock)."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from adapters.teams.config import Pacing, Retry
from adapters.teams.retry import GaveUp, retry_after_seconds, with_retries
from bot.delivery.pacing import Pacer


def http_error(status: int, retry_after: str | None = None) -> aiohttp.ClientResponseError:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return aiohttp.ClientResponseError(None, (), status=status, headers=headers)  # type: ignore[arg-type]


def test_retry_after_in_seconds_or_as_a_date():
    now = datetime(2019, 12, 20, 9, 0, 0, tzinfo=UTC)
    assert retry_after_seconds({"Retry-After": "7"}) == 7.0
    assert retry_after_seconds({"Retry-After": "Fri, 20 Dec 2019 09:00:30 GMT"}, now) == 30.0
    assert retry_after_seconds({"Retry-After": "Fri, 20 Dec 2019 08:00:00 GMT"}, now) == 0.0
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


@pytest.mark.parametrize("status", [412, 429, 502, 503, 504])
async def test_transient_statuses_are_tried_again(status):
    failures = [http_error(status)]
    sleeps: list[float] = []

    async def call() -> str:
        if failures:
            raise failures.pop()
        return "sendt"

    async def sleep(s: float) -> None:
        sleeps.append(s)

    assert (
        await with_retries(call, Retry(attempts=3, base_delay=1.0), sleep=sleep, jitter=lambda: 0.5)
        == "sendt"
    )
    assert sleeps == [0.5]  # first backoff: base delay times the jitter


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
async def test_other_failures_are_not_tried_again(status):
    calls = 0

    async def call() -> None:
        nonlocal calls
        calls += 1
        raise http_error(status)

    with pytest.raises(aiohttp.ClientResponseError):
        await with_retries(call, Retry(attempts=5))
    assert calls == 1


async def test_backoff_doubles_is_capped_and_attempts_are_bounded():
    sleeps: list[float] = []

    async def call() -> None:
        raise http_error(503)

    async def sleep(s: float) -> None:
        sleeps.append(s)

    with pytest.raises(GaveUp) as gave_up:
        await with_retries(
            call, Retry(attempts=6, base_delay=1.0, max_delay=10.0), sleep=sleep, jitter=lambda: 1.0
        )
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert gave_up.value.status == 503


async def test_a_dropped_connection_is_tried_again():
    failures: list[Exception] = [aiohttp.ClientConnectionError("reset")]

    async def call() -> str:
        if failures:
            raise failures.pop()
        return "ok"

    async def sleep(s: float) -> None:
        pass

    assert await with_retries(call, Retry(), sleep=sleep) == "ok"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sends_to_one_tenant_are_spaced_to_its_rate():
    clock = FakeClock()
    pacer = Pacer(Pacing(per_tenant=50, per_conversation=0).rates, clock=clock)
    waits = [pacer.reserve(tenant="tenant", conversation=f"a:{i}") for i in range(5)]
    assert waits == pytest.approx([0.0, 0.02, 0.04, 0.06, 0.08])
    clock.now += 1.0  # after a quiet second there is no queue
    assert pacer.reserve(tenant="tenant", conversation="a:9") == 0.0


def test_one_conversation_gets_at_most_seven_a_second_and_tenants_do_not_wait_for_each_other():
    clock = FakeClock()
    pacer = Pacer(Pacing(per_tenant=50, per_conversation=7).rates, clock=clock)
    same = [pacer.reserve(tenant="t1", conversation="19:channel") for _ in range(3)]
    assert same == pytest.approx([0.0, 1 / 7, 2 / 7])
    assert pacer.reserve(tenant="t2", conversation="a:other") == 0.0


async def test_pacing_can_be_switched_off():
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)

    pacer = Pacer(Pacing(0, 0).rates, sleep=sleep)
    for _ in range(100):
        await pacer.wait(tenant="tenant", conversation="a:1")
    assert slept == []
