"""One command registry: each command declared once (names, aliases, argument, help, who may use it).

The declaration drives parsing, `hjelp` and the access check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from restanse_core.model import Rolle

if TYPE_CHECKING:
    from bot.context import Ask
    from bot.replies import Reply

Handler = Callable[["Ask"], "Reply"]

_MENTION = re.compile(r"<@[^>]+>|@\w+")
_WORD = re.compile(r"[0-9a-zæøåäöü][0-9a-zæøåäöü\-/]*", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    id: str
    aliases: tuple[str, ...]  # every phrasing in every language; the first is the name shown in help
    help_key: str  # phrase key of the one-line description
    handler: Handler
    argument: str | None = None  # phrase key describing the argument, if the command takes one
    examples: tuple[str, ...] = ()
    roles: frozenset[Rolle] | None = None  # None: everyone in the directory
    open_to_unknown: bool = False  # also for people not in the directory
    hidden: bool = False
    quick: bool = False  # answers from the prepared data, at most one indexed read: on the event loop

    def allows(self, role: Rolle | None) -> bool:
        if role is None:
            return self.open_to_unknown
        return self.roles is None or role in self.roles


@dataclass(frozen=True)
class Parsed:
    command: Command
    argument: str


@dataclass
class Registry:
    commands: list[Command] = field(default_factory=list)
    # first word of an alias → (its words, the command), in declaration order: built on first parse
    _by_first_word: dict[str, list[tuple[tuple[str, ...], Command]]] | None = field(default=None, repr=False)

    def add(self, command: Command) -> Command:
        self.commands.append(command)
        self._by_first_word = None
        return command

    def get(self, command_id: str) -> Command:
        return next(c for c in self.commands if c.id == command_id)

    def _index(self) -> dict[str, list[tuple[tuple[str, ...], Command]]]:
        if self._by_first_word is None:
            index: dict[str, list[tuple[tuple[str, ...], Command]]] = {}
            for command in self.commands:
                for alias in command.aliases:
                    words = tuple(alias.split())
                    index.setdefault(words[0], []).append((words, command))
            self._by_first_word = index
        return self._by_first_word

    def parse(self, text: str) -> Parsed | None:
        """The command whose alias appears earliest in the text (the longest alias on a tie); the rest is its argument.

        Tolerant of case, punctuation, mentions and extra words: "Hei! Kan du vise mine restanser?" → mine.
        """
        cleaned = _MENTION.sub(" ", text)
        tokens = list(_WORD.finditer(cleaned))
        lowered = [t.group(0).lower() for t in tokens]
        index = self._index()
        for start, word in enumerate(lowered):
            best: tuple[int, Command] | None = None
            for words, command in index.get(word, ()):
                n = len(words)
                if (best is None or n > best[0]) and tuple(lowered[start : start + n]) == words:
                    best = (n, command)
            if best is not None:
                n, command = best
                rest = cleaned[tokens[start + n - 1].end() :]
                argument = rest.strip(" \t\n?!.,:;«»\"'")
                return Parsed(command, argument if command.argument else "")
        return None
