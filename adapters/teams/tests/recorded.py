"""Recorded Teams activities (payloads/*.json, sources in payloads/SOURCES.md), made ready to replay."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def names() -> list[str]:
    return sorted(p.name for p in PAYLOADS.glob("*.json"))


def load(name: str, *, service_url: str, **changes: Any) -> dict[str, Any]:
    """A recorded activity as Teams would send it to this bot.

    Only the serviceUrl is pointed at the fake connector (anonymous mode answers loopback service URLs only,
    as Microsoft's own test tools set theirs); `changes` replace top-level fields, `text` and `from_id` the
    question and the sender.
    """
    body: dict[str, Any] = copy.deepcopy(json.loads((PAYLOADS / name).read_text(encoding="utf-8")))
    body["serviceUrl"] = service_url
    if "from_id" in changes:
        body["from"] = {**body.get("from", {}), "id": changes.pop("from_id")}
    if "text" in changes:
        mention = next((e["text"] for e in body.get("entities", []) if e.get("type") == "mention"), "")
        body["text"] = f"{mention} {changes.pop('text')}".strip()
    body.update(changes)
    return body


def conversation_id(body: dict[str, Any]) -> str:
    return str(body["conversation"]["id"])


def problems(records: list[logging.LogRecord]) -> list[str]:
    """Log records that show a crash: an error, or anything carrying a traceback."""
    return [
        r.getMessage()
        for r in records
        if r.levelno >= logging.ERROR or r.exc_info or "Traceback" in r.getMessage()
    ]
