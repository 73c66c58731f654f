"""Small pieces several commands share."""

from __future__ import annotations

from datetime import date

from bot.context import Ask
from bot.replies import Actions, Button, Context, Paragraph, Reply
from restanse_core.calendar import long_date
from restanse_core.reports import Period


def d(day: date) -> str:
    """A date as people read it in the answers: 16.12.2019."""
    return long_date(day)


def no_snapshot(ask: Ask) -> Reply:
    return Reply((Paragraph(ask.bot.texts("common.no_snapshot")),))


def source_line(ask: Ask, period: Period) -> Context:
    t = ask.bot.texts
    text = t("common.from_snapshot", date=d(period.current.as_of))
    if period.previous:
        text += " " + t("common.compared", date=d(period.previous.as_of))
    return Context(text)


def guide_buttons(ask: Ask) -> Actions:
    t = ask.bot.texts
    buttons = [Button(t("common.show_guide"), "guide")]
    if url := ask.bot.guide_url():
        buttons.append(Button(t("common.guide_link"), "guide.link", url=url))
    return Actions(tuple(buttons))
