"""The one composition root: settings → database and migrations → the bot → the platforms' senders →
outbox, delivery and scheduler → the HTTP app. Every entry point (each CLI command, `serve`, `demo`,
`shell`, the tests) builds the house here; tests inject fakes for the remote platforms.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from bot.delivery.port import Sender
from bot.delivery.routing import check_channel_settings
from bot.platform import Runtime, adapters, configured_adapters
from bot.scheduler import NudgeScheduler
from bot.service import Restansebot
from bot.sources import records_for
from bot.store import migrate_schema
from restanse_core.clock import Clock, default_clock
from restanse_core.settings import Settings
from restanse_core.store import make_engine

log = logging.getLogger("restansebot.bootstrap")


class Platforms(StrEnum):
    """How much of the platforms to build."""

    NONE = "none"  # answering only (the terminal, reports, imports)
    SEND = "send"  # the configured platforms' sending ports, no server (`nudges send`)
    SERVE = "serve"  # the HTTP app with every configured platform mounted (`serve`)


def bootstrap(
    settings: Settings,
    *,
    platforms: Platforms = Platforms.NONE,
    clock: Clock | None = None,
    env: Mapping[str, str] | None = None,
    senders: Mapping[str, Sender] | None = None,
    host: str = "127.0.0.1",
    port: int = 3978,
    options: Mapping[str, Any] | None = None,
    migrate: bool = True,
) -> Runtime:
    """Build the running bot. `senders` replace (or add to) the configured platforms' — fakes in tests."""
    clock = clock or default_clock()
    env = dict(os.environ) if env is None else dict(env)
    public_url = (settings.public_url or f"http://{host}:{port}").rstrip("/")
    if platforms is Platforms.SERVE and not settings.public_url:
        settings = settings.model_copy(update={"public_url": public_url})

    if platforms is not Platforms.NONE:  # which channel names exist is known from the adapters
        check_channel_settings(settings, adapters())
    engine = make_engine(settings.database_url)
    if migrate:
        migrate_schema(engine)

    filled: dict[str, Sender] = {}  # filled below, once the platforms that need the bot are built
    records = records_for(engine, settings, clock, env)
    bot = Restansebot(engine, settings, clock, senders=filled, records=records)
    scheduler = NudgeScheduler(
        bot, bot.sending.outbox, bot.sending.deliver, bot.sending.worker, bot.chart_url
    )
    runtime = Runtime(
        settings=settings,
        engine=engine,
        bot=bot,
        clock=clock,
        public_url=public_url,
        outbox=bot.sending.outbox,
        deliveries=bot.sending,
        scheduler=scheduler,
        host=host,
        port=port,
        env=env,
        options=dict(options or {}),
        senders=filled,
    )
    if platforms is Platforms.SERVE:
        from bot.server import build_app  # aiohttp: only for the server

        runtime.app = build_app(runtime)
        from bot.sync_schedule import wire_sync

        wire_sync(runtime.app, runtime)  # the nightly list from the records system, when a source is set up
        for adapter in configured_adapters(env):
            if (mount := getattr(adapter, "mount", None)) is not None:
                if (sender := mount(runtime.app, runtime)) is not None:
                    filled[adapter.NAME] = sender
                log.info("%s er satt opp", adapter.NAME)
    elif platforms is Platforms.SEND:
        for adapter in configured_adapters(env):
            if (make := getattr(adapter, "sender", None)) is not None and (
                sender := make(runtime)
            ) is not None:
                filled[adapter.NAME] = sender
    filled.update(senders or {})
    if platforms is Platforms.SERVE and not filled:
        log.warning(
            "Ingen kanal for utsending er satt opp (Slack, Teams eller e-post): serveren svarer på /guide, "
            "/liveness og /readiness, men sender ingenting."
        )
    return runtime
