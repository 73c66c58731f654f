"""Sending through an SMTP server with aiosmtplib: STARTTLS or TLS, login or XOAUTH2, a few connections kept
open for the fan-out.

What the server's answer means for the outbox: 250 after the data — the mail service has the message; a 5xx
for the recipient or the message — permanent, with the server's text; a 4xx — try again later. A connection
lost after the message data was sent and before the server answered may have delivered it: that is reported
as possibly sent (the outbox marks it uncertain), never blindly resent. A connection lost before the data is
safe to try again, and a kept connection the server has closed meanwhile is replaced at once.
"""

from __future__ import annotations

import asyncio
import logging
import time

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPDataError,
    SMTPException,
    SMTPRecipientRefused,
    SMTPResponseException,
    SMTPSenderRefused,
    SMTPServerDisconnected,
)

from adapters.epost.config import OUTLOOK_SCOPE, EmailConfig, Smtp
from adapters.epost.tokens import TokenError, Tokens
from bot.delivery.port import DeliveryError
from bot.texts import Texts

log = logging.getLogger("restansebot.epost")
TIMEOUT_SECONDS = 60.0
IDLE_SECONDS = (
    50.0  # a kept connection idle longer than this is closed rather than reused (servers drop them)
)
MAX_TEXT = 200  # characters of a server's answer kept in a reason


def server_text(exc: SMTPResponseException) -> str:
    return " ".join(exc.message.split())[:MAX_TEXT]


class SmtpTransport:
    def __init__(self, config: EmailConfig, texts: Texts) -> None:
        assert config.smtp is not None
        self.config = config
        self.smtp: Smtp = config.smtp
        self.texts = texts
        self.tokens = (
            Tokens(config.entra, OUTLOOK_SCOPE) if config.entra and self.smtp.auth == "xoauth2" else None
        )
        self._slots = asyncio.Semaphore(self.smtp.connections)
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []

    # ---- connections ---------------------------------------------------------------------------------

    async def connect(self) -> aiosmtplib.SMTP:
        """A new connection, secured and logged in as configured. Raises DeliveryError (transient)."""
        smtp = self.smtp
        client = aiosmtplib.SMTP(
            hostname=smtp.host,
            port=smtp.port,
            use_tls=smtp.security == "tls",
            start_tls=smtp.security == "starttls",
            timeout=TIMEOUT_SECONDS,
        )
        try:
            await client.connect()
            if smtp.auth == "login":
                assert smtp.username and smtp.password
                await client.login(smtp.username, smtp.password)
            elif smtp.auth == "xoauth2":
                assert self.tokens is not None and smtp.username
                await client.auth_xoauth2(smtp.username, await self.tokens.get())
        except SMTPAuthenticationError as exc:
            client.close()
            raise self._login_failed(f"{exc.code} {server_text(exc)}") from None
        except TokenError as exc:
            client.close()
            raise DeliveryError(
                self.texts("epost.token_failed", detail=exc.detail), permanent=False
            ) from None
        except (SMTPException, OSError) as exc:  # refused, timed out, TLS, no STARTTLS, no AUTH offered
            client.close()
            raise self._unreachable(exc) from None
        return client

    def _login_failed(self, detail: str) -> DeliveryError:
        settings = (
            "RESTANSEBOT_EMAIL_TENANT_ID, RESTANSEBOT_EMAIL_CLIENT_ID og SMTP.SendAsApp for appen"
            if self.smtp.auth == "xoauth2"
            else "RESTANSEBOT_SMTP_USERNAME og RESTANSEBOT_SMTP_PASSWORD"
        )
        return DeliveryError(
            self.texts("epost.login_failed", detail=detail, settings=settings), permanent=False
        )

    def _unreachable(self, exc: BaseException) -> DeliveryError:
        detail = str(exc).splitlines()[0][:MAX_TEXT] if str(exc) else type(exc).__name__
        log.warning("Fikk ikke kontakt med e-posttjenesten %s: %s", self.config.where, detail)
        return DeliveryError(
            self.texts("epost.unreachable", server=self.config.where, detail=detail), permanent=False
        )

    async def _take(self) -> tuple[aiosmtplib.SMTP, bool]:
        """A kept connection that is still fresh, else a new one; and whether it was kept."""
        now = time.monotonic()
        while self._idle:
            client, since = self._idle.pop()
            if client.is_connected and now - since < IDLE_SECONDS:
                return client, True
            client.close()
        return await self.connect(), False

    def _keep(self, client: aiosmtplib.SMTP) -> None:
        if client.is_connected:
            self._idle.append((client, time.monotonic()))

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client, _ in idle:
            try:
                await client.quit()
            except (SMTPException, OSError):
                client.close()

    # ---- one message ---------------------------------------------------------------------------------

    async def send(self, sender: str, recipient: str, message: bytes) -> None:
        """Hand one message for one recipient to the server; returns when the server has taken it (250)."""
        async with self._slots:
            client = await self._envelope(sender, recipient, len(message))
            try:
                await client.data(message)
            except SMTPDataError as exc:
                self._keep(client)  # the server answered: the connection is still good for the next one
                text = self.texts("epost.rejected", code=exc.code, text=server_text(exc))
                raise self._refusal(exc, text) from None
            except (SMTPException, OSError) as exc:  # lost after the data may have gone: never blindly again
                client.close()
                detail = type(exc).__name__
                raise DeliveryError(
                    self.texts("epost.lost_answer", detail=detail), permanent=False, maybe_sent=True
                ) from None
            self._keep(client)

    async def _envelope(self, sender: str, recipient: str, size: int) -> aiosmtplib.SMTP:
        """MAIL FROM and RCPT TO on a connection; nothing of the message has been sent if this fails."""
        for attempt in (1, 2):
            client, kept = await self._take()
            try:
                options = [f"SIZE={size}"] if client.supports_extension("size") else []
                await client.mail(sender, options=options)
                await client.rcpt(recipient)
                return client
            except SMTPRecipientRefused as exc:
                await self._reset(client)
                text = self.texts("epost.refused", email=recipient, code=exc.code, text=server_text(exc))
                raise self._refusal(exc, text) from None
            except SMTPSenderRefused as exc:
                await self._reset(client)
                raise DeliveryError(
                    self.texts("epost.sender_refused", sender=sender, code=exc.code, text=server_text(exc)),
                    permanent=False,
                ) from None
            except SMTPResponseException as exc:
                await self._reset(client)
                text = self.texts("epost.rejected", code=exc.code, text=server_text(exc))
                raise self._refusal(exc, text) from None
            except (SMTPServerDisconnected, OSError, SMTPException) as exc:
                client.close()
                if kept and attempt == 1:
                    continue  # the server had closed the kept connection: a fresh one, at once
                raise self._unreachable(exc) from None
        raise AssertionError("unreachable")

    async def _reset(self, client: aiosmtplib.SMTP) -> None:
        """RSET after a refusal, so the connection can carry the next message."""
        try:
            await client.rset()
            self._keep(client)
        except (SMTPException, OSError):
            client.close()

    def _refusal(self, exc: SMTPResponseException, reason: str) -> DeliveryError:
        """5xx: the server will not take it, ever; 4xx: later."""
        if exc.code >= 500:
            return DeliveryError(reason, permanent=True)
        return DeliveryError(
            self.texts("epost.deferred", code=exc.code, text=server_text(exc)), permanent=False
        )
