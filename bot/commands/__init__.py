"""The commands, each in its own module, gathered in one registry."""

from __future__ import annotations

from bot.commands import enhet, guide, hjelp, mine, oversikt, send, status, utsending
from bot.registry import Registry


def build_registry() -> Registry:
    registry = Registry()
    for module in (mine, enhet, oversikt, guide, status, send, utsending, hjelp):
        registry.add(module.COMMAND)
    return registry
