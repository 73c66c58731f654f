"""Access tokens from Microsoft Entra ID by client credentials (MSAL): for Graph's sendMail, and for SMTP
AUTH XOAUTH2 against Exchange Online. MSAL is synchronous (requests), so it runs in a worker thread; it keeps
the token in memory and hands it out again until shortly before it expires."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from adapters.epost.config import Entra

log = logging.getLogger("restansebot.epost")
TIMEOUT_SECONDS = 30


class TokenError(Exception):
    """No token: `detail` says why (MSAL's error code or the kind of failure, never a secret)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Tokens:
    def __init__(self, entra: Entra, scope: str) -> None:
        self.entra = entra
        self.scope = scope
        self._app: Any = None
        self._lock = threading.Lock()  # one MSAL application, built once, even with several senders waiting

    async def get(self) -> str:
        """A token for the scope (from MSAL's cache when it still has one). Raises TokenError."""
        result = await asyncio.to_thread(self._acquire)
        token = result.get("access_token")
        if not token:
            # error_description can quote the request; the error code says enough and holds no secret.
            error = str(result.get("error") or "ukjent feil")
            log.error("Fikk ikke token fra Microsoft Entra ID: %s", error)
            raise TokenError(error)
        return str(token)

    def forget(self) -> None:
        """Drop the kept token (the service refused it): the next `get` asks Entra ID afresh."""
        with self._lock:
            self._app = None

    def _acquire(self) -> dict[str, Any]:
        try:
            with self._lock:
                if self._app is None:
                    import msal  # slow to import: only where e-mail goes through Entra ID

                    self._app = msal.ConfidentialClientApplication(
                        self.entra.client_id,
                        client_credential=self.entra.client_secret,
                        authority=self.entra.authority_url,
                        instance_discovery=False,  # the authority is configured; no look-up at Microsoft
                        timeout=TIMEOUT_SECONDS,
                    )
                app = self._app
            result: dict[str, Any] = app.acquire_token_for_client(scopes=[self.scope])
            return result
        except Exception as exc:  # network, TLS, an authority MSAL refuses: the kind of failure is enough
            with self._lock:
                self._app = None  # try discovery afresh next time
            raise TokenError(type(exc).__name__) from None
