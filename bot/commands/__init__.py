"""The commands, each in its own module, gathered in one registry."""

from __future__ import annotations

from bot.commands import (
    avskriv,
    avskrivinger,
    enhet,
    flere,
    flest,
    guide,
    hjelp,
    mine,
    oppdater,
    opplasting,
    oversikt,
    send,
    smalltalk,
    status,
    utsending,
)
from bot.registry import Registry


def build_registry() -> Registry:
    registry = Registry()
    for command in (
        mine.COMMAND,
        avskriv.COMMAND,
        enhet.COMMAND,
        oversikt.COMMAND,
        flest.COMMAND,
        guide.COMMAND,
        status.COMMAND,
        send.COMMAND,
        utsending.COMMAND,
        opplasting.COMMAND,
        oppdater.COMMAND,
        oppdater.SAVE_HELD,
        oppdater.DISCARD_HELD,
        avskrivinger.COMMAND,
        hjelp.COMMAND,
        flere.COMMAND,
        smalltalk.HELLO,
        smalltalk.THANKS,
    ):
        registry.add(command)
    return registry
