"""Keep request bodies and tokens out of the logs.

Bolt logs the whole body of a request with a bad signature at INFO, and a few other messages carry
payloads. Bolt copies the filters of the logger it is given to every logger it makes, so one filter on
that base logger covers all of Bolt's own logging.

The SDK's and Bolt's DEBUG lines carry every message sent and received whole (titles, names). Whether to
build them is decided by the level of the logger they are given, not the effective level: left unset, each
answer's whole message was formatted into a string (about a tenth of an answer's time under load), and written
wherever DEBUG logging was on. Our loggers are set to INFO, so those lines are neither built nor written, even
where the process logs at DEBUG.
"""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+")
_BODY = re.compile(r"(?i)\b(body|payload)\b\s*[:=].*", re.DOTALL)
_UNHANDLED = re.compile(r"(Unhandled request) \(.*", re.DOTALL)


def redact(message: str) -> str:
    message = _TOKEN.sub("x***-(skjult)", message)
    message = _BODY.sub(r"\1: (utelatt)", message)
    return _UNHANDLED.sub(r"\1 (innhold utelatt)", message)


class RedactFilter(logging.Filter):
    """Rewrites a record's message without bodies or tokens; never drops the record itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


# Bolt copies a base logger's filters only to a logger that has none yet: the one that logs whole bodies
# gets the filter directly too, whatever made it first.
BODY_LOGGERS = ("slack_bolt.RequestVerification", "slack_bolt.AsyncRequestVerification")


def _filtered(logger: logging.Logger) -> logging.Logger:
    if not any(isinstance(f, RedactFilter) for f in logger.filters):
        logger.addFilter(RedactFilter())
    return logger


def quiet_logger(name: str = "restansebot.slack.bolt") -> logging.Logger:
    """The base logger for the Bolt app and the Web API client: Bolt's loggers inherit its filter and level."""
    for body_logger in BODY_LOGGERS:
        _filtered(logging.getLogger(body_logger))
    logger = _filtered(logging.getLogger(name))
    logger.setLevel(logging.INFO)
    return logger
