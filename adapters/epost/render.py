"""A message as MIME: text and HTML alternatives, the chart as an inline image, and the headers that make a
reminder behave as one — a stable Message-ID and Date (the outbox row's), and no auto-replies."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from adapters.epost.config import EmailConfig
from bot.delivery.port import Mail, Picture
from restanse_core.clock import OSLO
from restanse_core.model import Person

log = logging.getLogger("restansebot.epost")


def _picture_bytes(picture: Picture) -> bytes | None:
    if not picture.path:
        return None
    try:
        return Path(picture.path).read_bytes()
    except OSError:  # drawn on another host, or cleaned away: the HTML links to its address instead
        log.warning("Bildet %s finnes ikke her; e-posten lenker til det i stedet", picture.path)
        return None


def render_message(mail: Mail, config: EmailConfig, person: Person, ref: str) -> EmailMessage:
    """The e-mail to `person` as the mail service gets it."""
    assert person.email is not None
    message = EmailMessage(policy=SMTP)
    message["From"] = formataddr((config.sender_name or "", config.sender))
    message["To"] = formataddr((person.name, person.email))
    if config.reply_to:
        message["Reply-To"] = config.reply_to
    message["Subject"] = mail.subject
    date = mail.date or datetime.now(UTC)
    if date.tzinfo is None:  # SQLite hands back naive UTC
        date = date.replace(tzinfo=UTC)
    message["Date"] = format_datetime(date.astimezone(OSLO))
    message["Message-ID"] = mail.message_id or make_msgid("restansebot")
    # A reminder to hundreds of people must not set off hundreds of out-of-office answers (RFC 3834; Exchange).
    message["Auto-Submitted"] = "auto-generated"
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Restansebot-Ref"] = ref
    html = mail.html
    inline: list[tuple[Picture, bytes]] = []
    for picture in mail.pictures:
        data = _picture_bytes(picture)
        if data is not None:
            inline.append((picture, data))
        elif picture.url:
            html = html.replace(f"cid:{picture.cid}", picture.url)
    message.set_content(mail.text)
    message.add_alternative(html, subtype="html")
    if inline:
        html_part = message.get_body(preferencelist=("html",))
        assert isinstance(html_part, EmailMessage)
        for picture, data in inline:
            html_part.add_related(
                data, "image", "png", cid=f"<{picture.cid}>", filename=Path(picture.path or "chart.png").name
            )
    return message
