"""The directory: a units file (enhet;navn;overordnet;ledere) and a people file (initialer;navn;epost;enhet;rolle)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from restanse_core.errors import ImportRefused, Problem, UserError
from restanse_core.importers.headings import normalise_heading
from restanse_core.importers.tabular import detect_encoding, unreadable_excel, unreadable_table
from restanse_core.model import Enhet, Person, Rolle

UNIT_HEADINGS = {
    "code": ("enhet", "kode", "code", "unit"),
    "name": ("navn", "name"),
    "parent": ("overordnet", "overordnetenhet", "parent"),
    "leaders": ("ledere", "leder", "leaders", "leader"),
}
PEOPLE_HEADINGS = {
    "initials": ("initialer", "initials", "saksbehandler"),
    "name": ("navn", "name"),
    "email": ("epost", "email", "mail", "epostadresse"),
    "unit": ("enhet", "unit", "admenhet"),
    "role": ("rolle", "role"),
    "kanal": ("kanal", "channel", "foretrukketkanal"),
}
ROLE_NAMES = {
    "": Rolle.SAKSBEHANDLER,
    "saksbehandler": Rolle.SAKSBEHANDLER,
    "sakshandsamar": Rolle.SAKSBEHANDLER,
    "caseofficer": Rolle.SAKSBEHANDLER,
    "caseworker": Rolle.SAKSBEHANDLER,
    "leder": Rolle.LEDER,
    "leiar": Rolle.LEDER,
    "leader": Rolle.LEDER,
    "manager": Rolle.LEDER,
    "arkiv": Rolle.ARKIV,
    "archive": Rolle.ARKIV,
    "archivist": Rolle.ARKIV,
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class DirectoryFile:
    kind: str  # "units" | "people"
    units: list[Enhet]
    people: list[Person]


def _read_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise UserError(f"Finner ikke fila {path}.")
    suffix = path.suffix.lower()
    try:
        if suffix in {".xlsx", ".xlsm", ".xls"}:
            try:
                frame = pd.read_excel(path, engine="calamine", dtype=str, keep_default_na=False)
            except Exception:  # calamine's own error types, in English
                raise unreadable_excel(path.name) from None
        elif suffix in {".csv", ".txt", ".tsv"}:
            encoding = detect_encoding(path)
            first = path.read_text(encoding=encoding).splitlines()[:1]
            sep = max((";", "\t", ","), key=lambda s: first[0].count(s) if first else 0)
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=encoding)
        else:
            raise UserError(
                f"{path.name}: katalogen leses fra .csv eller .xlsx, ikke «{suffix or '(ingen)'}»."
            )
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        raise unreadable_table(path.name, exc) from None
    return frame.map(lambda v: str(v).strip())


def _columns(frame: pd.DataFrame, wanted: dict[str, tuple[str, ...]]) -> dict[str, str]:
    by_norm = {normalise_heading(c): c for c in frame.columns}
    return {
        key: next(by_norm[n] for n in names if n in by_norm)
        for key, names in wanted.items()
        if any(n in by_norm for n in names)
    }


def read_directory_file(path: Path, channels: Sequence[str] | None = None) -> DirectoryFile:
    """A units file or a people file, known from its headings. `channels` are the names a person's `kanal`
    may take (the bot knows which exist); without it any single word is taken."""
    frame = _read_table(path)
    people_cols = _columns(frame, PEOPLE_HEADINGS)
    unit_cols = _columns(frame, UNIT_HEADINGS)
    if "initials" in people_cols:
        return DirectoryFile("people", [], _people(path, frame, people_cols, channels))
    if {"code", "name"} <= unit_cols.keys():
        return DirectoryFile("units", _units(path, frame, unit_cols), [])
    found = ", ".join(f"«{c}»" for c in frame.columns)
    raise UserError(
        f"{path.name}: kjenner ikke igjen fila som enheter (enhet;navn;overordnet;ledere) eller personer "
        f"(initialer;navn;epost;enhet;rolle). Overskriftene i fila er: {found}."
    )


def _split_initials(text: str) -> tuple[str, ...]:
    return tuple(p.upper() for p in re.split(r"[\s,;]+", text) if p)


def _units(path: Path, frame: pd.DataFrame, cols: dict[str, str]) -> list[Enhet]:
    problems: list[Problem] = []
    units: dict[str, Enhet] = {}
    for line, (_, row) in enumerate(frame.iterrows(), start=2):
        code = row[cols["code"]].upper()
        if not code:
            problems.append(Problem(path.name, line, cols["code"], "", "mangler enhetskode"))
            continue
        if code in units:
            problems.append(Problem(path.name, line, cols["code"], code, "enhetskoden står to ganger"))
            continue
        parent = row[cols["parent"]].upper() if "parent" in cols and row[cols["parent"]] else None
        leaders = _split_initials(row[cols["leaders"]]) if "leaders" in cols else ()
        units[code] = Enhet(code, row[cols["name"]] or code, parent, leaders)
    for line, (_, row) in enumerate(frame.iterrows(), start=2):
        parent = row[cols["parent"]].upper() if "parent" in cols else ""
        if parent and parent not in units:
            problems.append(
                Problem(path.name, line, cols["parent"], parent, "overordnet enhet finnes ikke i fila")
            )
    if problems:
        raise ImportRefused(path.name, problems)
    return list(units.values())


def _kanal(raw: str, channels: Sequence[str] | None) -> str | None:
    """«Teams», «E-post» → teams, epost; None when the name is not one of `channels`."""
    name = normalise_heading(raw)
    if channels is None:
        return name if name.isalpha() else None
    return name if name in channels else None


def _people(
    path: Path, frame: pd.DataFrame, cols: dict[str, str], channels: Sequence[str] | None
) -> list[Person]:
    problems: list[Problem] = []
    people: dict[str, Person] = {}
    for line, (_, row) in enumerate(frame.iterrows(), start=2):
        initials = row[cols["initials"]].upper()
        if not initials:
            problems.append(Problem(path.name, line, cols["initials"], "", "mangler initialer"))
            continue
        if initials in people:
            problems.append(Problem(path.name, line, cols["initials"], initials, "initialene står to ganger"))
            continue
        email = row[cols["email"]] if "email" in cols else ""
        if email and not _EMAIL.match(email):
            problems.append(Problem(path.name, line, cols["email"], email, "ugyldig e-postadresse"))
        raw_role = row[cols["role"]] if "role" in cols else ""
        role = ROLE_NAMES.get(normalise_heading(raw_role))
        if role is None:
            problems.append(
                Problem(
                    path.name, line, cols["role"], raw_role, "ukjent rolle (saksbehandler, leder eller arkiv)"
                )
            )
            continue
        unit = row[cols["unit"]].upper() if "unit" in cols and row[cols["unit"]] else None
        raw_kanal = row[cols["kanal"]] if "kanal" in cols else ""
        kanal = _kanal(raw_kanal, channels) if raw_kanal else None
        if raw_kanal and kanal is None:
            known = ", ".join(channels) if channels else "ett ord"
            problems.append(Problem(path.name, line, cols["kanal"], raw_kanal, f"ukjent kanal ({known})"))
            continue
        people[initials] = Person(
            initials,
            row[cols["name"]] if "name" in cols else initials,
            email.lower() or None,
            unit,
            role,
            kanal,
        )
    if problems:
        raise ImportRefused(path.name, problems)
    return list(people.values())
