"""Errors a user can cause: values with a message written for that user, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass

from restanse_core.words import plural


class UserError(Exception):
    """A mistake in what the user gave us (a file, an option, a setting). The message says what to fix."""

    def __init__(self, message: str) -> None:
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
            where += f", kolonne «{self.column}»"
        shown = "" if self.value is None else f": «{self.value}»"
        return f"{where}{shown} — {self.expected}"


MAX_PROBLEMS_SHOWN = 20


class ImportRefused(UserError):
    """The file was refused as a whole; nothing was stored."""

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
        lines.append("Rett fila, eller bruk --skip-invalid for å lagre de gyldige radene.")
        super().__init__("\n".join(lines))
