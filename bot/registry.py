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
    from bot.texts import Texts

Handler = Callable[["Ask"], "Reply"]

_MENTION = re.compile(r"<@[^>]+>|@\w+")
_WORD = re.compile(r"[0-9a-zæøåäöü][0-9a-zæøåäöü\-/]*", re.IGNORECASE)


@dataclass(frozen=True)
class Action:
    """A button the command puts in its answers; pressing it runs the command again with the button's value."""

    id: str  # the button's action id, e.g. "mine.page"
    page: bool = False  # the value is a page offset (where the list continues)
    confirms: bool = False  # the press confirms what the command previewed (`send påminnelser`)


@dataclass(frozen=True)
class Command:
    id: str
    aliases: tuple[str, ...]  # every phrasing in every language; the first is the name shown in help
    help_key: str  # phrase key of the one-line description
    handler: Handler
    argument: str | None = None  # phrase key describing the argument, if the command takes one
    roles: frozenset[Rolle] | None = None  # None: everyone in the directory
    open_to_unknown: bool = False  # also for people not in the directory
    hidden: bool = False  # not listed in `hjelp` (greetings, paging words)
    small_talk: bool = False  # «hei», «takk»: understood only when no other command is in the text
    quick: bool = False  # answers from the prepared data, at most one indexed read: on the event loop
    same_until_new_data: bool = False  # its answer reads the prepared data only: given again while they last
    actions: tuple[Action, ...] = ()  # the buttons it answers; the plain command id is always one
    needs_source: bool = False  # only where the bot reads a records system (listed in `hjelp` only then)

    def action(self, action_id: str) -> Action | None:
        if action_id == self.id:
            return Action(self.id)
        return next((a for a in self.actions if a.id == action_id), None)

    def allows(self, role: Rolle | None) -> bool:
        if role is None:
            return self.open_to_unknown
        return self.roles is None or role in self.roles

    def name(self, texts: Texts) -> str:
        """What the command is called in the person's language («mine restanser», «my restanser»)."""
        key = f"names.{self.id}"
        if texts.has(key):
            return texts(key)
        return self.aliases[0] if self.aliases else self.id  # (a command only buttons reach has no words)

    def examples(self, texts: Texts) -> tuple[str, ...]:
        key = f"examples.{self.id}"
        return texts.words(key) if texts.has(key) else ()


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

    def get(self, command_id: str) -> Command | None:
        return next((c for c in self.commands if c.id == command_id), None)

    def name(self, command_id: str, texts: Texts) -> str:
        """What a command is called in the person's language, for hints such as «Skriv «hjelp»»."""
        command = self.get(command_id)
        return command.name(texts) if command else command_id

    def action(self, action_id: str) -> tuple[Command, Action] | None:
        """The command that answers a button, and how; None for an id no command declares (a forged press)."""
        for command in self.commands:
            if (action := command.action(action_id)) is not None:
                return command, action
        return None

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
        found = _earliest(index, lowered, small_talk=False) or _earliest(index, lowered, small_talk=True)
        if found is None:
            return None
        start, n, command = found
        rest = cleaned[tokens[start + n - 1].end() :]
        argument = rest.strip(" \t\n?!.,:;«»\"'")
        return Parsed(command, argument if command.argument else "")


def _earliest(
    index: dict[str, list[tuple[tuple[str, ...], Command]]], lowered: list[str], *, small_talk: bool
) -> tuple[int, int, Command] | None:
    """(start, length, command) of the alias that appears earliest in the words, the longest on a tie."""
    for start, word in enumerate(lowered):
        best: tuple[int, Command] | None = None
        for words, command in index.get(word, ()):
            n = len(words)
            if command.small_talk != small_talk:
                continue
            if (best is None or n > best[0]) and tuple(lowered[start : start + n]) == words:
                best = (n, command)
        if best is not None:
            return start, best[0], best[1]
    return None
