"""SIF RPC over JSON: POST {base}/Biz/v2/api/call/SI.Data.RPC/SI.Data.RPC/{Service}/{Operation} with
{"parameter": …}. `Successful: false` is a refusal whatever the HTTP status. The key never reaches a log or a
message: errors are our own sentences, never aiohttp's (which would carry the URL, and with it `?authkey=`)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp

from adapters.p360.config import P360Config

PATH = "/Biz/v2/api/call/SI.Data.RPC/SI.Data.RPC/{service}/{operation}"
log = logging.getLogger("restansebot.p360")


class SifError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SifRefused(SifError):
    """360 answered `Successful: false`: it did not do it, and said why."""


class SifUnreachable(SifError):
    """360 could not be asked (no connection, the key refused): certainly nothing was done."""


class SifNoAnswer(SifError):
    """The call went out but no usable answer came back (a timeout, a dropped connection, a bare 5xx):
    360 may or may not have done it."""


class SifClient:
    def __init__(self, config: P360Config) -> None:
        self.config = config
        self._session: aiohttp.ClientSession | None = None

    def _auth(self) -> tuple[dict[str, str], dict[str, str]]:
        if self.config.settings.auth == "query":
            return {}, {"authkey": self.config.key}
        headers = {"Authorization": f"authkey {self.config.key}"}
        if self.config.client_id:
            headers["clientid"] = self.config.client_id
        return headers, {}

    async def call(
        self, service: str, operation: str, parameter: dict[str, Any] | None, *, timeout: float | None = None
    ) -> Any:
        """The answer's JSON. Raises SifRefused, SifUnreachable or SifNoAnswer with a plain message."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        url = self.config.settings.base_url + PATH.format(service=service, operation=operation)
        headers, params = self._auth()
        body = {"parameter": parameter} if parameter is not None else None
        limit = aiohttp.ClientTimeout(total=timeout or self.config.settings.timeout_seconds)
        what = f"{service}/{operation}"
        try:
            async with self._session.post(
                url, json=body, headers=headers, params=params, timeout=limit
            ) as response:
                status = response.status
                text = await response.text()
        except TimeoutError:
            raise SifNoAnswer(f"360 svarte ikke innen tidsfristen ({what}).") from None
        except aiohttp.ClientConnectorError:
            raise SifUnreachable(f"Får ikke kontakt med 360 på {self.config.settings.base_url}.") from None
        except (aiohttp.ClientError, asyncio.IncompleteReadError):
            raise SifNoAnswer(f"Forbindelsen til 360 brøt under {what}.") from None
        log.debug("%s: HTTP %s", what, status)  # never the body: it holds titles, names and the key's owner
        try:
            data = json.loads(text) if text.strip() else None
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("Successful") is False:
            reason = str(data.get("ErrorMessage") or "ingen forklaring").strip()
            raise SifRefused(reason)
        if status in (401, 403):
            raise SifUnreachable(f"360 avviste nøkkelen (HTTP {status}). Sjekk {self._key_names()}.")
        if status == 404:
            raise SifUnreachable(f"360 kjenner ikke {what} (HTTP 404). Sjekk p360_base_url.")
        if status >= 500 or (status >= 400 and data is None):
            raise SifNoAnswer(f"360 svarte med HTTP {status} på {what}.")
        if status >= 400:
            raise SifUnreachable(f"360 svarte med HTTP {status} på {what}.")
        return data

    def _key_names(self) -> str:
        from adapters.p360.config import CLIENT_ENV, KEY_ENV

        return KEY_ENV if self.config.settings.auth == "query" else f"{KEY_ENV} og {CLIENT_ENV}"

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
