"""The reply model: what the bot says, before any platform renders it (Block Kit, Adaptive Cards, terminal).

A block marked `sensitive` holds titles, correspondent names or per-person figures: it never goes to a channel
(see `for_place`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Place(StrEnum):
    DIRECT = "direct"  # a 1:1 chat with the bot (or the terminal)
    CHANNEL = "channel"  # a channel, team or group chat: others can read along


class Audience(StrEnum):
    """Who a greeting is for: one person, a team's channel, or a group chat."""

    PERSON = "person"
    TEAM = "team"
    GROUP = "group"


@dataclass(frozen=True)
class Heading:
    text: str
    sensitive: bool = False


@dataclass(frozen=True)
class Paragraph:
    text: str
    sensitive: bool = False


@dataclass(frozen=True)
class Context:
    """Small print: where the figures come from, hints."""

    text: str
    sensitive: bool = False


@dataclass(frozen=True)
class Fields:
    pairs: tuple[tuple[str, str], ...]
    sensitive: bool = False


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()  # column positions aligned right
    footer: tuple[str, ...] | None = None  # the sum row
    marked: frozenset[int] = frozenset()  # row positions to highlight (a leader's own units)
    title: str | None = None
    sensitive: bool = False


@dataclass(frozen=True)
class Item:
    """One journalpost in a list: id, journal date, days open (and as words: «346 dager»), the title a person may
    see, a link."""

    jp_id: str
    date: str
    days: int | None
    title: str
    link: str | None = None
    age: str = ""
    button: Button | None = None  # an action on this one item («Avskriv»)


@dataclass(frozen=True)
class ItemList:
    items: tuple[Item, ...]
    more: int = 0  # "og N til"
    more_text: str = ""
    sensitive: bool = True


@dataclass(frozen=True)
class Link:
    text: str
    url: str
    sensitive: bool = False


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # the bot's action id, e.g. "guide" or "mine.page"
    value: str = ""
    url: str | None = None  # a link button opens the URL instead of calling back
    style: str | None = None  # "primary" | "danger"


@dataclass(frozen=True)
class Input:
    """A short free-text field whose value comes back with the next button pressed in the same message
    (a note for the records system). Optional: an empty field is no answer."""

    id: str  # the key its value comes back under
    label: str
    placeholder: str = ""
    value: str = ""  # filled in already (what the person typed after the command)
    max_length: int = 500
    sensitive: bool = True


@dataclass(frozen=True)
class Actions:
    buttons: tuple[Button, ...]
    sensitive: bool = False


@dataclass(frozen=True)
class Image:
    """A picture (the monthly chart). `url` is where platforms that fetch images get it (Teams cards, links);
    `path` a local PNG of the same picture, for platforms that upload it instead (Slack's files_upload_v2).
    A renderer that cannot read `path` (none given, or written on another host) uses `url` as before."""

    url: str
    alt: str
    path: str | None = None
    sensitive: bool = False


Block = Heading | Paragraph | Context | Fields | Table | ItemList | Link | Input | Actions | Image


@dataclass(frozen=True)
class Reply:
    blocks: tuple[Block, ...] = ()
    summary: str = ""  # one line: notification text and fallback head
    replaces: bool = False  # a step of a dialogue: shown in place of the message whose button was pressed

    @property
    def has_sensitive(self) -> bool:
        return any(b.sensitive for b in self.blocks)

    def without_sensitive(self) -> Reply:
        return replace(self, blocks=tuple(b for b in self.blocks if not b.sensitive))


@dataclass(frozen=True)
class Answer:
    """What goes where: `public` in the conversation asked in, `private` to the asker alone (if anything)."""

    public: Reply
    private: Reply | None = None


class Renderings(Generic[T]):
    """A platform's renderings of the replies it gave last, by identity: a reply the bot gives again (an answer
    that holds until new data come, see `Restansebot.run`) is not rendered again. For renderings that nobody
    changes once made."""

    def __init__(self, render: Callable[[Reply], T], size: int = 256) -> None:
        self._render = render
        self._size = size
        self._done: OrderedDict[int, tuple[Reply, T]] = OrderedDict()

    def __call__(self, reply: Reply) -> T:
        done = self._done.get(id(reply))
        if done is not None and done[0] is reply:  # (the reply is held here, so its id is not reused)
            self._done.move_to_end(id(reply))
            return done[1]
        rendered = self._render(reply)
        self._done[id(reply)] = (reply, rendered)
        if len(self._done) > self._size:
            self._done.popitem(last=False)
        return rendered
