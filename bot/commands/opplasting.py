"""The buttons of an upload's preview (arkiv): «Lagre», «Avbryt», and the list's date when the file has none.

The upload itself arrives as a file, not as words: see `bot.uploads` and each adapter's file intake."""

from __future__ import annotations

from bot.context import Ask
from bot.registry import Action, Command
from bot.replies import Reply
from bot.uploads import CANCEL, DATE, SAVE, Uploads
from restanse_core.model import Rolle


def handle(ask: Ask) -> Reply:
    return Uploads(ask.bot).press(ask)


COMMAND = Command(
    id="opplasting",
    aliases=(),
    help_key="commands.opplasting",
    handler=handle,
    roles=frozenset({Rolle.ARKIV}),
    hidden=True,
    actions=(Action(SAVE, confirms=True), Action(CANCEL), Action(DATE)),
)
