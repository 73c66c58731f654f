"""`avskrivinger` (arkiv): the write-offs made from the bot in the last 30 days — when, who, which item, the code,
how it went and the records system's answer. The note people wrote is not kept, so it is not shown."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Ask
from bot.registry import Command
from bot.replies import Heading, Paragraph, Reply, Table
from bot.texts import Texts
from restanse_core.clock import OSLO
from restanse_core.model import Rolle
from restanse_core.store import live

DAYS = 30


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    with bot.connect() as conn:
        entries = live.writeoff_log(conn, bot.clock.now() - timedelta(days=DAYS))
    if not entries:
        text = t("avskrivinger.none", days=DAYS)
        return Reply((Paragraph(text),), summary=text)
    title = t("avskrivinger.title", days=DAYS)
    rows = tuple(
        (
            f"{e.requested_at.astimezone(OSLO):%d.%m.%Y %H:%M}",
            e.person,
            e.jp_id,
            e.method,
            _status(t, e.status),
            e.answer or "",
        )
        for e in reversed(entries)  # the newest first
    )
    columns = tuple(t(f"avskrivinger.{c}") for c in ("when", "who", "item", "method", "status", "answer"))
    return Reply((Heading(title), Table(columns, rows, sensitive=True)), summary=title)


def _status(t: Texts, status: str) -> str:
    key = f"avskrivinger.status_words.{status}"
    return t(key) if t.has(key) else status


COMMAND = Command(
    id="avskrivinger",
    aliases=("avskrivinger", "avskrivingar", "avskrivinger fra boten", "write-offs", "write offs"),
    help_key="avskrivinger.help",
    handler=handle,
    roles=frozenset({Rolle.ARKIV}),
    needs_source=True,
)
