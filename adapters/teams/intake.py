"""The door at /api/messages: what is not a Bot Framework request is turned away here, before the SDK sees it.

The SDK answers some malformed requests with a 500 and a traceback (a token without a key id, a body that is
not an activity, an activity without serviceUrl), and its validation error logs the offending input. Here each
gets a 400 or 401 and one log line that says what was wrong — never the body, never the token.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

import jwt
from aiohttp import web
from microsoft_agents.activity import Activity, DeliveryModes
from pydantic import ValidationError

log = logging.getLogger("restansebot.teams")
TOKEN_ALGORITHM = "RS256"  # the only algorithm Bot Framework signs with (and the SDK accepts)


def token_problem(authorization: str | None) -> str | None:
    """Why a bearer token cannot be Bot Framework's, judged by its header; the SDK checks the signature."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None  # the SDK refuses these itself, with a 401 and one line
    try:
        header = jwt.get_unverified_header(token.strip())
    except jwt.PyJWTError:
        return "tokenet kan ikke leses"
    if header.get("alg") != TOKEN_ALGORITHM:
        return f"tokenet er ikke signert med {TOKEN_ALGORITHM}"
    if not header.get("kid"):
        return "tokenet mangler nøkkel-id (kid)"
    return None


def activity_problem(body: bytes) -> str | None:
    """Why a request body is not an activity the bot can answer (None: it is one)."""
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "innholdet er ikke JSON"
    if not isinstance(data, dict):
        return "innholdet er ikke en aktivitet (et JSON-objekt)"
    if not data.get("type"):
        return "aktiviteten mangler type"
    conversation = data.get("conversation")
    if not isinstance(conversation, dict) or not conversation.get("id"):
        return "aktiviteten mangler conversation.id"
    try:
        activity = Activity.model_validate(data)
    except ValidationError as exc:
        fields = sorted({".".join(str(part) for part in error["loc"]) for error in exc.errors()})
        return "aktiviteten har ugyldige felt: " + ", ".join(fields[:5])
    if not activity.service_url:
        return "aktiviteten mangler serviceUrl (svaradressen)"
    if not is_http_url(activity.service_url):
        return "serviceUrl er ikke en http(s)-adresse"
    if not (activity.from_property and activity.from_property.id):
        return "aktiviteten mangler from.id (avsenderen)"
    if not (activity.recipient and activity.recipient.id):
        return "aktiviteten mangler recipient.id (boten)"
    if activity.delivery_mode == DeliveryModes.stream:
        return "deliveryMode stream brukes ikke av Teams"
    return None


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def refuse(status: int, problem: str) -> web.Response:
    log.warning("Teams: avviste en forespørsel (HTTP %s): %s", status, problem)
    return web.json_response({"error": problem}, status=status)


class QuietValidation(logging.Filter):
    """The SDK logs every invalid activity with its input values and a traceback; `activity_problem` says it in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Validation error for Activity")
