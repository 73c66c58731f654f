"""What a command handler gets: the asker, where they asked, the argument, and the bot's data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.data import BotData
from bot.delivery.runner import Deliveries
from bot.replies import Place
from restanse_core.guide import Guide
from restanse_core.model import Person, Restanse
from restanse_core.reports import Period, PersonFigures, UnitTable

if TYPE_CHECKING:
    from bot.registry import Registry
    from bot.sources import Records


class CommandBot(BotData, Protocol):
    """What commands use of the bot (implemented by `bot.service.Restansebot`)."""

    guide: Guide
    registry: Registry
    sending: Deliveries
    records: Records | None  # the records system, where one is configured (write-off, «oppdater»)

    @property
    def period(self) -> Period | None: ...

    def person_figures(self, initials: str) -> PersonFigures: ...

    def oldest(self, initials: str, offset: int = 0) -> list[Restanse]: ...

    def shared_notes(self) -> frozenset[str]: ...

    def unit_table(self) -> UnitTable | None: ...

    def records_link(self, jp_id: str) -> str | None: ...

    def invalidate(self) -> None: ...


@dataclass(frozen=True)
class Ask:
    bot: CommandBot
    asker: Person | None
    place: Place
    argument: str = ""
    offset: int = 0  # for "next page" actions
    confirmed: bool = False  # a press of the command's confirm button
    action: str = ""  # the button pressed, for a command with several
    inputs: Mapping[str, str] = field(
        default_factory=dict
    )  # what was typed in the message's fields (`Input`)
