"""From rows in canonical fields to restanser: types, write-offs, validation, privacy. Vectorised per chunk."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import pandas as pd

from restanse_core.errors import Problem
from restanse_core.importers.clean import clean_text
from restanse_core.importers.dates import iso_strings, parse_dates
from restanse_core.importers.headings import normalise_heading
from restanse_core.importers.source import JP_KEY, ROW, RowSource
from restanse_core.model import Organisation

RESTANSE_COLUMNS = (
    "jp_key", "jp_id", "saksbehandler", "enhet", "jp_type", "journal_date", "doc_date",
    "title", "public_title", "access_code", "correspondent", "due_date",
)  # fmt: skip
WRITTEN_OFF_COLUMNS = ("jp_key", "saksbehandler", "written_off_date", "method")

_TYPE_NAMES = {
    "I": ("I", "Inngående dokument", "Inngående", "Inngåande dokument", "Incoming"),
    "U": ("U", "Utgående dokument", "Utgående", "Utgåande dokument", "Outgoing"),
    "N": ("N", "Organinternt dokument for oppfølging", "Internt notat med oppfølging", "Organinternt notat for oppfølging"),
    "X": ("X", "Organinternt dokument uten oppfølging", "Internt notat uten oppfølging", "Organinternt notat uten oppfølging"),
    "S": ("S", "Saksframlegg"),
}  # fmt: skip
TYPE_CODES = {normalise_heading(name): code for code, names in _TYPE_NAMES.items() for name in names}
RESTANSE_TYPES = {"I", "N"}
T = TypeVar("T")
EARLIEST = pd.Timestamp("1900-01-01")
"""No archive has journal dates before this; such a date is a typing or export error."""


@dataclass
class ChunkResult:
    restanser: pd.DataFrame
    written_off: pd.DataFrame
    problems: list[Problem]
    invalid_rows: int
    skipped_types: Counter[str]
    rows: int
    cleaned: int  # text values that had control characters removed


@dataclass
class Resolver:
    """Matches saksbehandler (e-mail, initials or full name) and unit (code or name) to the directory."""

    people: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)  # e-mail (lower case) → initials
    person_units: dict[str, str] = field(default_factory=dict)  # initials → the person's own unit

    @classmethod
    def from_organisation(cls, org: Organisation) -> Resolver:
        people: dict[str, str] = {}
        for p in org.people.values():
            people[normalise_heading(p.name)] = p.initials
        for p in org.people.values():
            people[p.initials.lower()] = p.initials
        units: dict[str, str] = {}
        for u in org.units.values():
            units[normalise_heading(u.name)] = u.code
        for u in org.units.values():
            units[u.code.strip().lower()] = u.code
        emails = {p.email.lower(): p.initials for p in org.people.values() if p.email}
        person_units = {p.initials: p.unit for p in org.people.values() if p.unit}
        return cls(people, units, emails, person_units)

    @staticmethod
    def resolve(values: pd.Series, table: dict[str, str]) -> pd.Series:
        """The directory's code where the value is a known code or name (any case); the value as given otherwise."""
        mapping = {}
        for value in pd.unique(values):
            text = str(value).strip()
            known = table.get(text.lower()) or table.get(normalise_heading(text))
            # Unknown codes are written as the records system writes them (upper case); names are kept as given.
            mapping[value] = known or (text.upper() if len(text) <= 16 and " " not in text else text)
        return values.map(mapping)


class Pipeline:
    def __init__(
        self,
        source: RowSource,
        resolver: Resolver,
        temporary_codes: set[str],
        temporary_keeps: bool,
        *,
        as_of: date,
    ):
        self.source = source
        self.as_of = pd.Timestamp(as_of)
        self.resolver = resolver
        self.temporary_codes = {normalise_heading(c) for c in temporary_codes} | {
            c.upper() for c in temporary_codes
        }
        self.temporary_keeps = temporary_keeps

    def _problem(self, rows: pd.Series, values: pd.Series, column_field: str, expected: str) -> list[Problem]:
        heading = self.source.headings.get(column_field, column_field)
        return [
            Problem(
                self.source.name,
                int(r),
                heading,
                None if v is None else str(v),
                expected,
                self.source.row_label,
            )
            for r, v in zip(rows.tolist(), values.tolist(), strict=True)
        ]

    def prepare(self, frame: pd.DataFrame) -> ChunkResult:
        frame = frame.copy()
        n = len(frame)
        text: dict[str, pd.Series] = {}
        cleaned = 0
        for c in frame.columns:
            if c in _TEXT_FIELDS:
                text[c], had_control = clean_text(frame[c].astype("str"))
                text[c] = text[c].str.strip()
                cleaned += had_control
        empty = pd.Series("", index=frame.index, dtype="str")

        def col(name: str) -> pd.Series:
            return text.get(name, empty)

        problems: list[Problem] = []
        invalid = pd.Series(False, index=frame.index)

        # The id shown to people: id, or saksnr + doknr as 2019/1234-5.
        jp_id = col("id")
        if "id" not in text:
            both = (col("saksnr") != "") & (col("doknr") != "")
            jp_id = (col("saksnr") + "-" + col("doknr")).where(both, "")
        missing_id = jp_id == ""
        if missing_id.any():
            field_name = "id" if "id" in text else "saksnr"
            problems += self._problem(
                frame.loc[missing_id, ROW], jp_id[missing_id], field_name, "mangler journalpostnummer"
            )
            invalid |= missing_id

        enhet_raw = col("enhet")
        missing_unit = enhet_raw == ""
        if missing_unit.any():
            problems += self._problem(
                frame.loc[missing_unit, ROW], enhet_raw[missing_unit], "enhet", "mangler enhet"
            )
            invalid |= missing_unit

        # Types: only I and N give restanser. Without a type column every row is taken as one (the import warns).
        if "type" in text:
            raw_type = col("type")
            jp_type = _per_value(raw_type, lambda v: TYPE_CODES.get(normalise_heading(v), "?"))
            unknown = jp_type == "?"
            if unknown.any():
                problems += self._problem(
                    frame.loc[unknown, ROW], raw_type[unknown], "type",
                    "ukjent journalposttype (ventet I, U, N, X eller S, eller Noark-teksten)",
                )  # fmt: skip
                invalid |= unknown
        else:
            jp_type = pd.Series("", index=frame.index, dtype="str")

        dates: dict[str, pd.Series] = {}
        for fld in ("dato", "dokdato", "forfall", "avskrevet_dato"):
            if fld not in frame.columns:
                dates[fld] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[s]")
                continue
            parsed, bad = parse_dates(frame[fld])
            if bad.any():
                problems += self._problem(
                    frame.loc[bad, ROW],
                    frame.loc[bad, fld],
                    fld,
                    "ugyldig dato (ventet dd.mm.åååå, dd.mm.åå eller åååå-mm-dd)",
                )
                invalid |= bad
            dates[fld] = parsed

        # Written off: a date or a method, except a temporary method (ePhorte's ***) where that keeps the restanse.
        method = col("avskrivningsmaate")
        codes = self.temporary_codes
        temporary = _per_value(
            method, lambda v: (isinstance(v, str) and v.upper() in codes) or normalise_heading(v) in codes
        )
        answered = (dates["avskrevet_dato"].notna() | (method != "")) & ~temporary
        written_off = answered | (temporary & (not self.temporary_keeps))

        is_restanse_type = jp_type.isin(RESTANSE_TYPES) | (jp_type == "")
        # A restanse's journal date outside the list's own time is a typing or export error: its age would be
        # wrong. (Entries that are no restanse keep no journal date, so theirs cannot do harm.)
        if "dato" in frame.columns:
            restanse = ~invalid & is_restanse_type & ~written_off
            journal = dates["dato"]
            for wrong, expected in (
                (restanse & (journal < EARLIEST), "journaldato før 1900"),
                (restanse & (journal > self.as_of), f"journaldato etter listas dato ({self.as_of:%d.%m.%Y})"),
            ):
                if wrong.any():
                    problems += self._problem(
                        frame.loc[wrong, ROW], frame.loc[wrong, "dato"], "dato", expected
                    )
                    invalid |= wrong

        valid = ~invalid
        skipped_types: Counter[str] = Counter(jp_type[valid & ~is_restanse_type].tolist())

        keep = valid & is_restanse_type
        saksbehandler = col("saksbehandler")
        enhet = self.resolver.resolve(enhet_raw, self.resolver.units)
        saksbehandler = self.resolver.resolve(saksbehandler, self.resolver.people)
        if "epost" in text:  # a records system that knows the person's e-mail: the surest match
            by_email = col("epost").str.lower().map(self.resolver.emails)
            saksbehandler = by_email.where(by_email.notna(), saksbehandler)
        if "enhet_fra_katalog" in text:  # a recipient of a note counts in their own unit, where it is known
            own = saksbehandler.map(self.resolver.person_units)
            from_directory = (col("enhet_fra_katalog") != "") & own.notna()
            enhet = own.where(from_directory, enhet)
        jp_key = frame[JP_KEY].astype("str") if JP_KEY in frame.columns else jp_id
        access = col("tilgangskode")
        confidential = access != ""

        def none_if_empty(series: pd.Series) -> pd.Series:
            return series.astype(object).where(series != "", None)

        open_rows = keep & ~written_off
        restanser = pd.DataFrame(
            {
                "jp_key": jp_key,
                "jp_id": jp_id,
                "saksbehandler": saksbehandler,
                "enhet": enhet,
                "jp_type": jp_type,
                "journal_date": iso_strings(dates["dato"]),
                "doc_date": iso_strings(dates["dokdato"]),
                # Privacy: the title of an entry with an access code is not even stored.
                "title": none_if_empty(col("tittel").where(~confidential, "")),
                "public_title": none_if_empty(col("offentlig_tittel")),
                "access_code": none_if_empty(access),
                "correspondent": none_if_empty(col("avsender")),
                "due_date": iso_strings(dates["forfall"]),
                ROW: frame[ROW],
            }
        )[open_rows]
        written = pd.DataFrame(
            {
                "jp_key": jp_key,
                "saksbehandler": saksbehandler,
                "written_off_date": iso_strings(dates["avskrevet_dato"]),
                "method": none_if_empty(method),
            }
        )[keep & written_off]
        return ChunkResult(restanser, written, problems, int(invalid.sum()), skipped_types, n, cleaned)


def _per_value(values: pd.Series, function: Callable[[str], T]) -> pd.Series:
    """`values.map(function)`, calling the function once per distinct value (a column holds few: types, codes)."""
    return values.map({value: function(value) for value in values.unique()})


_TEXT_FIELDS = {
    "id", "saksnr", "doknr", "type", "tittel", "offentlig_tittel", "saksbehandler", "enhet",
    "tilgangskode", "avsender", "avskrivningsmaate", "epost", "enhet_fra_katalog",
}  # fmt: skip
