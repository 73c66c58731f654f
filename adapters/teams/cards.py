"""The reply model as an Adaptive Card (schema 1.5, as Teams renders it), with the plain text as fallback.

Buttons that call the bot back are Action.Submit with `{"restansebot": action, "value": value}`; link buttons
are Action.OpenUrl. A reply meant for a channel never carries its sensitive blocks (see `for_channel`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment

from bot.plaintext import render_plain, table_lines
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

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
ACTION_KEY = "restansebot"  # the key in Action.Submit data that marks a press on one of our buttons
MAX_CARD_BYTES = 26_000  # Teams refuses messages over about 28 KB
Card = dict[str, Any]


def _text(text: str, **style: Any) -> Card:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def _table(table: Table) -> list[Card]:
    columns = len(table.columns)
    widest = [max(len(str(r[i])) for r in (table.columns, *table.rows) if i < len(r)) for i in range(columns)]
    header = [{"type": "TableCell", "items": [_text(c, weight="Bolder")]} for c in table.columns]
    rows: list[Card] = [{"type": "TableRow", "cells": header}]
    for position, row in enumerate(table.rows):
        cells = [{"type": "TableCell", "items": [_text(str(value))]} for value in row]
        rows.append(
            {"type": "TableRow", "cells": cells, **({"style": "accent"} if position in table.marked else {})}
        )
    if table.footer:
        rows.append(
            {
                "type": "TableRow",
                "cells": [
                    {"type": "TableCell", "items": [_text(str(v), weight="Bolder")]} for v in table.footer
                ],
            }
        )
    element: Card = {
        "type": "Table",
        "firstRowAsHeader": True,
        "showGridLines": False,
        "columns": [
            {
                "width": max(1, min(widest[i], 40) // 4),
                **({"horizontalCellContentAlignment": "Right"} if i in table.numeric else {}),
            }
            for i in range(columns)
        ],
        "rows": rows,
        # Clients without tables (old mobile versions) get the aligned plain-text table instead.
        "fallback": _text("\n".join(table_lines(table)), fontType="Monospace"),
    }
    return [_text(table.title, weight="Bolder"), element] if table.title else [element]


def _item(item: Item) -> Card:
    head = " · ".join(part for part in (f"**{item.jp_id}**", item.date, item.age) if part)
    element: Card = {
        "type": "Container",
        "spacing": "Small",
        "items": [_text(head), *([_text(item.title, spacing="None", isSubtle=True)] if item.title else [])],
    }
    if item.link:
        element["selectAction"] = {"type": "Action.OpenUrl", "url": item.link}
    if item.button is None:
        return element
    return {  # the item's own action («Avskriv») beside it
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {"type": "Column", "width": "stretch", "items": [element]},
            {
                "type": "Column",
                "width": "auto",
                "verticalContentAlignment": "Center",
                "items": [{"type": "ActionSet", "actions": [button(item.button)]}],
            },
        ],
    }


def _input(field: Input) -> Card:
    element: Card = {
        "type": "Input.Text",
        "id": field.id,
        "label": field.label,
        "isRequired": False,
        "maxLength": field.max_length,
    }
    if field.placeholder:
        element["placeholder"] = field.placeholder
    if field.value:
        element["value"] = field.value[: field.max_length]
    return element


def button(b: Button) -> Card:
    if b.url:
        action: Card = {"type": "Action.OpenUrl", "title": b.label, "url": b.url}
    else:
        action = {"type": "Action.Submit", "title": b.label, "data": {ACTION_KEY: b.action, "value": b.value}}
    style = {"primary": "positive", "danger": "destructive"}.get(b.style or "")
    return {**action, "style": style} if style else action


def elements(block: Block) -> list[Card]:
    match block:
        case Heading(text=text):
            return [_text(text, size="Large", weight="Bolder", style="heading")]
        case Paragraph(text=text):
            return [_text(text)]
        case Context(text=text):
            return [_text(text, size="Small", isSubtle=True)]
        case Fields(pairs=pairs):
            return [{"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in pairs]}]
        case Table():
            return _table(block)
        case ItemList(items=items, more=more, more_text=more_text):
            out = [_item(i) for i in items]
            return out + ([_text(more_text or f"… og {more} til", isSubtle=True)] if more else [])
        case Link(text=text, url=url):
            return [_text(f"[{text}]({url})")]
        case Input():
            return [_input(block)]
        case Actions(buttons=buttons):
            return [{"type": "ActionSet", "actions": [button(b) for b in buttons]}]
        case Image(url=url, alt=alt):
            return (
                [{"type": "Image", "url": url, "altText": alt}]
                if url.startswith(("https://", "http://"))
                else []
            )
    return []


class FinishedCard(dict[str, Any]):
    """A card that is complete: shared, never copied.

    The SDK deep-copies every outgoing activity before sending it; for a card of a few hundred small dicts
    and strings that copy cost more than answering the question. Nothing changes a card once it is built,
    so copies may be the card itself.
    """

    def __copy__(self) -> FinishedCard:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FinishedCard:
        return self


def card(reply: Reply) -> FinishedCard:
    body: list[Card] = []
    for block in reply.blocks:
        body += elements(block)
    return FinishedCard(
        type="AdaptiveCard",
        body=body,
        fallbackText=render_plain(reply),
        msteams={"width": "Full"},
        version=VERSION,
        **{"$schema": SCHEMA},
    )


def _may_be_too_large(content: Card) -> bool:
    """Whether the exact size is worth computing (the JSON encoding costs more than the rest of a reply).

    An upper bound: at most 12 bytes of JSON per character of the fallback text (each text twice, escaped),
    300 bytes of keys per element and 200 per button; tables are always measured.
    """
    body = content["body"]
    if any(e["type"] == "Table" for e in body):
        return True
    buttons = sum(len(e["actions"]) for e in body if e["type"] == "ActionSet")
    return 12 * len(content["fallbackText"]) + 300 * len(body) + 200 * buttons > MAX_CARD_BYTES


def for_channel(reply: Reply) -> Reply:
    """What may be shown where others read along: never titles, names or per-person figures.

    The one-line summary goes too (it becomes the notification text, and for "mine restanser" it is the
    asker's own count); the first heading stands in for it.
    """
    public = reply.without_sensitive()
    heading = next((b.text for b in public.blocks if isinstance(b, Heading)), "")
    return replace(public, summary=heading)


def message(reply: Reply) -> Activity:
    """One Teams message: the card with a text fallback, or plain text when the card would be too large."""
    content = card(reply)
    activity = Activity(type=ActivityTypes.message)
    if reply.summary:
        activity.summary = reply.summary
    if _may_be_too_large(content) and len(json.dumps(content, ensure_ascii=False).encode()) > MAX_CARD_BYTES:
        activity.text = render_plain(reply)[: MAX_CARD_BYTES // 2]
    else:
        activity.attachments = [Attachment(content_type=CONTENT_TYPE, content=content)]
    return activity


def pressed(value: object) -> tuple[str, str] | None:
    """The (action, value) of one of our buttons, from an Action.Submit message or an Action.Execute invoke."""
    if not isinstance(value, dict):
        return None
    data = value.get("action", {}).get("data") if isinstance(value.get("action"), dict) else value
    if not isinstance(data, dict) or not isinstance(data.get(ACTION_KEY), str):
        return None
    return data[ACTION_KEY], str(data.get("value") or "")


def typed(value: object) -> dict[str, str]:
    """What was typed in the card's fields: Teams sends their values beside our button's data."""
    data = (
        value.get("action", {}).get("data")
        if isinstance(value, dict) and isinstance(value.get("action"), dict)
        else value
    )
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k not in (ACTION_KEY, "value") and isinstance(v, str)}
