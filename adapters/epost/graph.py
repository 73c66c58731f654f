"""Sending through Microsoft Graph: POST /users/{from}/sendMail with the MIME message (base64), as the app
(client credentials, permission Mail.Send — which the tenant should restrict to the archive's mailbox).

202 means Exchange has taken the message. 400 and 413 are refusals of this message (permanent); 429 and 5xx
are worth trying later (Retry-After honoured); 401 gets a new token once; 403 and 404 are the app's
permission or the mailbox, which the administrator must fix (tried again later, reported with the reason). A
connection lost after the request was sent may have delivered it: reported as possibly sent, never resent.
"""

from __future__ import annotations

import base64
import logging
import ssl
from typing import Any
from urllib.parse import quote

import aiohttp

from adapters.epost.config import EmailConfig
from adapters.epost.tokens import TokenError, Tokens
from bot.delivery.port import DeliveryError
from bot.texts import Texts

log = logging.getLogger("restansebot.epost")
TIMEOUT_SECONDS = 60.0
MAX_TEXT = 200


def _retry_after(response: aiohttp.ClientResponse) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


async def _error_detail(response: aiohttp.ClientResponse) -> str:
    """Graph's error code and message (they name the problem, not the message's content)."""
    try:
        body: Any = await response.json(content_type=None)
        error = body.get("error") or {}
        text = f"{error.get('code', '')}: {error.get('message', '')}".strip(": ")
    except (ValueError, AttributeError, aiohttp.ClientError):
        text = response.reason or ""
    return " ".join(text.split())[:MAX_TEXT] or str(response.status)


class GraphTransport:
    def __init__(self, config: EmailConfig, texts: Texts) -> None:
        assert config.entra is not None
        self.config = config
        self.texts = texts
        self.tokens = Tokens(config.entra, f"{config.graph_url}/.default")
        self.url = f"{config.graph_url}/v1.0/users/{quote(config.sender)}/sendMail"
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            # The system's trust store as it is now (SSL_CERT_FILE honoured), for Graph and nothing else.
            connector = aiohttp.TCPConnector(ssl=ssl.create_default_context())
            timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
            self._session = aiohttp.ClientSession(connector=connector, timeout=timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def token(self) -> str:
        try:
            return await self.tokens.get()
        except TokenError as exc:
            raise DeliveryError(
                self.texts("epost.token_failed", detail=exc.detail), permanent=False
            ) from None

    async def send(self, sender: str, recipient: str, message: bytes) -> None:
        """Hand one message to Exchange through Graph; returns when Graph has accepted it (202)."""
        body = base64.b64encode(message)
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {await self.token()}", "Content-Type": "text/plain"}
            try:
                async with self._open().post(self.url, data=body, headers=headers) as response:
                    if response.status == 202:
                        return
                    if response.status == 401 and attempt == 1:
                        self.tokens.forget()
                        continue
                    raise await self._error(response, sender)
            except aiohttp.ClientConnectorError as exc:  # never connected: nothing was sent
                raise DeliveryError(
                    self.texts("epost.unreachable", server=self.config.where, detail=type(exc).__name__),
                    permanent=False,
                ) from None
            except (TimeoutError, aiohttp.ClientError) as exc:  # sent, answer lost: it may have landed
                raise DeliveryError(
                    self.texts("epost.lost_answer", detail=type(exc).__name__),
                    permanent=False,
                    maybe_sent=True,
                ) from None
        raise AssertionError("unreachable")

    async def _error(self, response: aiohttp.ClientResponse, sender: str) -> DeliveryError:
        status = response.status
        detail = await _error_detail(response)
        log.warning("Microsoft Graph svarte HTTP %s: %s", status, detail)
        if status in (400, 413):
            return DeliveryError(
                self.texts("epost.graph_rejected", status=status, detail=detail), permanent=True
            )
        if status in (401, 403, 404):
            text = self.texts("epost.graph_forbidden", sender=sender, status=status, detail=detail)
            return DeliveryError(text, permanent=False)
        if status == 429:
            return DeliveryError(
                self.texts("epost.graph_busy", status=status),
                permanent=False,
                retry_after=_retry_after(response),
            )
        return DeliveryError(
            self.texts("epost.graph_unavailable", status=status),
            permanent=False,
            retry_after=_retry_after(response),
        )
