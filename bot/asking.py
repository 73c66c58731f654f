"""Answering from a chat adapter's event loop.

At once, on the loop, when `serve` keeps the bot's data prepared and the command answers from them (with at
most one indexed read): well under a millisecond, less than the hop to a worker thread and back costs under
load. Otherwise — data not yet prepared, or a command that reads more (`enhet` for a leader, `send
påminnelser`) — in a worker thread, so that one slow question does not hold up everyone else's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from bot.registry import Command
from bot.replies import Answer, Place
from bot.service import Restansebot
from restanse_core.model import Person


def at_once(bot: Restansebot, command: Command) -> bool:
    return bot.watched and bot.prepared and command.quick


async def answer(bot: Restansebot, text: str, asker: Person | None, place: Place) -> Answer:
    parsed = bot.registry.parse(text)
    if parsed is None:
        return bot.answer(text, asker, place)  # not understood: a phrase from the catalogue
    if at_once(bot, parsed.command):
        return bot.run(parsed.command.id, asker, place, parsed.argument)
    return await asyncio.to_thread(bot.run, parsed.command.id, asker, place, parsed.argument)


async def act(
    bot: Restansebot,
    action: str,
    value: str,
    asker: Person | None,
    place: Place,
    inputs: Mapping[str, str] | None = None,
) -> Answer:
    command_id = action.partition(".")[0]
    command = next((c for c in bot.registry.commands if c.id == command_id), None)
    if command is not None and at_once(bot, command):
        return bot.act(action, value, asker, place, inputs)
    return await asyncio.to_thread(bot.act, action, value, asker, place, inputs)
