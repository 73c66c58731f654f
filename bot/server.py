"""The one HTTP application: /healthz, /guide, and whatever the configured chat adapters mount."""

from __future__ import annotations

import html
import logging

from aiohttp import web

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
        }
    )


async def guide_page(request: web.Request) -> web.Response:
    return web.Response(
        text=guide_html(request.app[RUNTIME].bot.guide), content_type="text/html", charset="utf-8"
    )


def build_app(runtime: Runtime) -> web.Application:
    app = web.Application()
    app[RUNTIME] = runtime
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/guide", guide_page)
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
