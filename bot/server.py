"""The one HTTP application: /healthz, /guide, and whatever the configured chat adapters mount."""

from __future__ import annotations

import asyncio
import html
import logging

from aiohttp import web

from bot import watch
from bot.platform import Runtime
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
    period = runtime.bot.known_period  # (never waits for the data being prepared)
    return web.json_response(
        {
            "status": "ok",
            "platforms": sorted(runtime.senders),
            "snapshot": period.current.as_of.isoformat() if period else None,
            "scheduler_tick": tick.isoformat() if (tick := runtime.scheduler.last_tick) else None,
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
            snapshots = [
                s for s in repository.list_snapshots(conn) if f"{s.as_of:%Y-%m}" == key and s.monthly
            ]
            if not snapshots:
                raise web.HTTPNotFound(text="Ingen restanseliste for den perioden.")
            period = reports.choose_period(conn, max(s.as_of for s in snapshots), monthly=True)
            assert period is not None
            table = reports.unit_table(conn, repository.load_organisation(conn), period)
        cache[key] = chart_png(table, runtime.bot.texts)
    return web.Response(body=cache[key], content_type="image/png", headers={"Cache-Control": "max-age=3600"})


CHARTS: web.AppKey[dict[str, bytes]] = web.AppKey("charts", dict)


async def liveness(_: web.Request) -> web.Response:
    """The process answers (for the orchestrator's restart decision): always 200."""
    return web.json_response({"status": "alive"})


async def readiness(request: web.Request) -> web.Response:
    """Whether this replica can do its work: the database answers, the schema is current, and where a
    platform is configured, the scheduler runs. 503 with the failing checks otherwise."""
    runtime = request.app[RUNTIME]
    checks = await asyncio.to_thread(_readiness_checks, runtime)
    if all(v == "ok" for v in checks.values()):
        return web.json_response({"status": "ready", "checks": checks})
    return web.json_response({"status": "not ready", "checks": checks}, status=503)


def _readiness_checks(runtime: Runtime) -> dict[str, str]:
    from bot.store import schema_behind

    checks: dict[str, str] = {}
    try:
        behind = schema_behind(runtime.engine)
        checks["database"] = "ok"
        checks["migrations"] = "ok" if not behind else "behind: " + ", ".join(sorted(behind))
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
        checks["migrations"] = "unknown"
    if runtime.senders:
        checks["scheduler"] = "ok" if runtime.scheduler.running else "not running"
    return checks


async def _start_scheduler(app: web.Application) -> None:
    runtime = app[RUNTIME]
    runtime.deliveries.serve_on(asyncio.get_running_loop())
    if runtime.senders:
        runtime.scheduler.start()


async def _stop_delivery(app: web.Application) -> None:
    runtime = app[RUNTIME]
    runtime.scheduler.shutdown()
    runtime.deliveries.stop()
    await runtime.deliveries.wait()


def build_app(runtime: Runtime) -> web.Application:
    """The HTTP app without the platforms (bootstrap mounts those): guide, charts, health, the schedule."""
    app = web.Application()
    app[RUNTIME] = runtime
    app[CHARTS] = {}
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/liveness", liveness)
    app.router.add_get("/readiness", readiness)
    app.router.add_get("/guide", guide_page)
    app.router.add_get("/charts/{period:\\d{4}-\\d{2}}.png", chart_page)
    app.on_startup.append(_start_scheduler)
    app.on_shutdown.append(_stop_delivery)
    watch.wire(app, runtime.bot)
    return app
