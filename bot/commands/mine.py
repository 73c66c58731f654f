"""`mine restanser`: the asker's own list, oldest first, and what has left it since the previous snapshot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import avskriv
from bot.commands.common import d, guide_buttons, no_snapshot, source_line
from bot.context import Ask
from bot.registry import Action, Command
from bot.replies import Actions, Button, Context, Heading, Item, ItemList, Paragraph, Reply
from restanse_core import reports
from restanse_core.model import Restanse
from restanse_core.sources.writeoff import shared_note_text

NEXT_PAGE = "mine.page"


def last_page_start(offset: int, count: int, page: int) -> int:
    """A "next page" offset past the end of the list (an old button, a forged value) shows the last page."""
    if offset < count:
        return max(0, offset)
    return (count - 1) // page * page if count else 0


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
    offset = last_page_start(ask.offset, count, bot.settings.list_length)
    items: list[Restanse] = bot.oldest(me, offset) if count else []
    offer = WriteOffOffer.of(ask)
    blocks: list = [Heading(t("mine.title"))]
    if count == 0:
        blocks.append(Paragraph(t("mine.none", date=d(as_of)), sensitive=True))
    else:
        blocks.append(Paragraph(t.plural("mine.count", count, date=d(as_of)), sensitive=True))
        if count >= bot.settings.threshold and offset == 0:
            blocks.append(
                Paragraph(t("mine.over_threshold", threshold=bot.settings.threshold), sensitive=True)
            )
        if count > len(items) and offset == 0:  # a shown list carries its days; a long one gets a summary
            age = figures.ages
            blocks.append(
                Paragraph(t("mine.ages", a=age.up_to_30, b=age.up_to_90, c=age.older), sensitive=True)
            )
        more = max(0, count - offset - len(items))
        blocks.append(
            ItemList(
                tuple(
                    Item(
                        r.jp_id,
                        d(r.journal_date) if r.journal_date else "",
                        r.days_open(as_of),
                        r.shown_title,
                        bot.records_link(r.jp_id),
                        age=t.age(days) if (days := r.days_open(as_of)) is not None else "",
                        button=offer.button(r),
                    )
                    for r in items
                ),
                more=more,
                more_text=t("common.more", n=more),
            )
        )
        if offer.why_not:
            blocks.append(Context(offer.why_not, sensitive=True))
        shared = [r.jp_id for r in items if offer.shared(r)]
        if shared:
            blocks.append(Context(f"{', '.join(shared)}: {offer.shared_text}", sensitive=True))
        if more:
            next_offset = offset + len(items)
            blocks.append(
                Actions((Button(t("common.next_page"), NEXT_PAGE, str(next_offset)),), sensitive=True)
            )
    if period.previous and offset == 0:
        since = d(period.previous.as_of)
        if figures.left:
            parts = left_parts(ask, figures, period.current.has_writeoff_dates)
            text = t.plural("mine.left", figures.left, date=since, parts=parts)
            blocks.append(Paragraph(text, sensitive=True))
        elif count:
            blocks.append(Paragraph(t("mine.left_none", date=since), sensitive=True))
    blocks += [source_line(ask, period), guide_buttons(ask)]
    return Reply(tuple(blocks), summary=t.plural("mine.count", count, date=d(as_of)).replace("**", ""))


@dataclass(frozen=True)
class WriteOffOffer:
    """Which of the asker's items get «Avskriv» (where the bot writes off in a records system), and why not."""

    label: str = ""
    why_not: str = ""  # said once below the list: no login
    shared_notes: frozenset[str] = frozenset()  # notes to several people that only the records system can end
    shared_text: str = ""

    @classmethod
    def of(cls, ask: Ask) -> WriteOffOffer:
        bot, person = ask.bot, ask.asker
        system = bot.records.available() if bot.records is not None else None
        if system is None or person is None or not bot.settings.chat_codes():
            return cls()
        if system.needs_login and not person.login:
            return cls(why_not=bot.texts("avskriv.no_login", system=system.name))
        refused = not system.per_recipient and system.multi_recipient_notes == "refuse"
        return cls(
            bot.texts("avskriv.button"),
            shared_notes=bot.shared_notes() if refused else frozenset(),
            shared_text=shared_note_text(system.name),
        )

    def shared(self, item: Restanse) -> bool:
        return item.jp_type == "N" and item.jp_id in self.shared_notes

    def button(self, item: Restanse) -> Button | None:
        if not self.label or self.shared(item):
            return None
        return Button(self.label, avskriv.START, item.jp_id)


def left_parts(ask: Ask, figures: reports.PersonFigures, has_writeoff_dates: bool) -> str:
    """«3 er avskrevet, 5 er flyttet til andre saksbehandlere og 8 er ikke lenger med i lista»: what the bot knows
    about the entries that left. Without write-off dates in the export, written off and deleted look the same."""
    t = ask.bot.texts
    parts = []
    if has_writeoff_dates and figures.left_written_off:
        parts.append(t.plural("mine.left_part.written_off", figures.left_written_off))
    if figures.left_moved:
        parts.append(t.plural("mine.left_part.moved", figures.left_moved))
    gone = figures.left - figures.left_moved - (figures.left_written_off if has_writeoff_dates else 0)
    if gone:
        parts.append(
            t.plural("mine.left_part.gone" if has_writeoff_dates else "mine.left_part.gone_unknown", gone)
        )
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {t('common.and')} {parts[-1]}"


COMMAND = Command(
    id="mine",
    actions=(Action(NEXT_PAGE, page=True),),
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
    quick=True,
    same_until_new_data=True,
)
