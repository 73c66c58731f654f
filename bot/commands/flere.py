"""«vis flere», «neste»: the words for the «Vis flere» button. Where a person types rather than presses (the terminal
remembers the last buttons and presses them itself), this answer only comes when there is nothing to page through."""

from __future__ import annotations

from bot.context import Ask
from bot.registry import Command
from bot.replies import Paragraph, Reply


def handle(ask: Ask) -> Reply:
    bot, t = ask.bot, ask.bot.texts
    example = bot.registry.name("mine", t)
    return Reply((Paragraph(t("common.nothing_to_page", example=example, more=COMMAND.name(t))),))


COMMAND = Command(
    id="flere",
    aliases=(
        "vis flere",
        "vis fleire",
        "flere",
        "fleire",
        "neste",
        "neste side",
        "vis mer",
        "show more",
        "more please",
        "next",
        "next page",
    ),
    help_key="commands.hjelp",
    handler=handle,
    open_to_unknown=True,
    hidden=True,
)
