"""The one HTTP application: /healthz, /guide, and whatever the configured chat adapters mount."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable

from aiohttp import web

from bot import watch
from bot.platform import Runtime, discover_adapters
from restanse_core.guide import Guide

log = logging.getLogger("restansebot.server")
RUNTIME: web.AppKey[Runtime] = web.AppKey("runtime", Runtime)


def guide_html(guide: Guide) -> str:
    """The avskriving guide as a plain, readable page."""
    e = html.escape
    parts = [
        "<!doctype html><html lang='nb'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{e(guide.title)}</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.5;color:#1b1b1b}li{margin:.4rem 0}</style></head><body>",
        f"<h1>{e(guide.title)}</h1>",
        *(f"<p>{e(p)}</p>" for p in guide.intro),
        "<ol>",
        *(f"<li>{e(s)}</li>" for s in guide.steps),
        "</ol>",
        *(f"<p>{e(p)}</p>" for p in guide.outro),
        "</body></html>",
    ]
    return "\n".join(parts)


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    period = runtime.bot.period
    return web.json_response(
        {
            "status": "ok",
            "platforms": sorted(runtime.senders),
            "snapshot": period.current.as_of.isoformat() if period else None,
            "prepared": runtime.bot.prepared,  # everyone's figures for that snapshot worked out
        }
    )


async def guide_page(request: web.Request) -> web.Response:
    return web.Response(
        text=guide_html(request.app[RUNTIME].bot.guide), content_type="text/html", charset="utf-8"
    )


async def chart_page(request: web.Request) -> web.Response:
    """The month-over-month chart of a period (YYYY-MM), for Teams cards and links: counts only, no names."""
    from bot.chart import chart_png
    from restanse_core import reports
    from restanse_core.store import repository

    runtime = request.app[RUNTIME]
    key = request.match_info["period"]
    cache = request.app[CHARTS]
    if key not in cache:
        with runtime.engine.connect() as conn:
            snapshots = [s for s in repository.list_snapshots(conn) if f"{s.as_of:%Y-%m}" == key]
            if not snapshots:
                raise web.HTTPNotFound(text="Ingen restanseliste for den perioden.")
            period = reports.choose_period(conn, max(s.as_of for s in snapshots))
            assert period is not None
            table = reports.unit_table(conn, repository.load_organisation(conn), period)
        cache[key] = chart_png(table)
    return web.Response(body=cache[key], content_type="image/png", headers={"Cache-Control": "max-age=3600"})


CHARTS: web.AppKey[dict[str, bytes]] = web.AppKey("charts", dict)


def _wire_delivery(app: web.Application, runtime: Runtime) -> None:
    """The monthly reminders: a scheduler that plans and sends, and `send påminnelser` from chat."""
    from bot.delivery.deliver import Delivery, deliver_period
    from bot.delivery.outbox import Outbox
    from bot.delivery.sending import Sending
    from bot.delivery.workers import new_worker_id
    from bot.scheduler import NudgeScheduler

    outbox = Outbox(runtime.engine)
    worker = new_worker_id()
    deliveries: list[Delivery] = []

    async def deliver(period: str) -> object:
        delivery = Delivery(runtime.bot, outbox, runtime.senders, worker=worker)
        deliveries.append(delivery)
        try:
            return await deliver_period(delivery, period)
        finally:
            deliveries.remove(delivery)

    def chart_url(period: str) -> str:
        return f"{runtime.public_url}/charts/{period}.png"

    scheduler = NudgeScheduler(runtime.bot, outbox, deliver, worker, chart_url)
    tasks: set[asyncio.Future[object]] = set()

    def spawn(work: Awaitable[object]) -> None:
        task = asyncio.ensure_future(work)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    runtime.bot.sending = Sending(outbox, deliver, chart_url, spawn)

    async def start(_: web.Application) -> None:
        if runtime.senders:
            scheduler.start()

    async def stop(_: web.Application) -> None:
        scheduler.shutdown()
        for delivery in deliveries:
            delivery.stop.set()  # finish the message in hand, claim no more
        if tasks:
            await asyncio.wait(tasks, timeout=30)

    app.on_startup.append(start)
    app.on_shutdown.append(stop)


def build_app(runtime: Runtime) -> web.Application:
    app = web.Application()
    app[RUNTIME] = runtime
    app[CHARTS] = {}
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/guide", guide_page)
    app.router.add_get("/charts/{period:\\d{4}-\\d{2}}.png", chart_page)
    watch.wire(app, runtime.bot)
    for adapter in discover_adapters():
        mount = getattr(adapter, "mount", None)
        configured = getattr(adapter, "configured", None)
        if mount is None or configured is None or not configured(runtime.env):
            continue
        sender = mount(app, runtime)
        if sender is not None:
            runtime.senders[adapter.NAME] = sender
        log.info("%s er satt opp", adapter.NAME)
    if not runtime.senders:
        log.warning(
            "Ingen chatplattform er satt opp (Slack eller Teams): serveren svarer bare på /healthz og /guide."
        )
    return app
