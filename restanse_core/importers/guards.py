"""What the import of a restanse list checks before it stores: the list's date, its columns, its size.

Hard refusals raise a UserError. Everything that may be right for one archive and a mistake for another is an
ImportWarning: the import reports it and stores the list only when a person has confirmed it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from restanse_core.errors import ImportWarning, UserError, shown
from restanse_core.model import Snapshot
from restanse_core.settings import ABSENT_COLUMNS
from restanse_core.words import plural


class Check(StrEnum):
    """The kinds of ImportWarning a restanse list can get."""

    MISSING_COLUMN = "missing_column"
    NO_RESTANSER = "no_restanser"
    SHRUNK = "shrunk"
    OLDER_THAN_NEWEST = "older_than_newest"
    DATE_CLASH = "date_clash"


@dataclass(frozen=True)
class PrintedDate:
    """The date a title line above the header gives the list («Utskrevet 16.12.2019»)."""

    day: date
    line: str


@dataclass(frozen=True)
class ListDate:
    """The list's date and where it came from: "option" (given by the person), "file" or "today"."""

    day: date
    source: str
    printed: PrintedDate | None = None


_PRINTED = re.compile(
    r"^\s*(?:utskrevet|utskriftsdato|dato|per)\b[\s:.,;]*(?:den\s+)?"
    r"(\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2})(?!\d)",
    re.IGNORECASE,
)


def _day(text: str) -> date | None:
    for fmt in ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def printed_date(title_lines: list[str]) -> PrintedDate | None:
    """The first title line that starts with Utskrevet, Utskriftsdato, Dato or Per followed by a date."""
    for line in title_lines:
        text = " ".join(line.split())
        match = _PRINTED.match(text)
        day = _day(match.group(1)) if match else None
        if day is not None:
            return PrintedDate(day, shown(text))
    return None


def list_date(
    given: date | None, printed: PrintedDate | None, today: date
) -> tuple[ListDate, list[ImportWarning]]:
    """The date the list is stored under: the one given, else the file's own, else today. A future date is refused."""
    warnings = []
    if given is not None:
        chosen = ListDate(given, "option", printed)
        if printed is not None and printed.day != given:
            warnings.append(
                ImportWarning(
                    Check.DATE_CLASH,
                    f"Du oppga {given:%d.%m.%Y} som dato for lista, men fila sier «{printed.line}». "
                    f"Lista lagres per {given:%d.%m.%Y}.",
                )
            )
    elif printed is not None:
        chosen = ListDate(printed.day, "file", printed)
    else:
        chosen = ListDate(today, "today")
    if chosen.day > today:
        where = (
            f"Datoen i fila («{chosen.printed.line}»)"
            if chosen.source == "file" and chosen.printed
            else (f"Datoen for lista, {chosen.day:%d.%m.%Y},")
        )
        raise UserError(
            f"{where} er etter i dag ({today:%d.%m.%Y}). En restanseliste kan ikke være fra fremtiden; "
            "sjekk datoen."
        )
    return chosen, warnings


_MISSING = {
    "saksbehandler": (
        "Fant ingen kolonne for saksbehandler: alle restansene blir ufordelt, og ingen saksbehandler får påminnelse.",
        "Lista har ingen kolonne for saksbehandler: alle restansene er ufordelt.",
    ),
    "type": (
        "Fant ingen kolonne for journalposttype: alle radene blir regnet som restanser, også utgående brev (U) "
        "og notater uten oppfølging (X).",
        "Lista har ingen kolonne for journalposttype: alle radene er regnet som restanser (I eller N).",
    ),
    "dato": (
        "Fant ingen kolonne for journaldato: restansene får ingen alder, og de eldste kan ikke vises først.",
        "Lista har ingen kolonne for journaldato: restansene har ingen alder.",
    ),
}
assert set(_MISSING) == set(ABSENT_COLUMNS)


def column_checks(fields: set[str], absent_columns: Sequence[str]) -> tuple[list[ImportWarning], list[str]]:
    """Warnings for the columns a list should have and lacks, and the assumptions the import then makes.

    A column the configuration lists in `absent_columns` is known to be missing: no warning, only the assumption.
    """
    warnings, assumptions = [], []
    for column in ABSENT_COLUMNS:
        if column in fields:
            continue
        warning, assumption = _MISSING[column]
        assumptions.append(assumption)
        if column not in absent_columns:
            warnings.append(ImportWarning(Check.MISSING_COLUMN, warning, field=column))
    return warnings, assumptions


def order_check(as_of: date, newest: Snapshot | None) -> list[ImportWarning]:
    """A list older than the newest one stored: probably last month's file again."""
    if newest is None or newest.as_of <= as_of:
        return []
    return [
        ImportWarning(
            Check.OLDER_THAN_NEWEST,
            f"Lista er datert {as_of:%d.%m.%Y}, men det finnes allerede en nyere liste per {newest.as_of:%d.%m.%Y}. "
            "Svarene og påminnelsene bygger fortsatt på den nyeste.",
        )
    ]


def size_checks(
    restanser: int, previous: Snapshot | None, previous_count: int | None, min_share: float
) -> list[ImportWarning]:
    """A list without restanser, or much smaller than the newest list before it: probably not the whole list."""
    before = (
        f" Forrige liste, per {previous.as_of:%d.%m.%Y}, hadde {previous_count}."
        if previous is not None and previous_count is not None
        else ""
    )
    if restanser == 0:
        return [ImportWarning(Check.NO_RESTANSER, "Lista har ingen restanser." + before)]
    if previous is None or previous_count is None or restanser >= min_share * previous_count:
        return []
    return [
        ImportWarning(
            Check.SHRUNK,
            f"Lista har {plural(restanser, 'restanse', 'restanser')}, færre enn {round(min_share * 100)} % av de {previous_count} "
            f"i forrige liste per {previous.as_of:%d.%m.%Y}. Er hele lista med?",
        )
    ]


class MissingColumn(UserError):
    """A column the list cannot be read without (the id, the unit) was not recognised."""

    def __init__(self, file: str, field: str, what: str, headings: list[str]) -> None:
        self.field = field
        super().__init__(
            f"{file}: fant ingen kolonne for feltet «{field}» ({what}). Overskriftene i fila er: {heading_list(headings)}."
        )


class AmbiguousColumns(UserError):
    """Two columns are recognised as the same field: which one is meant cannot be guessed."""

    def __init__(self, file: str, field: str, headings: list[str]) -> None:
        self.field = field
        self.headings = headings
        names = " og ".join(f"«{shown(h)}»" for h in headings)
        super().__init__(
            f"{file}: {len(headings)} kolonner er gjenkjent som feltet «{field}»: {names}. Bare én kan gjelde."
        )


def heading_list(headings: list[str], limit: int = 30) -> str:
    """«A», «B», … as quoted in a message: at most `limit` of them."""
    named = [f"«{shown(h)}»" for h in headings if str(h).strip()]
    more = f" … og {len(named) - limit} til" if len(named) > limit else ""
    return (", ".join(named[:limit]) or "(ingen)") + more
