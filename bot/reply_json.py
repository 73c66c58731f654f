"""The reply model as JSON, so the outbox keeps exactly the reply that was previewed and will be sent."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from bot.replies import (
    Actions,
    Block,
    Button,
    Context,
    Fields,
    Heading,
    Image,
    Item,
    ItemList,
    Link,
    Paragraph,
    Reply,
    Table,
)

_BLOCKS: dict[str, type] = {
    cls.__name__: cls for cls in (Heading, Paragraph, Context, Fields, Table, ItemList, Link, Actions, Image)
}


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "_": type(value).__name__,
            **{f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def dumps(reply: Reply) -> str:
    return json.dumps(_encode(reply), ensure_ascii=False, sort_keys=True)


def _tuple_rows(rows: list[list[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(r) for r in rows)


def _block(data: dict[str, Any]) -> Block:
    kind = data.pop("_")
    cls = _BLOCKS[kind]
    if cls is Fields:
        data["pairs"] = _tuple_rows(data["pairs"])
    elif cls is Table:
        data["columns"] = tuple(data["columns"])
        data["rows"] = _tuple_rows(data["rows"])
        data["numeric"] = frozenset(data["numeric"])
        data["marked"] = frozenset(data["marked"])
        data["footer"] = tuple(data["footer"]) if data["footer"] is not None else None
    elif cls is ItemList:
        data["items"] = tuple(Item(**{k: v for k, v in i.items() if k != "_"}) for i in data["items"])
    elif cls is Actions:
        data["buttons"] = tuple(Button(**{k: v for k, v in b.items() if k != "_"}) for b in data["buttons"])
    block: Block = cls(**data)
    return block


def loads(text: str) -> Reply:
    data = json.loads(text)
    return Reply(tuple(_block(b) for b in data["blocks"]), data.get("summary", ""))
