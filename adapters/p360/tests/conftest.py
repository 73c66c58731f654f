"""The fake 360 for the adapter's tests, and a 360 source pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.p360 import source as make_source
from adapters.p360.port import P360Source
from adapters.p360.tests.fakes import CLIENT_ID, Fake360
from restanse_core.settings import Settings

# The project's shared fixtures: a clean environment, databases (SQLite and PostgreSQL), the CLI in-process.
from tests.conftest import _clean_environment, cli, db_url, postgres_url, sqlite_url  # noqa: F401


def p360_settings(fake: Fake360, **extra: Any) -> Settings:
    options = {"p360_base_url": fake.base_url, "p360_from_date": "2019-01-01", "p360_window_days": 120}
    return Settings(source="p360", **options, **{f"p360_{k}": v for k, v in extra.items()})


def env(fake: Fake360) -> dict[str, str]:
    return {"RESTANSEBOT_P360_AUTHKEY": fake.key, "RESTANSEBOT_P360_CLIENTID": CLIENT_ID}


@pytest.fixture
async def fake() -> AsyncIterator[Fake360]:
    fake = Fake360(page_size=2)
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def p360(fake: Fake360) -> AsyncIterator[P360Source]:
    source = make_source(p360_settings(fake, writeoff_timeout_seconds=0.5), env(fake))
    yield source
    await source.close()
