"""Fixtures: a throw-away CA the clients trust, a real SMTP server and a fake Graph on 127.0.0.1, the demo data."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.epost.tests.fakes import Authority, FakeGraph, FakeSmtp


@pytest.fixture(scope="session")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def trusted(authority: Authority, monkeypatch: pytest.MonkeyPatch) -> Authority:
    """This process trusts the throw-away CA (as SSL_CERT_FILE and REQUESTS_CA_BUNDLE make any client do)."""
    for key, value in authority.env.items():
        monkeypatch.setenv(key, value)
    return authority


@pytest.fixture
def smtp_server(trusted: Authority) -> Iterator[FakeSmtp]:
    with FakeSmtp(trusted) as server:
        yield server


@pytest.fixture
async def graph(trusted: Authority) -> AsyncIterator[FakeGraph]:
    fake = await FakeGraph(trusted).start()
    yield fake
    await fake.stop()


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No e-mail setting leaks in from the developer's shell."""
    import os

    for key in list(os.environ):
        if key.startswith(("RESTANSEBOT_EMAIL", "RESTANSEBOT_SMTP", "RESTANSEBOT_GRAPH")):
            monkeypatch.delenv(key)
