"""A message as MIME: text and HTML alternatives, the chart as an inline image, and the headers that make a
reminder behave as one — a stable Message-ID and Date (the outbox row's), and no auto-replies.

Written directly rather than through `email.message.EmailMessage`: its header registry parses every header it
is given and cost three times what the rest of a send costs in the fan-out (bench/mail_fanout.py). The parts
are quoted-printable (the texts are mostly ASCII) and the picture base64; headers with other characters are
RFC 2047 encoded words.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import UTC, datetime
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from adapters.epost.config import EmailConfig
from bot.delivery.port import Mail, Picture
from restanse_core.clock import OSLO
from restanse_core.model import Person

log = logging.getLogger("restansebot.epost")
CRLF = b"\r\n"
WORD_BYTES = 45  # base64 of 45 bytes is 60 characters: an encoded word stays within RFC 2047's 75


def _picture_bytes(picture: Picture) -> bytes | None:
    if not picture.path:
        return None
    try:
        return Path(picture.path).read_bytes()
    except OSError:  # drawn on another host, or cleaned away: the HTML links to its address instead
        log.warning("Bildet %s finnes ikke her; e-posten lenker til det i stedet", picture.path)
        return None


def _one_line(text: str) -> str:
    return " ".join(text.split())  # no line break from a directory cell can start a header of its own


def _encoded_words(text: str) -> str:
    """RFC 2047 «b» encoded words of at most 45 bytes each (never splitting a character), folded."""
    words: list[bytes] = []
    chunk = b""
    for character in text:
        encoded = character.encode("utf-8")
        if len(chunk) + len(encoded) > WORD_BYTES:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?=" for w in words)


def _address(name: str | None, address: str) -> str:
    name = _one_line(name or "")
    if name.isascii():
        return formataddr((name, address))  # quotes a name with specials
    return f"{_encoded_words(name)} <{address}>"


def _unstructured(text: str) -> str:
    text = _one_line(text)
    return text if text.isascii() else _encoded_words(text)


def _text_part(kind: str, text: str) -> bytes:
    body = binascii.b2a_qp(text.replace("\r\n", "\n").encode("utf-8"), istext=True)
    head = (
        f'Content-Type: text/{kind}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
    )
    return head.encode("ascii") + body.replace(b"\n", CRLF)


def _picture_part(picture: Picture, data: bytes) -> bytes:
    name = Path(picture.path or "chart.png").name
    head = (
        "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        f'Content-ID: <{picture.cid}>\r\nContent-Disposition: inline; filename="{name}"\r\n\r\n'
    )
    return head.encode("ascii") + base64.encodebytes(data).replace(b"\n", CRLF)


def _multipart(subtype: str, parts: list[bytes], ref: str) -> bytes:
    # «=_» never occurs in quoted-printable or base64 (QP writes «=» as «=3D»): the boundary is safe as it is.
    boundary = f"=_{subtype}_restansebot_{ref}"
    out = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n\r\n'.encode("ascii")]
    for part in parts:
        out += [f"--{boundary}\r\n".encode("ascii"), part, CRLF]
    out.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(out)


def render_message(mail: Mail, config: EmailConfig, person: Person, ref: str) -> tuple[str, bytes]:
    """The e-mail to `person` as the mail service gets it: its Message-ID and the message's bytes (CRLF)."""
    assert person.email is not None
    date = mail.date or datetime.now(UTC)
    if date.tzinfo is None:  # SQLite hands back naive UTC
        date = date.replace(tzinfo=UTC)
    message_id = mail.message_id or make_msgid("restansebot")
    headers = [
        ("From", _address(config.sender_name, config.sender)),
        ("To", _address(person.name, person.email)),
        *((("Reply-To", config.reply_to),) if config.reply_to else ()),
        ("Subject", _unstructured(mail.subject)),
        ("Date", format_datetime(date.astimezone(OSLO))),
        ("Message-ID", message_id),
        ("MIME-Version", "1.0"),
        # A reminder to hundreds of people must not set off hundreds of out-of-office answers (RFC 3834; Exchange).
        ("Auto-Submitted", "auto-generated"),
        ("X-Auto-Response-Suppress", "All"),
        ("X-Restansebot-Ref", ref),
    ]
    html = mail.html
    inline: list[bytes] = []
    for picture in mail.pictures:
        data = _picture_bytes(picture)
        if data is not None:
            inline.append(_picture_part(picture, data))
        elif picture.url:
            html = html.replace(f"cid:{picture.cid}", picture.url)
    html_part = _text_part("html", html)
    if inline:
        html_part = _multipart("related", [html_part, *inline], ref)
    body = _multipart("alternative", [_text_part("plain", mail.text), html_part], ref)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("ascii")
    return message_id, head + body
