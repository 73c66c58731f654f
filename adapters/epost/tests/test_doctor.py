"""`restansebot doctor` for e-mail: the transport answers as configured — connect, TLS, login; or a token."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import adapters.epost as epost
from adapters.epost.tests.fakes import FakeGraph, FakeSmtp, free_port
from bot.doctor import Finding, Severity
from bot.texts import Texts


async def doctor(env: dict[str, str]) -> list[Finding]:
    runtime: Any = SimpleNamespace(env=env, bot=SimpleNamespace(texts=Texts("nb")))
    return await epost.doctor(runtime)


def blocking(findings: list[Finding]) -> list[str]:
    return [f"{f.message} {f.fix}" for f in findings if f.severity == Severity.BLOCKING]


async def test_a_working_smtp_server_passes_connect_tls_and_login(smtp_server: FakeSmtp) -> None:
    findings = await doctor(smtp_server.env())
    assert blocking(findings) == []
    said = " ".join(f.message for f in findings)
    assert "svarer" in said and "starttls" in said and "innlogget som restansebot@k.no" in said
    assert smtp_server.received == []  # nothing is sent


async def test_a_wrong_password_blocks_and_names_the_setting(smtp_server: FakeSmtp) -> None:
    [problem] = blocking(await doctor(smtp_server.env(RESTANSEBOT_SMTP_PASSWORD="feil")))
    assert "535" in problem and "RESTANSEBOT_SMTP_PASSWORD" in problem and "feil" not in problem.split("(")[0]


async def test_no_server_on_the_port_blocks(trusted) -> None:
    env = FakeSmtp(trusted).env()  # never started: nobody listens
    env["RESTANSEBOT_SMTP_PORT"] = str(free_port())
    [problem] = blocking(await doctor(env))
    assert "får ikke kontakt" in problem and "RESTANSEBOT_SMTP_HOST" in problem


async def test_an_untrusted_certificate_blocks_at_starttls(smtp_server: FakeSmtp, monkeypatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    [problem] = blocking(await doctor(smtp_server.env()))
    assert "STARTTLS" in problem and smtp_server.logins == []


async def test_a_setting_in_error_blocks_with_its_name() -> None:
    [problem] = blocking(await doctor({"RESTANSEBOT_EMAIL_TRANSPORT": "smtp"}))
    assert "RESTANSEBOT_EMAIL_FROM" in problem


async def test_graph_passes_with_a_token_that_carries_mail_send(graph: FakeGraph) -> None:
    findings = await doctor(graph.env())
    assert blocking(findings) == [] and graph.tokens_issued == [f"{graph.url}/.default"]
    assert any("tilgangspolicy" in f.fix for f in findings)  # the advice to restrict Mail.Send


async def test_graph_blocks_without_mail_send_or_with_a_refused_secret(graph: FakeGraph) -> None:
    graph.roles = ["User.Read.All"]
    [problem] = blocking(await doctor(graph.env()))
    assert "Mail.Send" in problem
    [problem] = blocking(await doctor(graph.env(RESTANSEBOT_EMAIL_CLIENT_SECRET="feil")))
    assert "invalid_client" in problem and "RESTANSEBOT_EMAIL_CLIENT_SECRET" in problem


async def test_without_e_mail_configured_there_is_nothing_to_check() -> None:
    assert await doctor({}) == []
