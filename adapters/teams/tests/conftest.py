"""Fixtures: the demo data in a fresh SQLite file per test, the real server on 127.0.0.1, the fake connector."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import Engine

from adapters.teams.tests.fakes import FakeConnector, activity
from bot.bootstrap import Platforms, bootstrap
from bot.platform import Runtime
from bot.store import migrate_schema
from restanse_core.clock import FixedClock
from restanse_core.demo import create_demo_database
from restanse_core.settings import Settings
from restanse_core.store import make_engine

ANONYMOUS = {"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED": "true"}
PUBLIC_URL = "http://127.0.0.1:3978"
KARI = ("29:kari", "kari.aune.brattas@demo.kommune.no")  # KAB, saksbehandler in LMA with over 30 restanser
LIV = ("29:liv", "liv.myhr.lyngstad@demo.kommune.no")  # LMLED, leader of LMA
UNKNOWN = ("29:ukjent", "noen.andre@example.org")


@pytest.fixture(scope="session")
def demo_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    runtime = bootstrap(Settings(database_url=url))
    create_demo_database(runtime.engine, runtime.settings)
    runtime.engine.dispose()
    return path


@pytest.fixture
def db_url(demo_db_file: Path, tmp_path: Path) -> str:
    target = tmp_path / "restansebot.db"
    shutil.copy(demo_db_file, target)
    return f"sqlite:///{target}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    migrate_schema(engine)
    yield engine
    engine.dispose()


def make_runtime(
    engine: Engine, env: dict[str, str], host: str = "127.0.0.1", platforms: Platforms = Platforms.SERVE
) -> Runtime:
    settings = Settings(
        database_url=str(engine.url), public_url=PUBLIC_URL, records_link="https://elements.example/jp/{id}"
    )
    clock = FixedClock(datetime(2019, 12, 20, 9, 0))
    return bootstrap(settings, platforms=platforms, clock=clock, env=env, host=host)


@dataclass
class Server:
    """The bot's real aiohttp app, listening on 127.0.0.1."""

    url: str
    runtime: Runtime
    app: web.Application
    runner: web.AppRunner
    session: aiohttp.ClientSession

    async def post(
        self, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> aiohttp.ClientResponse:
        async with self.session.post(
            self.url + "/api/messages", json=body, headers=headers or {}
        ) as response:
            await response.read()
            return response

    async def stop(self) -> None:
        await self.session.close()
        await self.runner.cleanup()


async def start_server(app: web.Application, runtime: Runtime) -> Server:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return Server(f"http://127.0.0.1:{port}", runtime, app, runner, aiohttp.ClientSession())


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    fake.member(KARI[0], KARI[1].replace("kari", "Kari"), name="Kari Aune Brattås")
    fake.member(LIV[0], LIV[1], name="Liv Myhr Lyngstad")
    fake.member(UNKNOWN[0], UNKNOWN[1], name="Noen Andre")
    yield fake
    await fake.stop()


ServerFactory = Callable[..., Any]


@pytest.fixture
async def serve(engine: Engine) -> AsyncIterator[ServerFactory]:
    """Start the real server with the given environment (anonymous Teams by default)."""
    started: list[Server] = []

    async def factory(env: dict[str, str] | None = None) -> Server:
        runtime = make_runtime(engine, dict(ANONYMOUS if env is None else env))
        assert runtime.app is not None
        server = await start_server(runtime.app, runtime)
        started.append(server)
        return server

    yield factory
    for server in started:
        await server.stop()


@pytest.fixture
async def server(serve: ServerFactory) -> Server:
    return await serve()


@pytest.fixture
def say(server: Server, connector: FakeConnector) -> Callable[..., Any]:
    """Post an activity from a person and return what the connector received for it."""

    async def send(text: str | None = "mine restanser", **kwargs: Any) -> list[Any]:
        before = len(connector.activities)
        response = await server.post(activity(text, service_url=connector.url, **kwargs))
        assert response.status in (200, 202), response.status
        return connector.activities[before:]

    return send
