"""E-mail: the procedure's own channel, for everyone the chat cannot reach — through an SMTP server
(aiosmtplib; login or XOAUTH2) or Microsoft Graph (sendMail as the archive's mailbox).

Configured by RESTANSEBOT_EMAIL_TRANSPORT and the variables in adapters/epost/config.py; see «E-post» in
README.md. E-mail sends only: a person's messages, never a unit's channel (UNIT_CHANNELS is False).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from adapters.epost.sending import EpostSender
    from bot.doctor import Finding
    from bot.platform import Runtime

NAME = "epost"
UNIT_CHANNELS = False  # `epost:` is refused in the `channels` setting


# Every CLI command imports this package: even its configuration is imported where it is used.
def configured(env: Mapping[str, str]) -> bool:
    from adapters.epost import config as _config

    return _config.configured(env)


def sender(runtime: Runtime) -> EpostSender:
    """The sending port (its connections open on first use; `close()` ends them).

    (Its implementation lives in `sending.py`: a submodule named `sender` would replace this function.)"""
    from adapters.epost import config as _config
    from adapters.epost.sending import EpostSender
    from bot.delivery.pacing import Pacer

    settings = _config.load_config(runtime.env)
    texts = runtime.bot.texts
    if settings.transport == "graph":
        from adapters.epost.graph import GraphTransport

        return EpostSender(settings, GraphTransport(settings, texts), texts, Pacer(settings.pacing))
    from adapters.epost.smtp import SmtpTransport

    return EpostSender(settings, SmtpTransport(settings, texts), texts, Pacer(settings.pacing))


def mount(app: web.Application, runtime: Runtime) -> EpostSender:
    """No routes: the server only gets the sending port, closed when the server stops."""
    port = sender(runtime)

    async def close(_: web.Application) -> None:
        await port.close()

    app.on_cleanup.append(close)
    return port


async def doctor(runtime: Runtime) -> list[Finding]:
    """Whether the mail service answers: connect, TLS and login (SMTP), or a token (Graph).

    (Its implementation lives in `checks.py`: a submodule named `doctor` would replace this function.)"""
    from adapters.epost.checks import check

    return await check(runtime.env)
