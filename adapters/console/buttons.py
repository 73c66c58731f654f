"""The terminal has no buttons to press: a person types a button's label («vis flere», «vis veiledningen») or, for
the next page, any of the words for it («flere», «neste», «show more»).

`shell` remembers the last answer's buttons while it runs. Each `ask` is a process of its own, so it keeps them in
a small file in the data directory, per database and person: only action ids and page offsets, never content.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from bot.replies import Actions, Answer, Button

if TYPE_CHECKING:
    from bot.service import Restansebot

PAGE_WORDS = "flere"  # the registry's command holding every language's words for the next page


def _words(text: str) -> str:
    return " ".join(text.lower().strip(" \t?!.,:;«»\"'").split())


class Buttons:
    def __init__(self, bot: Restansebot) -> None:
        self.bot = bot
        self.pressable: list[Button] = []

    def remember(self, answer: Answer) -> None:
        """The buttons of the newest answer; the ones before it can no longer be pressed."""
        replies = [answer.public, *([answer.private] if answer.private else [])]
        self.pressable = [
            b
            for reply in replies
            for block in reply.blocks
            if isinstance(block, Actions)
            for b in block.buttons
            if not b.url
        ]

    def pressed(self, text: str) -> Button | None:
        """The button these words press, if any."""
        words = _words(text)
        for button in self.pressable:
            if _words(button.label) == words:
                return button
        parsed = self.bot.registry.parse(text)
        if parsed is not None and parsed.command.id == PAGE_WORDS:
            return next((b for b in self.pressable if self._pages(b)), None)
        return None

    def _pages(self, button: Button) -> bool:
        found = self.bot.registry.action(button.action)
        return found is not None and found[1].page

    # ---- kept between `ask` processes ------------------------------------------------------------------

    @staticmethod
    def _key(database_url: str, initials: str) -> str:
        return hashlib.sha256(f"{database_url}\n{initials.upper()}".encode()).hexdigest()[:24]

    def load(self, path: Path, database_url: str, initials: str) -> None:
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            saved = json.loads(path.read_text(encoding="utf-8"))[self._key(database_url, initials)]
            self.pressable = [Button(b["label"], b["action"], b["value"]) for b in saved]

    def save(self, path: Path, database_url: str, initials: str) -> None:
        """Best effort: a terminal that cannot write its data directory just cannot page between `ask`s."""
        with contextlib.suppress(OSError):
            try:
                saved = json.loads(path.read_text(encoding="utf-8"))
                assert isinstance(saved, dict)
            except (OSError, ValueError, AssertionError):
                saved = {}
            saved[self._key(database_url, initials)] = [
                {"label": b.label, "action": b.action, "value": b.value} for b in self.pressable
            ]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(saved), encoding="utf-8")
