"""Counts with their noun in the right number, for the messages written in Bokmål only (the CLI, import
errors). The chat's texts in every language use `bot.texts.Texts.amount` with the phrase catalogues."""

from __future__ import annotations

import re

_NOT_LETTER = re.compile(r"[^0-9a-zæøåäöü]+")


def plural(n: int, one: str, many: str) -> str:
    """«1 liste», «3 lister», «0 lister»."""
    return f"{n} {one if n == 1 else many}"


def normalise_heading(text: object) -> str:
    """A heading or name as it is compared: lower case, without spaces and punctuation («Adm. enhet» → admenhet)."""
    return _NOT_LETTER.sub("", str(text).strip().lower())
