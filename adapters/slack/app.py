"""Wiring: the Bolt AsyncApp with its Web API client, middleware and listeners, on the bot's aiohttp app.

Bolt checks every request's signature (and rejects old timestamps) before anything else runs; Socket Mode
connections need no signature, Slack authenticates them by the app token.
"""

from __future__ import annotations

import asyncio
import logging
import re

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.config import EVENTS_PATH, SlackConfig
from adapters.slack.identity import SlackIdentities
from adapters.slack.intake import body_problem, refuse
from adapters.slack.listeners import SLASH_COMMAND, Listeners
from adapters.slack.middleware import DropRetriedEvents, IgnoreNonPersonMessages, ResolveAsker
from adapters.slack.redact import quiet_logger
from adapters.slack.sending import SlackSender
from bot.delivery.pacing import Pacer
from bot.service import Restansebot

log = logging.getLogger("restansebot.slack")
# A monthly fan-out meets Slack's rate limits; the SDK's one retry is too few. Each retry waits Retry-After.
RATE_LIMIT_RETRIES = 8


def make_client(config: SlackConfig) -> AsyncWebClient:
    return AsyncWebClient(
        token=config.bot_token,
        base_url=config.api_url,
        logger=quiet_logger("restansebot.slack.web"),
        retry_handlers=[
            *async_default_handlers(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def build_bolt_app(
    config: SlackConfig, client: AsyncWebClient, listeners: Listeners, identities: SlackIdentities
) -> AsyncApp:
    logger = quiet_logger()
    # Bolt reads SLACK_BOT_TOKEN itself and warns that it goes unused next to our client (made from it).
    note = _WithoutMessage("`token` will be unused")
    logger.addFilter(note)
    try:
        app = AsyncApp(
            client=client, signing_secret=config.signing_secret or "", logger=logger, name="restansebot"
        )
    finally:
        logger.removeFilter(note)
    app.use(DropRetriedEvents())
    app.use(IgnoreNonPersonMessages())
    app.use(ResolveAsker(identities))
    app.event("message")(listeners.direct_message)
    app.event("app_mention")(listeners.mention)
    app.event("app_home_opened")(listeners.home_opened)
    app.command(SLASH_COMMAND)(listeners.slash_command)
    app.action(re.compile(r".+"))(listeners.button)
    return app


def standalone_sender(bot: Restansebot, config: SlackConfig) -> SlackSender:
    """A sending port with its own Web API client; it opens its HTTP session on first use (`close()` ends it)."""
    client = make_client(config)
    return SlackSender(client, SlackIdentities(bot, client), bot.texts, Pacer(config.pacing))


class _WithoutMessage(logging.Filter):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


class SlackAdapter:
    """The Slack side of the bot: what `mount` puts on the server, and the sending port it hands back."""

    def __init__(self, bot: Restansebot, config: SlackConfig) -> None:
        self.config = config
        self.client = make_client(config)
        self.identities = SlackIdentities(bot, self.client)
        self.listeners = Listeners(bot, self.client, self.identities, config.file_hosts)
        self.sender = SlackSender(self.client, self.identities, bot.texts, Pacer(config.pacing))
        self.bolt = build_bolt_app(config, self.client, self.listeners, self.identities)
        # Only HTTP requests are signed (and /slack/events exists only with a signing secret).
        self.verifier = SignatureVerifier(config.signing_secret) if config.signing_secret else None
        self._socket: AsyncSocketModeHandler | None = None
        self._connecting: asyncio.Task[None] | None = None

    def mount(self, app: web.Application) -> None:
        if self.config.signing_secret:
            app.router.add_post(EVENTS_PATH, self.handle)
        if not self.config.receives:
            log.warning(
                "Slack: bare utsending. Uten SLACK_SIGNING_SECRET (eller --slack-socket-mode med SLACK_APP_TOKEN) "
                "svarer ikke boten i Slack, og %s svarer 404.",
                EVENTS_PATH,
            )
        app.on_startup.append(self.start)
        app.on_cleanup.append(self.stop)

    async def handle(self, request: web.Request) -> web.Response:
        """Events API, slash commands and interactivity, all on one path, as Bolt does."""
        raw = await request.read()
        if problem := body_problem(raw, request.content_type):
            if self.verifier is None or not self.verifier.is_valid_request(raw, dict(request.headers)):
                return refuse(401, "signaturen stemmer ikke")
            return refuse(400, problem)
        response = await self.bolt.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def start(self, app: web.Application | None = None) -> None:
        # One connection pool for all Web API calls (the SDK otherwise opens a session per call).
        self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.client.timeout))
        if self.config.socket_mode:
            self._socket = AsyncSocketModeHandler(self.bolt, self.config.app_token, logger=quiet_logger())
            # In the background: the HTTP server (health check, Teams) must not wait for Slack.
            self._connecting = asyncio.create_task(self._socket.connect_async())
            log.info("Slack: kobler til med Socket Mode")

    async def stop(self, app: web.Application | None = None) -> None:
        if self._connecting is not None and not self._connecting.done():
            self._connecting.cancel()
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self.client.session is not None:
            await self.client.session.close()
            self.client.session = None
