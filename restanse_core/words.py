"""Counts with their noun in the right number, for the messages written in Bokmål only (the CLI, import
errors). The chat's texts in every language use `bot.texts.Texts.amount` with the phrase catalogues."""

from __future__ import annotations


def plural(n: int, one: str, many: str) -> str:
    """«1 liste», «3 lister», «0 lister»."""
    return f"{n} {one if n == 1 else many}"
