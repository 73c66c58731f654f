"""The reply model in Block Kit, within Slack's limits: 50 blocks a message, 3,000 characters a text.

Prose, lists and tables go in `rich_text` blocks: their text is never read as mrkdwn, so a title with
`*` or `<` in it shows as written. The two places Slack does read as mrkdwn — the fallback text and field
sections — are escaped (`&`, `<`, `>`), since they may quote what a person wrote. A reply too long for one message keeps its head and its closing
blocks (source line, buttons) and says "og N til" where the list was cut; the "next page" button then
starts where the cut list ended.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from bot.plaintext import table_lines
from bot.replies import (
    Actions,
    Block,
    Button,
    Context,
    Fields,
    Heading,
    Image,
    Input,
    Item,
    ItemList,
    Link,
    Paragraph,
    Reply,
    Table,
)

SlackBlock = dict[str, Any]

MAX_BLOCKS = 50  # a message; a Home tab allows 100
MAX_TEXT = 3000  # a section's or rich text block's text
MAX_HEADER = 150
MAX_FIELDS = 10  # per section
MAX_FIELD_TEXT = 2000
MAX_BUTTONS = 25  # per actions block
MAX_BUTTON_TEXT = 75
MAX_VALUE = 2000
MAX_FALLBACK = 3000

_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Message:
    """What chat.postMessage, chat.postEphemeral and response_url take: fallback text and blocks."""

    text: str
    blocks: list[SlackBlock] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": self.blocks}


def default_more(n: int) -> str:
    return f"… og {n} til."


# ---- text helpers ------------------------------------------------------------------------------------------


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Text in pieces of at most `limit` characters, split at line breaks or spaces where possible."""
    out: list[str] = []
    while len(text) > limit:
        at = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        at = at if at > limit // 2 else limit
        out.append(text[:at])
        text = text[at:].lstrip("\n ")
    return [*out, text] if text or not out else out


def mrkdwn_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str) -> str:
    """Text without the reply model's **bold** marks."""
    return _BOLD.sub(r"\1", text)


def _styled(text: str) -> list[dict[str, Any]]:
    """Rich text elements for text with **bold** parts."""
    elements: list[dict[str, Any]] = []
    at = 0
    for match in _BOLD.finditer(text):
        if match.start() > at:
            elements.append({"type": "text", "text": text[at : match.start()]})
        elements.append({"type": "text", "text": match.group(1), "style": {"bold": True}})
        at = match.end()
    if at < len(text) or not elements:  # Slack refuses a section without elements
        elements.append({"type": "text", "text": text[at:] or " "})
    return elements


def _rich(*elements: dict[str, Any]) -> SlackBlock:
    return {"type": "rich_text", "elements": list(elements)}


def _section(elements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "rich_text_section", "elements": elements}


def _context(text: str) -> SlackBlock:
    return {
        "type": "context",
        "elements": [{"type": "plain_text", "text": cut(text, MAX_TEXT), "emoji": False}],
    }


# ---- one model block → Slack blocks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """Slack blocks for part of one model block; `items` counts the list items or table rows it shows."""

    blocks: tuple[SlackBlock, ...]
    items: int = 0


def _heading(block: Heading) -> list[Piece]:
    header = {"type": "header", "text": {"type": "plain_text", "text": cut(plain(block.text), MAX_HEADER)}}
    return [Piece((header,))]


def _paragraph(block: Paragraph) -> list[Piece]:
    return [Piece((_rich(_section(_styled(part))),)) for part in chunks(block.text)]


def _fields(block: Fields) -> list[Piece]:
    fields = [
        {"type": "mrkdwn", "text": cut(f"*{mrkdwn_escape(label)}*\n{mrkdwn_escape(value)}", MAX_FIELD_TEXT)}
        for label, value in block.pairs
    ]
    return [
        Piece(({"type": "section", "fields": fields[i : i + MAX_FIELDS]},))
        for i in range(0, len(fields), MAX_FIELDS)
    ]


def _table(block: Table) -> list[Piece]:
    """Aligned columns in a monospaced block, split between rows when a block would pass the text limit."""
    lines = table_lines(replace(block, title=None))
    head, body = lines[:2], lines[2:]
    pieces: list[Piece] = []
    if block.title:
        pieces.append(
            Piece((_rich(_section([{"type": "text", "text": block.title, "style": {"bold": True}}])),))
        )
    current: list[str] = list(head)
    rows = 0
    for line in body:
        if len("\n".join([*current, line])) > MAX_TEXT and rows:
            pieces.append(_preformatted(current, rows))
            current, rows = list(head), 0
        current.append(line)
        rows += 1
    pieces.append(_preformatted(current, rows))
    return pieces


def _preformatted(lines: list[str], rows: int) -> Piece:
    text = cut("\n".join(lines), MAX_TEXT)
    return Piece(
        (_rich({"type": "rich_text_preformatted", "elements": [{"type": "text", "text": text}]}),), rows
    )


def _item(item: Item) -> dict[str, Any]:
    ident: dict[str, Any] = {"type": "text", "text": item.jp_id, "style": {"bold": True}}
    if item.link:
        ident = {"type": "link", "url": item.link, "text": item.jp_id, "style": {"bold": True}}
    rest = f"  {item.date}" if item.date else ""
    if item.age:
        rest += f" · {item.age}"
    if item.title:
        rest += f"  {item.title}"
    elements = [ident]
    if rest:
        elements.append({"type": "text", "text": rest})
    return _section(elements)


def _item_with_button(item: Item) -> SlackBlock:
    """An item with its own action («Avskriv»): a section with the button beside the text."""
    ident = f"<{item.link}|*{mrkdwn_escape(item.jp_id)}*>" if item.link else f"*{mrkdwn_escape(item.jp_id)}*"
    rest = "  ".join(p for p in (item.date, item.age and f"· {item.age}") if p)
    text = f"{ident}  {mrkdwn_escape(rest)}" if rest else ident
    if item.title:
        text += f"\n{mrkdwn_escape(item.title)}"
    assert item.button is not None
    button = _button(item.button, f"{item.button.action}#{item.jp_id}")
    return {"type": "section", "text": {"type": "mrkdwn", "text": cut(text, MAX_TEXT)}, "accessory": button}


def _item_text(item: Item) -> int:
    return len(item.jp_id) + len(item.date) + len(item.age) + len(item.title) + 8


def _item_list(block: ItemList) -> list[Piece]:
    """Bullet lists of journalposter, each rich text block below the text limit; where items have their own
    button, a section per item."""
    if any(item.button for item in block.items):
        return [Piece((_item_with_button(i),), 1) if i.button else _bullets([i]) for i in block.items]
    pieces: list[Piece] = []
    group: list[Item] = []
    size = 0
    for item in block.items:
        if group and size + _item_text(item) > MAX_TEXT:
            pieces.append(_bullets(group))
            group, size = [], 0
        group.append(item)
        size += _item_text(item)
    if group:
        pieces.append(_bullets(group))
    return pieces


def _bullets(items: list[Item]) -> Piece:
    bullet_list = {"type": "rich_text_list", "style": "bullet", "elements": [_item(i) for i in items]}
    return Piece((_rich(bullet_list),), len(items))


def _input(block: Input) -> list[Piece]:
    """A short text field; its value comes back in the `state` of the next button press in the message."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block.id,
        "max_length": block.max_length,
    }
    if block.placeholder:
        element["placeholder"] = {"type": "plain_text", "text": cut(block.placeholder, 150)}
    if block.value:
        element["initial_value"] = block.value[: block.max_length]
    label = {"type": "plain_text", "text": cut(block.label, 2000)}
    return [
        Piece(
            ({"type": "input", "block_id": block.id, "optional": True, "label": label, "element": element},)
        )
    ]


def inputs(body: dict[str, Any]) -> dict[str, str]:
    """What was typed in the message's fields, from a button press's `state.values` (block → action → value)."""
    values = (body.get("state") or {}).get("values") or {}
    found: dict[str, str] = {}
    if not isinstance(values, dict):
        return found
    for actions in values.values():
        for action_id, state in (actions or {}).items() if isinstance(actions, dict) else ():
            if isinstance(state, dict) and state.get("type") == "plain_text_input":
                found[str(action_id)] = str(state.get("value") or "")
    return found


def _link(block: Link) -> list[Piece]:
    return [
        Piece((_rich(_section([{"type": "link", "url": block.url, "text": cut(block.text, MAX_TEXT)}])),))
    ]


def _actions(block: Actions) -> list[Piece]:
    elements: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, button in enumerate(block.buttons[:MAX_BUTTONS]):
        action_id = button.action if button.action not in seen else f"{button.action}#{n}"
        seen.add(action_id)
        elements.append(_button(button, action_id))
    return [Piece(({"type": "actions", "elements": elements},))] if elements else []


def _button(button: Button, action_id: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": cut(button.label, MAX_BUTTON_TEXT)},
        "action_id": action_id,
    }
    if button.url:
        element["url"] = button.url
    if button.value:
        element["value"] = button.value[:MAX_VALUE]
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def slack_can_fetch(url: str) -> bool:
    """Slack fetches an image itself when the message is posted: it must be on the internet."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    local = (
        host in ("localhost", "::1")
        or host.startswith(("127.", "10.", "192.168."))
        or host.endswith(".local")
    )
    return parts.scheme == "https" and bool(host) and not local


def _image(block: Image, *, images: bool = True) -> list[Piece]:
    """An image block where Slack can fetch the image (else it refuses the whole message); else a link."""
    if images and slack_can_fetch(block.url):
        return [Piece(({"type": "image", "image_url": block.url, "alt_text": cut(block.alt, 2000)},))]
    if block.url.startswith(("https://", "http://")):
        return _link(Link(block.alt, block.url))
    return []


def pieces_of(block: Block, *, images: bool = True) -> list[Piece]:
    match block:
        case Heading():
            return _heading(block)
        case Paragraph():
            return _paragraph(block)
        case Context(text=text):
            return [Piece((_context(part),)) for part in chunks(plain(text))]
        case Fields():
            return _fields(block)
        case Table():
            return _table(block)
        case ItemList():
            return _item_list(block)
        case Link():
            return _link(block)
        case Input():
            return _input(block)
        case Actions():
            return _actions(block)
        case Image():
            return _image(block, images=images)
    return []


# ---- the whole reply -----------------------------------------------------------------------------------------


@dataclass
class _Entry:
    """A model block rendered; for a list or table, `more` is the "og N til" it ends with (0: none)."""

    block: Block
    pieces: list[Piece]
    more: int = 0

    @property
    def size(self) -> int:
        return sum(len(p.blocks) for p in self.pieces) + (1 if self.more else 0)


def _fit(entries: list[_Entry], max_blocks: int) -> int:
    """Drop list and table pieces from the last one backwards until the message fits.

    Returns how many list items were left out (tables only shrink when lists alone are not enough)."""
    left_out = 0
    for entry in reversed(entries):
        if sum(e.size for e in entries) <= max_blocks:
            break
        if not isinstance(entry.block, ItemList | Table):
            continue
        while entry.pieces and sum(e.size for e in entries) > max_blocks:
            dropped = entry.pieces.pop()
            entry.more += dropped.items
            if isinstance(entry.block, ItemList):
                left_out += dropped.items
    return left_out


def _next_page_from(block: Actions, left_out: int) -> Actions:
    """A "next page" button starts where the shown list ends, also when the list was cut to fit."""
    buttons = tuple(
        replace(b, value=str(max(0, int(b.value) - left_out)))
        if b.action.endswith(".page") and b.value.isdigit()
        else b
        for b in block.buttons
    )
    return replace(block, buttons=buttons)


def _blocks(entry: _Entry, more: Callable[[int], str]) -> list[SlackBlock]:
    blocks = [slack for piece in entry.pieces for slack in piece.blocks]
    if entry.more:
        model_more = isinstance(entry.block, ItemList) and entry.more == entry.block.more
        text = entry.block.more_text if model_more and isinstance(entry.block, ItemList) else ""
        blocks.append(_context(text or more(entry.more)))
    return blocks


def fallback_text(reply: Reply, *, use_summary: bool = True) -> str:
    """The notification and fallback text: the reply's summary, else its first words.

    Slack reads this text as mrkdwn, and it may quote what someone wrote: escaped, so that `<!channel>`, a user
    group or a masked link in a question is shown as typed and never posted live by the bot."""
    if use_summary and reply.summary:
        return mrkdwn_escape(cut(plain(reply.summary), MAX_FALLBACK))
    for block in reply.blocks:
        if isinstance(block, Heading | Paragraph | Context):
            return mrkdwn_escape(cut(plain(block.text), MAX_FALLBACK))
    return "…"


def render(
    reply: Reply,
    *,
    max_blocks: int = MAX_BLOCKS,
    more: Callable[[int], str] = default_more,
    use_summary: bool = True,
    images: bool = True,
) -> Message:
    """One Slack message for a reply.

    `use_summary=False` where the summary may say more than the blocks do: a reply stripped for a channel
    keeps the summary of the full one. `images=False` shows images as links."""
    entries = [
        _Entry(block, pieces_of(block, images=images), block.more if isinstance(block, ItemList) else 0)
        for block in reply.blocks
    ]
    left_out = _fit(entries, max_blocks)
    if left_out:
        for entry in entries:
            if isinstance(entry.block, Actions):
                entry.pieces = pieces_of(_next_page_from(entry.block, left_out))
    blocks = [slack for entry in entries for slack in _blocks(entry, more)]
    if len(blocks) > max_blocks:  # more prose than a message holds: keep the head and the closing buttons
        tail = [blocks[-1]] if blocks[-1]["type"] == "actions" else []
        blocks = [*blocks[: max_blocks - 1 - len(tail)], _context(more(len(blocks) - max_blocks + 1)), *tail]
    return Message(fallback_text(reply, use_summary=use_summary), blocks)
