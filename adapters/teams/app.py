"""Wiring: the Agents SDK's CloudAdapter and AgentApplication on the shared aiohttp app, at /api/messages.

Teams gets its own aiohttp sub-application under /api: the SDK's JWT check (`jwt_authorization_decorator`)
reads its settings from `request.app`, so they live on Teams' sub-app only, and the check guards the Teams
route and nothing else on the server (not the Slack routes beside it).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

from aiohttp import web
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    ChannelServiceClientFactoryBase,
    MemoryStorage,
    OutboundHostValidator,
    RestChannelServiceClientFactory,
    TurnState,
)
from yarl import URL

from adapters.teams.config import TeamsConfig, is_loopback_host, is_loopback_url, while_someone_waits
from adapters.teams.handlers import TeamsHandlers
from adapters.teams.identity import TeamsPeople
from adapters.teams.intake import QuietValidation, activity_problem, refuse, token_problem
from adapters.teams.references import References
from adapters.teams.sending import TeamsSender
from bot.identities import ConversationStore, IdentityStore
from bot.platform import Runtime
from restanse_core.errors import UserError

log = logging.getLogger("restansebot.teams")
PREFIX, ROUTE = "/api", "/messages"  # together: /api/messages
ANONYMOUS_BANNER = "\n".join((
    "",
    "!" * 78,
    "  TEAMS KJØRER I ANONYM MODUS (CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED=true).",
    "  Ingen token sjekkes. Bare for lokale prøver: serveren lytter på %s og svarer bare",
    "  aktiviteter med serviceUrl på denne maskinen. Sett opp Azure Bot-legitimasjon for drift.",
    "!" * 78,
))  # fmt: skip


class LoopbackServiceUrls(OutboundHostValidator):
    """Anonymous mode: answer only activities whose serviceUrl is on this machine.

    Without a token nobody vouches for the serviceUrl; a caller could otherwise name any identity service and
    have the bot send anyone's restanser there.
    """

    def __init__(self) -> None:
        super().__init__(enabled=True, include_default_microsoft_hosts=False)

    def is_allowed(self, url: str | URL) -> bool:
        return is_loopback_url(str(url))


@dataclass
class Teams:
    web_app: web.Application
    agent: AgentApplication[TurnState]
    adapter: CloudAdapter
    sender: TeamsSender
    handlers: TeamsHandlers

    async def close(self, _app: web.Application | None = None) -> None:
        await self.sender.close()


def connection_manager(config: TeamsConfig) -> MsalConnectionManager:
    """The SDK's MSAL connections from the CONNECTIONS__* settings; a setting it rejects stops the start."""
    try:
        return MsalConnectionManager(**config.sdk)
    except ValueError as exc:  # e.g. AUTHTYPE=certificate without CERTPFXFILE
        raise UserError(f"Teams: {exc} (se CONNECTIONS__SERVICE_CONNECTION__SETTINGS__*)") from None


def standalone_sender(runtime: Runtime, config: TeamsConfig) -> TeamsSender:
    """The sending port without the HTTP route: for `restansebot nudges send`."""
    factory = RestChannelServiceClientFactory(connection_manager(config))
    references = References(ConversationStore(runtime.engine, "teams"))
    return TeamsSender(references=references, factory=factory, config=config, texts=runtime.bot.texts)


def build(
    runtime: Runtime,
    config: TeamsConfig,
    *,
    client_factory: ChannelServiceClientFactoryBase | None = None,
    host_validator: OutboundHostValidator | None = None,
) -> Teams:
    """The Teams side of the server. Tests may pass a client factory and host validator of their own."""
    connections = connection_manager(config)
    factory = client_factory or RestChannelServiceClientFactory(connections)
    if host_validator is None:
        # With credentials, Bot Framework vouches for the caller; the serviceUrl must still be a Microsoft host.
        host_validator = (
            LoopbackServiceUrls()
            if config.anonymous
            else OutboundHostValidator(list(config.service_hosts), enabled=True)
        )
    adapter = CloudAdapter(channel_service_client_factory=factory, host_validator=host_validator)
    options = ApplicationOptions(
        storage=MemoryStorage(),
        bot_app_id=config.client_id or "",
        start_typing_timer=False,  # answers take milliseconds; a typing indicator would double the traffic
        turn_state_factory=TurnState,  # no conversation/user state: nothing is read or written per turn
    )
    agent = AgentApplication[TurnState](options, connection_manager=connections)
    references = References(ConversationStore(runtime.engine, "teams"))
    sender = TeamsSender(references=references, factory=factory, config=config, texts=runtime.bot.texts)
    quick = while_someone_waits(config.retry)
    people = TeamsPeople(runtime.bot, IdentityStore(runtime.engine, "teams"), references, quick, factory)
    handlers = TeamsHandlers(runtime.bot, people, references, sender, quick, config.file_hosts)
    handlers.register(agent)
    adapter.on_turn_error = handlers.on_error  # the SDK's default would show the exception text to the user

    async def messages(request: web.Request) -> web.StreamResponse:
        if config.anonymous and not is_loopback_host(request.remote):
            return web.json_response({"error": "Anonymous mode answers loopback only"}, status=401)
        if problem := activity_problem(await request.read()):
            return refuse(400, problem)
        response = await adapter.process(request, agent)
        return response if response is not None else web.Response(status=202)

    authorized = jwt_authorization_decorator(messages)

    async def entry(request: web.Request) -> web.StreamResponse:
        if problem := token_problem(request.headers.get("Authorization")):
            return refuse(401, problem)
        return await authorized(request)

    app = web.Application()
    with warnings.catch_warnings():  # the SDK looks its settings up by this plain string key
        warnings.simplefilter("ignore", web.NotAppKeyWarning)
        app["agent_configuration"] = connections.get_default_connection_configuration()
    app.router.add_post(ROUTE, entry)
    _quiet(logging.getLogger("microsoft_agents.activity.activity"))
    # ... and keeps the claims on the request under a plain string key too: harmless, but it warns.
    warnings.filterwarnings(
        "ignore", category=web.NotAppKeyWarning, module=r"microsoft_agents\.hosting\.aiohttp\."
    )
    return Teams(app, agent, adapter, sender, handlers)


def _quiet(logger: logging.Logger) -> None:
    if not any(isinstance(f, QuietValidation) for f in logger.filters):
        logger.addFilter(QuietValidation())


def attach(
    app: web.Application,
    runtime: Runtime,
    config: TeamsConfig,
    *,
    client_factory: ChannelServiceClientFactoryBase | None = None,
    host_validator: OutboundHostValidator | None = None,
) -> Teams:
    """Build Teams and mount it on the shared app at /api/messages."""
    config.check_listening(runtime.host)
    teams = build(runtime, config, client_factory=client_factory, host_validator=host_validator)
    app.add_subapp(PREFIX, teams.web_app)
    app.on_cleanup.append(teams.close)
    if config.anonymous:
        # Every anonymous turn would otherwise log that the user token client has no app id.
        logging.getLogger("microsoft_agents.hosting.core.connector.client.user_token_client").setLevel(
            logging.ERROR
        )
        log.warning(ANONYMOUS_BANNER, runtime.host)
    return teams
