"""What a command handler gets: the asker, where they asked, the argument, and the bot's data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.replies import Place
from restanse_core.model import Person

if TYPE_CHECKING:
    from bot.service import Restansebot


@dataclass(frozen=True)
class Ask:
    bot: Restansebot
    asker: Person | None
    place: Place
    argument: str = ""
    offset: int = 0  # for "next page" actions
