"""The chart as a file in the conversation (`files_upload_v2`, scope files:write), after its message.

Slack shows an uploaded PNG inline; an image block would need a URL Slack can fetch from the internet.
The upload comes only after the message is posted, and a failed upload is logged, never raised: the sender
reports the message sent, so the outbox never sends that row, nor uploads its chart, again. A row retried
because its message failed had uploaded nothing yet. (After a crash between message and upload, the row is
settled as sent from the message's metadata, so that one chart is missing rather than anything doubled.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.replies import Image, Reply

log = logging.getLogger("restansebot.slack")


@dataclass(frozen=True)
class Upload:
    """An image of a reply with its bytes, read from the local file the reply names."""

    image: Image
    data: bytes
    filename: str  # the local file's name, e.g. restanser-2019-12.png


def split_upload(reply: Reply) -> tuple[Reply, Upload | None]:
    """The reply without the first image whose file can be read, and that image to upload.

    An image without a readable file (none given, or written on another host) stays in the reply and is
    rendered as before: an image block where Slack can fetch the URL, else a link."""
    for block in reply.blocks:
        if isinstance(block, Image) and block.path:
            try:
                data = Path(block.path).read_bytes()
            except OSError:
                continue
            rest = tuple(b for b in reply.blocks if b is not block)
            return replace(reply, blocks=rest), Upload(block, data, Path(block.path).name)
    return reply, None


async def upload(client: AsyncWebClient, channel: str, item: Upload) -> bool:
    """Share the file in the conversation. Returns whether it arrived; a failure is logged, not raised."""
    alt = item.image.alt
    try:
        await client.files_upload_v2(
            channel=channel,
            file=item.data,
            filename=item.filename,
            title=alt,
            alt_txt=alt,
            initial_comment=alt,
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "unknown_error")
        if error == "missing_scope":
            error += f" {exc.response.get('needed') or 'files:write'}"
        _log_failure(item, channel, error)
        return False
    except Exception as exc:  # the message is out: nothing about its chart may turn that into a failure
        _log_failure(item, channel, type(exc).__name__)
        return False
    return True


def _log_failure(item: Upload, channel: str, error: str) -> None:
    log.warning(
        "Slack: diagrammet %s ble ikke lastet opp til %s (%s); meldingen er sendt uten det.",
        item.filename,
        channel,
        error,
    )
