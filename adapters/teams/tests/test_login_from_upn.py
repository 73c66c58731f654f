"""`p360_login_from = "upn"`: the UPN Teams gives in the member look-up becomes the login of a person who has
none, so they can write off from the chat; otherwise the look-up leaves the logins alone. Through the real
server on 127.0.0.1 and the fake connector."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from adapters.teams.tests.conftest import ANONYMOUS, KARI, PUBLIC_URL, start_server
from adapters.teams.tests.fakes import FakeConnector, activity
from bot.bootstrap import Platforms, bootstrap
from restanse_core.clock import FixedClock
from restanse_core.settings import Settings

UPN = "kab@demokommune.onmicrosoft.com"
P360_ENV = {"RESTANSEBOT_P360_AUTHKEY": "key-for-the-test", "RESTANSEBOT_P360_CLIENTID": "client"}


def login_of(engine: Engine, initials: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT brukernavn FROM people WHERE initials = :i"), {"i": initials}
        ).scalar()


async def ask_once(engine: Engine, connector: FakeConnector, **p360: str) -> None:
    settings = Settings(
        database_url=str(engine.url),
        public_url=PUBLIC_URL,
        source="p360",
        p360_base_url="http://127.0.0.1:9",  # never asked here
        p360_from_date="2019-01-01",
        **{f"p360_{k}": v for k, v in p360.items()},
    )
    runtime = bootstrap(
        settings,
        platforms=Platforms.SERVE,
        clock=FixedClock(datetime(2019, 12, 20, 9, 0)),
        env={**ANONYMOUS, **P360_ENV},
    )
    assert runtime.app is not None
    server = await start_server(runtime.app, runtime)
    try:
        response = await server.post(activity("mine restanser", service_url=connector.url))
        assert response.status in (200, 202)
    finally:
        await server.stop()


async def test_with_login_from_upn_the_teams_upn_becomes_the_login(engine, connector):
    connector.member(KARI[0], KARI[1], upn=UPN, name="Kari Aune Brattås")
    assert login_of(engine, "KAB") is None

    await ask_once(engine, connector, login_from="upn")

    assert len(connector.lookups) == 1
    assert login_of(engine, "KAB") == UPN


async def test_by_default_the_member_look_up_leaves_the_login_alone(engine, connector):
    connector.member(KARI[0], KARI[1], upn=UPN, name="Kari Aune Brattås")

    await ask_once(engine, connector)

    assert len(connector.lookups) == 1
    assert login_of(engine, "KAB") is None
