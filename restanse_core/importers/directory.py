"""The directory: a units file (enhet;navn;overordnet;ledere) and a people file (initialer;navn;epost;enhet;rolle)."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from restanse_core.clock import Clock, default_clock
from restanse_core.errors import ConfirmationNeeded, ImportRefused, ImportWarning, Problem, UserError
from restanse_core.importers.clean import clean_text
from restanse_core.importers.guards import heading_list
from restanse_core.importers.headings import match_headings, normalise_heading
from restanse_core.importers.source import Limits
from restanse_core.importers.tabular import EXCEL_SUFFIXES, unreadable_excel, unreadable_table
from restanse_core.importers.textfile import (
    detect_encoding,
    head_lines,
    read_head,
    refuse_undefined_bytes,
    sniff_separator,
    split_line,
)
from restanse_core.importers.workbook import refuse_zip_bomb
from restanse_core.model import Enhet, Person, Rolle
from restanse_core.store import repository

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
    "login": ("brukernavn", "login", "arkivbruker"),
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
# Headings only a restanse list has: a file with them is never a directory file.
_JOURNALPOST_FIELDS = {
    "id", "saksnr", "doknr", "type", "dato", "dokdato", "tittel", "offentlig_tittel", "tilgangskode",
    "avsender", "forfall", "avskrevet_dato", "avskrivningsmaate",
}  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHOWN_INITIALS = 20


@dataclass
class DirectoryFile:
    kind: str  # "units" | "people"
    units: list[Enhet]
    people: list[Person]
    notes: list[str] = field(default_factory=list)  # worth knowing, stored all the same
    cleaned: int = 0  # values that had control characters removed

    @property
    def empty(self) -> bool:
        return not (self.units or self.people)


def _read_table(path: Path, limits: Limits) -> tuple[pd.DataFrame, int]:
    """The file as a frame of stripped strings without control characters, and how many values had any."""
    if not path.is_file():
        raise UserError(f"Finner ikke fila {path}.")
    suffix = path.suffix.lower()
    try:
        if suffix in EXCEL_SUFFIXES:
            refuse_zip_bomb(path, limits.xlsx_max_bytes)
            try:
                frame = pd.read_excel(path, engine="calamine", dtype=str, keep_default_na=False)
            except Exception:  # calamine's own error types, in English
                raise unreadable_excel(path.name) from None
        elif suffix in {".csv", ".txt", ".tsv"}:
            if path.stat().st_size == 0:
                raise UserError(f"{path.name} er tom.")
            encoding = detect_encoding(path)
            first = next((line for line in head_lines(read_head(path), encoding, 10) if line.strip()), "")
            sep = sniff_separator(first)
            if encoding == "cp1252":
                refuse_undefined_bytes(path, sep, split_line(first, sep), 1)
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=encoding)
        else:
            raise UserError(
                f"{path.name}: katalogen leses fra .csv eller .xlsx, ikke «{suffix or '(ingen)'}»."
            )
    except UserError:
        raise
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        raise unreadable_table(path.name, exc) from None
    if len(frame) > limits.max_rows:
        raise limits.refuse_rows(path.name)
    cleaned = 0
    for column in frame.columns:
        frame[column], n = clean_text(frame[column].astype(str))
        frame[column] = frame[column].str.strip()
        cleaned += n
    return frame, cleaned


def _columns(frame: pd.DataFrame, wanted: dict[str, tuple[str, ...]]) -> dict[str, str]:
    by_norm = {normalise_heading(c): c for c in frame.columns}
    return {
        key: next(by_norm[n] for n in names if n in by_norm)
        for key, names in wanted.items()
        if any(n in by_norm for n in names)
    }


def classify_file(path: Path, limits: Limits) -> str:
    """«restanser», «enheter» or «personer», from the file's first row: a people file has initialer plus navn
    or epost; a units file has enhet plus navn; anything else (a Noark 5 extract too) is a restanse list."""
    if path.name.lower().endswith((".xml", ".gz")):
        return "restanser"
    headings = {normalise_heading(h) for h in _first_row(path, limits)}
    has = lambda names: bool(headings & set(names))  # noqa: E731
    if has(("initialer", "initials")) and (has(PEOPLE_HEADINGS["name"]) or has(PEOPLE_HEADINGS["email"])):
        return "personer"
    if has(UNIT_HEADINGS["code"]) and has(UNIT_HEADINGS["name"]):
        return "enheter"
    return "restanser"


def _first_row(path: Path, limits: Limits) -> list[str]:
    """The first row of a table, read without reading the rest."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        refuse_zip_bomb(path, limits.xlsx_max_bytes)
        try:
            sheet = pd.read_excel(path, engine="calamine", header=None, dtype=str, nrows=1)
        except Exception:  # calamine's own error types, in English
            raise unreadable_excel(path.name) from None
        return [str(v) for v in sheet.iloc[0].tolist()] if len(sheet) else []
    encoding = detect_encoding(path)
    first = next((line for line in head_lines(read_head(path), encoding, 10) if line.strip()), "")
    return split_line(first, sniff_separator(first))


def read_directory_file(path: Path, limits: Limits, channels: Sequence[str] | None = None) -> DirectoryFile:
    """A units file or a people file, known from its headings. `channels` are the names a person's `kanal`
    may take (the bot knows which exist); without it any single word is taken."""
    frame, cleaned = _read_table(path, limits)
    headings = [str(c) for c in frame.columns]
    journalpost = [h for h in headings if match_headings([h]).keys() & _JOURNALPOST_FIELDS]
    if (
        any(match_headings([h]).keys() & {"id", "saksnr", "doknr"} for h in journalpost)
        or len(journalpost) >= 2
    ):
        raise UserError(
            f"{path.name} ser ut som en restanseliste (overskriftene {heading_list(journalpost)}), "
            "ikke en fil med enheter eller personer."
        )
    people_cols = _columns(frame, PEOPLE_HEADINGS)
    unit_cols = _columns(frame, UNIT_HEADINGS)
    if "initials" in people_cols:
        if not {"name", "email"} & people_cols.keys():
            raise UserError(
                f"{path.name}: en personfil trenger en kolonne for navn eller e-post i tillegg til initialene. "
                f"Overskriftene i fila er: {heading_list(headings)}."
            )
        people = _people(path, frame, people_cols, channels)
        return DirectoryFile("people", [], people, _without_email(people), cleaned)
    if {"code", "name"} <= unit_cols.keys():
        return DirectoryFile("units", _units(path, frame, unit_cols), [], [], cleaned)
    raise UserError(
        f"{path.name}: kjenner ikke igjen fila som enheter (enhet;navn;overordnet;ledere) eller personer "
        f"(initialer;navn;epost;enhet;rolle). Overskriftene i fila er: {heading_list(headings)}."
    )


def import_directory(
    engine: Engine,
    paths: Sequence[Path],
    limits: Limits,
    *,
    changed_by: str,
    channels: Sequence[str] | None = None,
    confirmed: bool = False,
    names: Sequence[str] | None = None,
    clock: Clock | None = None,
) -> list[DirectoryFile]:
    """Read every file first, then replace the units and/or people they hold, all in one transaction, and
    record who did it, when and from which file (`names`: the files' names as the person knows them).

    A file without a single unit or person would empty that part of the directory: stored only when confirmed.
    """
    files = [read_directory_file(path, limits, channels) for path in paths]
    empty = [
        ImportWarning(
            "empty_file",
            f"{path.name} har bare overskriftsraden. Lagres den, fjernes alle "
            f"{'enhetene' if f.kind == 'units' else 'personene'} fra katalogen.",
        )
        for path, f in zip(paths, files, strict=True)
        if f.empty
    ]
    if empty and not confirmed:
        raise ConfirmationNeeded(", ".join(p.name for p in paths), empty, ["Ingenting er lagret."])
    with engine.begin() as conn:
        for f in files:
            if f.kind == "units":
                repository.replace_units(conn, f.units)
            else:
                repository.replace_people(conn, f.people)
        repository.bump_directory_version(conn, uuid.uuid4().hex)
        now = (clock or default_clock()).now()
        for path, name, f in zip(paths, names or [p.name for p in paths], files, strict=True):
            repository.record_directory_change(
                conn,
                kind=f.kind,
                file_name=name,
                checksum=hashlib.sha256(path.read_bytes()).hexdigest(),
                changed_by=changed_by,
                changed_at=now,
                count=len(f.units) if f.kind == "units" else len(f.people),
            )
    return files


def _split_initials(text: str) -> tuple[str, ...]:
    return tuple(p.upper() for p in re.split(r"[\s,;]+", text) if p)


def _units(path: Path, frame: pd.DataFrame, cols: dict[str, str]) -> list[Enhet]:
    problems: list[Problem] = []
    units: dict[str, Enhet] = {}
    lines: dict[str, int] = {}
    for index, (_, row) in enumerate(frame.iterrows()):
        line = index + 2
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
        lines[code] = line
    for index, (_, row) in enumerate(frame.iterrows()):
        parent = row[cols["parent"]].upper() if "parent" in cols else ""
        if parent and parent not in units:
            problems.append(
                Problem(path.name, index + 2, cols["parent"], parent, "overordnet enhet finnes ikke i fila")
            )
    for cycle in _cycles(units):
        first = cycle[0]
        problems.append(
            Problem(
                path.name,
                lines[first],
                cols["parent"],
                units[first].parent,
                "enhetene står over hverandre i ring (enhet → overordnet): " + " → ".join([*cycle, first]),
            )
        )
    if problems:
        raise ImportRefused(path.name, problems)
    return list(units.values())


def _cycles(units: dict[str, Enhet]) -> list[list[str]]:
    """Each ring of units that are each other's parents, once, starting from its first unit in the file."""
    order = {code: n for n, code in enumerate(units)}
    seen: set[str] = set()
    rings = []
    for start in units:
        path: list[str] = []
        code: str | None = start
        while code in units and code not in seen and code not in path:
            path.append(code)
            code = units[code].parent
        if code in path:
            ring = path[path.index(code) :]
            first = min(ring, key=lambda c: order[c])
            at = ring.index(first)
            rings.append(ring[at:] + ring[:at])
        seen.update(path)
    return rings


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
    emails: dict[str, tuple[str, int]] = {}
    for index, (_, row) in enumerate(frame.iterrows()):
        line = index + 2
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
        elif email:
            # Chat identities are matched by e-mail: two people with one address cannot be told apart.
            other = emails.setdefault(email.lower(), (initials, line))
            if other[0] != initials:
                problems.append(
                    Problem(
                        path.name,
                        line,
                        cols["email"],
                        email,
                        f"samme e-postadresse som {other[0]} på rad {other[1]}; hver person trenger sin egen",
                    )
                )
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
        login = row[cols["login"]] if "login" in cols else ""  # exactly as the records system writes it
        people[initials] = Person(
            initials,
            row[cols["name"]] if "name" in cols else initials,
            email.lower() or None,
            unit,
            role,
            kanal=kanal,
            login=login or None,
        )
    if problems:
        raise ImportRefused(path.name, problems)
    return list(people.values())


def _without_email(people: list[Person]) -> list[str]:
    missing = [p.initials for p in people if not p.email]
    if not missing:
        return []
    shown = ", ".join(missing[:_SHOWN_INITIALS]) + (
        f" … og {len(missing) - _SHOWN_INITIALS} til" if len(missing) > _SHOWN_INITIALS else ""
    )
    return [
        f"{len(missing)} {'person' if len(missing) == 1 else 'personer'} uten e-postadresse: {shown}. "
        "De kan ikke få påminnelser, og boten kjenner dem ikke igjen i Teams eller Slack."
    ]
