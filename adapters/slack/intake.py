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
            return None  # a slash command's form
    except ValueError:
        return "innholdet er ikke gyldig JSON"
    return None if isinstance(parsed, dict) else "innholdet er ikke et JSON-objekt"


def refuse(status: int, problem: str) -> web.Response:
    log.warning("Slack: avviste en forespørsel (HTTP %s): %s", status, problem)
    return web.json_response({"error": problem}, status=status)
