"""Fixtures: a copy of the demo database per test, the fake Slack, and the bot's server in front of them."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.slack.tests.fakes import FakeSlack
from adapters.slack.tests.harness import KARI, LIV, STRANGER, UNNI, Server, slack_env, start_server
from bot.bootstrap import bootstrap
from restanse_core.demo import create_demo_database
from restanse_core.settings import Settings


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    runtime = bootstrap(Settings(database_url=f"sqlite:///{path}"))
    create_demo_database(runtime.engine, runtime.settings)
    runtime.engine.dispose()
    return path


@pytest.fixture
def db_url(demo_db_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "demo.db"
    shutil.copy(demo_db_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        for user_id, email in (KARI, LIV, UNNI, STRANGER):
            fake.add_user(user_id, email)
        yield fake


@pytest.fixture
async def server(db_url: str, fake_slack: FakeSlack) -> AsyncIterator[Server]:
    running, runner = await start_server(db_url, slack_env(fake_slack))
    yield running
    await running.http.close()
    await runner.cleanup()
    running.runtime.engine.dispose()
