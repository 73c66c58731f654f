"""`mine restanser`: the asker's own list, oldest first, and what has left it since the previous snapshot."""

from __future__ import annotations

from bot.commands.common import d, guide_buttons, no_snapshot, source_line
from bot.context import Ask
from bot.registry import Command
from bot.replies import Actions, Button, Heading, Item, ItemList, Paragraph, Reply
from restanse_core.model import Restanse


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    period = bot.period
    assert ask.asker is not None
    if period is None:
        return no_snapshot(ask)
    me = ask.asker.initials
    as_of = period.current.as_of
    figures = bot.person_figures(me)  # the count and what has left the list: worked out once per import
    count = figures.count
    items: list[Restanse] = bot.oldest(me, ask.offset) if count else []
    blocks: list = [Heading(t("mine.title"))]
    if count == 0:
        blocks.append(Paragraph(t("mine.none", date=d(as_of)), sensitive=True))
    else:
        blocks.append(Paragraph(t.plural("mine.count", count, date=d(as_of)), sensitive=True))
        if count >= bot.settings.threshold and ask.offset == 0:
            blocks.append(
                Paragraph(t("mine.over_threshold", threshold=bot.settings.threshold), sensitive=True)
            )
        if count > len(items) and ask.offset == 0:  # a shown list carries its days; a long one gets a summary
            age = figures.ages
            blocks.append(
                Paragraph(t("mine.ages", a=age.up_to_30, b=age.up_to_90, c=age.older), sensitive=True)
            )
        more = max(0, count - ask.offset - len(items))
        blocks.append(
            ItemList(
                tuple(
                    Item(
                        r.jp_id,
                        d(r.journal_date) if r.journal_date else "",
                        r.days_open(as_of),
                        r.shown_title,
                        bot.records_link(r.jp_id),
                    )
                    for r in items
                ),
                more=more,
                more_text=t("common.more", n=more),
            )
        )
        if more:
            next_offset = ask.offset + len(items)
            blocks.append(
                Actions((Button(t("common.next_page"), "mine.page", str(next_offset)),), sensitive=True)
            )
    if period.previous and ask.offset == 0:
        since = d(period.previous.as_of)
        if figures.left:
            text = t.plural("mine.left", figures.left, date=since)
            written = figures.left_written_off
            if written and period.current.has_writeoff_dates:
                text += " " + t("mine.left_written_off", n=written)
            blocks.append(Paragraph(text, sensitive=True))
        elif count:
            blocks.append(Paragraph(t("mine.left_none", date=since), sensitive=True))
    blocks += [source_line(ask, period), guide_buttons(ask)]
    return Reply(tuple(blocks), summary=t.plural("mine.count", count, date=d(as_of)).replace("**", ""))


COMMAND = Command(
    id="mine",
    aliases=(
        "mine restanser",
        "mine restansar",
        "my restanser",
        "my backlog",
        "restansene mine",
        "restansane mine",
        "mine",
        "restanser",
        "restansar",
        "restansene",
        "restansane",
        "backlog",
    ),
    help_key="commands.mine",
    handler=handle,
    examples=("mine restanser",),
    quick=True,
)
