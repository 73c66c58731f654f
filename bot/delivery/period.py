"""A month's messages: planned from the snapshot for the day they go out, rendered, and kept in the outbox."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from bot import reply_json
from bot.delivery.mail import plan_mails
from bot.delivery.outbox import NewMessage, Outbox
from bot.delivery.port import Mail, Picture
from bot.nudge_texts import Rendered, plan_table, render_plan
from bot.replies import Actions, Block, Button, Image, Paragraph, Reply
from restanse_core import reports
from restanse_core.model import Organisation
from restanse_core.nudges import Kind, Plan
from restanse_core.planning import plan_for_period
from restanse_core.reports import UnitTable
from restanse_core.settings import default_data_dir
from restanse_core.store import repository

if TYPE_CHECKING:
    from bot.data import BotData

TABLE_MARK = "\x00TABELL\x00"
log = logging.getLogger("restansebot.delivery")


def period_key(as_of: date) -> str:
    """The period is the month of the snapshot."""
    return f"{as_of:%Y-%m}"


@dataclass(frozen=True)
class PlannedPeriod:
    key: str
    plan: Plan
    messages: list[NewMessage]


def _paragraphs(text: str) -> list[Block]:
    return [Paragraph(p.strip()) for p in text.split("\n\n") if p.strip()]


def _charts_dir(bot: BotData) -> Path:
    """Next to an SQLite database file; else (PostgreSQL) in the data directory."""
    url = bot.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / "charts"
    return default_data_dir() / "charts"


def _chart_file(bot: BotData, table: UnitTable, key: str) -> str | None:
    """The chart as a PNG file, for platforms that upload it (Slack); None if it cannot be written.

    The folder is named by what the chart shows: it is drawn once however often the period is planned, and a
    plan already in the outbox keeps its own chart when a corrected list for the same month comes in."""
    period = table.period
    shown = [
        period.current.as_of.isoformat(),
        period.previous.as_of.isoformat() if period.previous else None,
        [(u.code, u.name, u.count, u.previous) for u in table.lines],
        bot.texts.language,
    ]
    digest = hashlib.sha256(json.dumps(shown).encode()).hexdigest()[:16]
    path = _charts_dir(bot) / digest / f"restanser-{key}.png"
    if path.exists():
        return str(path)
    from bot.chart import chart_png  # matplotlib: only when a chart is drawn

    png = chart_png(table, bot.texts)
    part = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(png)
        part.replace(path)  # whole or not at all, also with two replicas drawing at once
    except OSError as exc:
        part.unlink(missing_ok=True)
        log.warning("Diagrammet for %s kunne ikke lagres i %s: %s", key, path.parent, exc)
        return None
    return str(path)


def to_reply(bot: BotData, rendered: Rendered, marked_text: str, plan: Plan, chart_url: str | None) -> Reply:
    """The message as a reply: paragraphs, the table as a real table, the guide as a button, the chart."""
    message = rendered.planned
    blocks: list[Block] = []
    if message.kind in (Kind.LEDER, Kind.ARKIV):
        marked = set(message.own_units) if message.kind == Kind.LEDER else None
        before, _, after = marked_text.partition(TABLE_MARK)
        blocks += [*_paragraphs(before), plan_table(plan, bot.texts, marked), *_paragraphs(after)]
        if chart_url:
            path = _chart_file(bot, plan.table, period_key(plan.as_of))
            blocks.append(Image(chart_url, bot.texts("nudges.chart_alt"), path=path))
    else:
        blocks += _paragraphs(rendered.text)
    if url := bot.guide_url():
        blocks.append(Actions((Button(bot.texts("common.guide_link"), "guide.link", url=url),)))
    first_line = rendered.text.strip().splitlines()[0] if rendered.text.strip() else ""
    return Reply(tuple(blocks), summary=first_line)


def _chart_picture(bot: BotData, plan: Plan, url: str | None) -> Picture | None:
    """The month's chart for the leaders' and arkiv's e-mail, inline; drawn where the chat gets it too."""
    if not url:
        return None
    key = period_key(plan.as_of)
    path = _chart_file(bot, plan.table, key)
    return Picture(f"restanser-{key}@restansebot", bot.texts("nudges.chart_alt"), path, url)


ChartUrl = Callable[[str], str | None]


def build_period(
    bot: BotData, as_of: date | None, send_date: date, chart_url: ChartUrl | None = None
) -> PlannedPeriod | None:
    """Plan the period of the month's list (default the newest) for its send day."""
    with bot.connect() as conn:
        period = reports.choose_period(conn, as_of, monthly=True)
        if period is None:
            return None
        org = repository.load_organisation(conn)
        plan = plan_for_period(conn, org, period, bot.settings, send_date, channels=bot.settings.channels)
    url = chart_url(period_key(plan.as_of)) if chart_url else None
    rendered = render_plan(plan, org, bot.settings, bot.texts, bot.guide_url())
    marked = render_plan(plan, org, bot.settings, bot.texts, bot.guide_url(), table_mark=TABLE_MARK)
    mails = plan_mails(
        plan, org, bot.settings, bot.texts, bot.guide, bot.guide_url(), _chart_picture(bot, plan, url)
    )
    messages = [
        NewMessage(
            kind=r.planned.kind.value,
            recipient=r.planned.recipient,
            unit=r.planned.unit if r.planned.kind != Kind.ARKIV else None,
            count=r.planned.count,
            text=r.text,
            reply=reply_json.dumps(to_reply(bot, r, m.text, plan, url)),
            mail=mail.to_json() if mail is not None else None,
        )
        for r, m, mail in zip(rendered, marked, mails, strict=True)
    ]
    key = period_key(plan.as_of)
    if bot.settings.test_recipient:  # test mode: a period of its own, every message marked for whom it was
        key = test_period(key)
        messages = [marked_for_test(bot, m, org) for m in messages]
    return PlannedPeriod(key, plan, messages)


TEST_SUFFIX = "-test"


def test_period(key: str) -> str:
    """The period a test run is recorded under, so the real one stays unsent."""
    return key + TEST_SUFFIX


def is_test_period(key: str) -> bool:
    return key.endswith(TEST_SUFFIX)


def marked_for_test(bot: BotData, message: NewMessage, org: Organisation) -> NewMessage:
    """The message as the test person gets it: first a line saying whom it was meant for."""
    t = bot.texts
    if message.kind == Kind.KANAL.value:
        meant = t("nudges.test_meant_channel", unit=message.recipient)
    else:
        person = org.people.get(message.recipient)
        meant = t(
            "nudges.test_meant", who=f"{person.name} ({message.recipient})" if person else message.recipient
        )
    reply = reply_json.loads(message.reply)
    marked_reply = Reply((Paragraph(meant), *reply.blocks), summary=f"[TEST] {reply.summary}")
    mail = Mail.from_json(message.mail) if message.mail else None
    if mail is not None:
        body = re.sub(
            r"(<body[^>]*>)",
            lambda b: b.group(1) + f"<p><strong>{escape(meant)}</strong></p>",
            mail.html,
            count=1,
        )
        mail = replace(mail, subject=f"[TEST] {mail.subject}", text=f"{meant}\n\n{mail.text}", html=body)
    return replace(
        message,
        text=f"{meant}\n\n{message.text}",
        reply=reply_json.dumps(marked_reply),
        mail=mail.to_json() if mail is not None else None,
    )


def plan_into_outbox(
    bot: BotData,
    outbox: Outbox,
    as_of: date | None,
    send_date: date,
    planned_by: str,
    chart_url: ChartUrl | None = None,
) -> tuple[str, bool] | None:
    """Store the period's plan unless it is already being sent; returns (period, newly stored)."""
    built = build_period(bot, as_of, send_date, chart_url)
    if built is None:
        return None
    stored = outbox.store_plan(
        built.key,
        built.plan.as_of,
        send_date,
        built.plan.deadline,
        built.messages,
        planned_by,
        bot.clock.now(),
    )
    return built.key, stored
