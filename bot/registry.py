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

    def add(self, command: Command) -> Command:
        self.commands.append(command)
        return command

    def get(self, command_id: str) -> Command:
        return next(c for c in self.commands if c.id == command_id)

    def parse(self, text: str) -> Parsed | None:
        """The command whose alias appears earliest in the text (the longest alias on a tie); the rest is its argument.

        Tolerant of case, punctuation, mentions and extra words: "Hei! Kan du vise mine restanser?" → mine.
        """
        cleaned = _MENTION.sub(" ", text)
        tokens = list(_WORD.finditer(cleaned))
        lowered = [t.group(0).lower() for t in tokens]
        best: tuple[int, int, Command] | None = None
        for command in self.commands:
            for alias in command.aliases:
                alias_words = alias.split()
                n = len(alias_words)
                for start in range(len(lowered) - n + 1):
                    if lowered[start : start + n] == alias_words:
                        key = (start, -n)
                        if best is None or key < (best[0], best[1]):
                            best = (start, -n, command)
                        break
        if best is None:
            return None
        start, negative_n, command = best
        end_token = start - negative_n - 1
        rest = cleaned[tokens[end_token].end() :] if tokens else ""
        argument = rest.strip(" \t\n?!.,:;«»\"'")
        return Parsed(command, argument if command.argument else "")
