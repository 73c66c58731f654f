"""Building the e-mail sending port as the server does, and messages to send with it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import adapters.epost as epost
from adapters.epost.sending import EpostSender
from bot.delivery.port import Mail, Picture
from bot.replies import Paragraph, Reply
from bot.texts import Texts
from restanse_core.model import Person

KARI = Person("KAB", "Kari Aune Brattås", "kari@k.no", "LMA")
OLA = Person("ONO", "Ola Nordmann", "ola@k.no", "LMA")
REPLY = Reply((Paragraph("Du har 35 restanser."),), summary="Du har 35 restanser.")


def make_sender(env: Mapping[str, str]) -> EpostSender:
    runtime: Any = SimpleNamespace(env=dict(env), bot=SimpleNamespace(texts=Texts("nb")))
    return epost.sender(runtime)


def mail(
    n: int = 35, message_id: str = "<restansebot.2019-12.1@test>", picture: Picture | None = None
) -> Mail:
    html = f"<p>Du har <strong>{n} restanser</strong>, frist 02.01.20.</p>"
    if picture is not None:
        html += f'<img src="cid:{picture.cid}" alt="{picture.alt}">'
    return Mail(
        subject=f"Du har {n} restanser – avskriv innen 02.01.20",
        text=f"Du har {n} restanser. Frist 02.01.20.\n",
        html=html,
        pictures=(picture,) if picture else (),
        message_id=message_id,
        date=datetime(2019, 12, 17, 8, 0, tzinfo=UTC),
    )
