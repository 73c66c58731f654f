"""Errors a user can cause: values with a message written for that user, never a traceback.

Messages here may be shown in chat as well as in the terminal, so they never name a command-line option;
the CLI adds its own hint where an option helps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from restanse_core.words import plural

MAX_MESSAGE_CHARS = 8000
"""No message grows past this, however long the line or value that caused it."""
MAX_VALUE_CHARS = 80
"""A value or heading quoted in a message is cut to this."""

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """A value as it may be quoted in a message: control characters written out (\\x1b), cut to `limit`."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _capped(message: str) -> str:
    """The message cut to MAX_MESSAGE_CHARS; its last line (what to do now) is kept when it is short."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    last = message.rpartition("\n")[2]
    tail = "\n" + last if "\n" in message and len(last) <= 200 else ""
    return message[: MAX_MESSAGE_CHARS - len(tail) - 14] + " … (forkortet)" + tail


class UserError(Exception):
    """A mistake in what the user gave us (a file, an option, a setting). The message says what to fix."""

    def __init__(self, message: str) -> None:
        message = _capped(message)
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Problem:
    """One invalid value in an input file, located as the user sees it."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str
    row_label: str = "rad"  # "linje" in an XML file

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", {self.row_label} {self.row}"
        if self.column:
            where += f", kolonne «{shown(self.column)}»"
        value = "" if self.value is None else f": «{shown(self.value)}»"
        return f"{where}{value} — {self.expected}"


MAX_PROBLEMS_SHOWN = 20
FIX_AND_RETRY = "Rett fila og les den inn på nytt."


class ImportRefused(UserError):
    """The file was refused as a whole because of invalid values; nothing was stored."""

    def __init__(self, file: str, problems: list[Problem], total: int | None = None) -> None:
        self.file = file
        self.problems = problems
        self.total = total if total is not None else len(problems)
        lines = [
            f"Importen av {file} ble avvist: {plural(self.total, 'ugyldig verdi', 'ugyldige verdier')}. "
            "Ingenting er lagret."
        ]
        lines += [f"  • {p}" for p in problems[:MAX_PROBLEMS_SHOWN]]
        if self.total > MAX_PROBLEMS_SHOWN:
            lines.append(f"  … og {self.total - MAX_PROBLEMS_SHOWN} til.")
        lines.append(FIX_AND_RETRY)
        super().__init__("\n".join(lines))


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """Something in a file that may be right or wrong: stored only when a person confirms it.

    `kind` says which check found it (for a preview to group or explain); `message` is for the person;
    `field` names the column a missing-column warning is about.
    """

    kind: str
    message: str
    field: str | None = None


class ConfirmationNeeded(UserError):
    """The file is readable but something needs a person's confirmation first; nothing was stored."""

    def __init__(self, file: str, warnings: list[ImportWarning], details: list[str] | None = None) -> None:
        self.file = file
        self.warnings = warnings
        lines = [f"{file} er ikke lagret. Se på dette først:"]
        lines += [f"  • {w.message}" for w in warnings]
        lines += details or []
        super().__init__("\n".join(lines))
