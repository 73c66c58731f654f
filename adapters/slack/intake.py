"""The door at /slack/events: a body Bolt cannot read is turned away here, before Bolt parses it.

Bolt parses the body before it checks the signature, and a body that is not JSON (or a `payload=` that is not a
JSON object) makes it fail with a 500 and a traceback. Here such a request gets a 401 if it is not signed by
Slack and a 400 if it is, with one log line that says what was wrong — never the body, never a token.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl

from aiohttp import web

log = logging.getLogger("restansebot.slack")


# The fields Bolt and the listeners read, as Slack always sends them: (text fields, object fields) per part of
# a request — the envelope or interactive payload, its event, each of its actions and authorizations.
Shape = tuple[frozenset[str], frozenset[str]]
SHAPES: dict[str, Shape] = {
    "": (frozenset({"type", "event_id", "team_id", "api_app_id", "enterprise_id", "challenge", "response_url",
                    "trigger_id", "token"}),
         frozenset({"event", "user", "team", "channel", "container", "view", "enterprise", "message"})),
    "event": (frozenset({"type", "subtype", "user", "channel", "channel_type", "text", "ts", "thread_ts",
                         "event_ts", "bot_id", "tab", "team"}),
              frozenset({"view", "message", "previous_message"})),
    "actions": (frozenset({"action_id", "block_id", "value", "url", "type"}), frozenset()),
    "authorizations": (frozenset({"user_id", "team_id", "enterprise_id"}), frozenset()),
}  # fmt: skip


def body_problem(raw: bytes, content_type: str | None) -> str | None:
    """Why Bolt could not read a request body (None: it can). Decides JSON or form exactly as Bolt's parser does."""
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "innholdet er ikke UTF-8"
    if not body:
        return None
    try:
        if content_type == "application/json" or body.startswith("{"):
            parsed: object = json.loads(body)
        elif "payload" in body:
            payload = dict(parse_qsl(body, keep_blank_values=True)).get("payload")
            if payload is None:
                return None  # no such field after all: Bolt reads an empty request and answers it
            parsed = json.loads(payload)
        else:
            return command_problem(dict(parse_qsl(body, keep_blank_values=True)))
    except ValueError:
        return "innholdet er ikke gyldig JSON"
    if not isinstance(parsed, dict):
        return "innholdet er ikke et JSON-objekt"
    return shape_problem(parsed)


def command_problem(form: dict[str, str]) -> str | None:
    """A slash command always says who asked and where to answer."""
    if "command" in form and not (form.get("user_id") and form.get("response_url")):
        return "kommandoen mangler user_id eller response_url"
    return None


def shape_problem(payload: dict[str, object]) -> str | None:
    """A field Slack always sends as text, an object or a list, sent as something else (Bolt would fail on it)."""
    event = payload.get("event")
    if ("event" in payload or payload.get("type") == "event_callback") and not isinstance(event, dict):
        return "event er ikke et objekt"
    parts: list[tuple[str, object]] = [("", payload), ("event", event or {})]
    for name in ("actions", "authorizations"):
        items = payload.get(name)
        if items is not None and not isinstance(items, list):
            return f"{name} er ikke en liste"
        parts += [(name, item) for item in items or ()]
    for name, part in parts:
        if not isinstance(part, dict):
            return f"{name} er ikke en liste av objekter"
        text, objects = SHAPES[name]
        for key, value in part.items():
            if value is not None and ((key in text and not isinstance(value, str))
                                      or (key in objects and not isinstance(value, dict))):  # fmt: skip
                return f"feltet {name + '.' if name else ''}{key} har feil type"
        if name == "actions" and not part.get("action_id"):
            return "en knapp uten action_id"
    user = payload.get("user")
    if isinstance(user, dict) and not isinstance(user.get("id"), str):
        return "user.id mangler"
    return None


def refuse(status: int, problem: str) -> web.Response:
    log.warning("Slack: avviste en forespørsel (HTTP %s): %s", status, problem)
    return web.json_response({"error": problem}, status=status)
