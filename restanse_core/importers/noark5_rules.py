"""Noark 5 journalposter to rows in the canonical fields: who owns a restanse, which write-off counts.

The XML reading is in noark5.py; this module only sees plain values, so the rules can be read (and tested) on
their own. One journalpost gives one row per owner (recipient); the shared pipeline does the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from restanse_core.importers.headings import normalise_heading
from restanse_core.importers.pipeline import RESTANSE_TYPES, TYPE_CODES
from restanse_core.importers.source import JP_KEY, ROW
from restanse_core.settings import DEFAULT_CODES

COLUMNS = (
    ROW, JP_KEY, "id", "type", "dato", "dokdato", "tittel", "offentlig_tittel", "saksbehandler", "enhet",
    "tilgangskode", "avsender", "forfall", "avskrevet_dato", "avskrivningsmaate",
)  # fmt: skip
"""The columns of every chunk the reader yields, in this order."""

# korrespondanseparttype (M087), as full text or code, normalised with normalise_heading.
COPY_KINDS = {"kopimottaker", "internkopimottaker", "ek", "ik"}
SENDER_KINDS = {"avsender", "internavsender", "medavsender", "ea", "ia"}
CANCELLED_STATUSES = {"utgår", "utgar", "u"}  # journalstatus «Utgår»: registered by mistake, not followed up

# avskrivningsmaate (M619) as Noark writes it → the code in the archive's code list.
_METHOD_NAMES = {
    "BU": ("Besvart med brev", "Besvart med utgående brev"),
    "BE": ("Besvart med e-post", "Besvart med epost"),
    "TLF": ("Besvart på telefon", "Besvart per telefon", "Besvart pr telefon"),
    "BN": ("Besvart med notat",),
    "TE": ("Tatt til etterretning",),
    "TO": ("Tatt til orientering",),
    "SA": ("Sak avsluttet", "Saken avsluttet", "Saken ble avsluttet"),
    "***": ("Foreløpig svar",),
}
METHOD_CODES: dict[str, str] = {}
for _code, _names in _METHOD_NAMES.items():
    for _name in _names:
        METHOD_CODES.setdefault(normalise_heading(_name), _code)
for _code, _entry in DEFAULT_CODES.items():
    METHOD_CODES.setdefault(normalise_heading(_entry.label), _code)

norm = lru_cache(maxsize=8192)(normalise_heading)
"""normalise_heading, remembered: the same few codes and names come back on every journalpost."""

ACCESS_CODE_MAX = 50  # the width of restanser.access_code
_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")


@dataclass(slots=True)
class Part:
    """One korrespondansepart of a journalpost."""

    kind: str = ""  # korrespondanseparttype, normalised
    name: str = ""
    saksbehandler: str = ""
    enhet: str = ""
    system_id: str = ""


@dataclass(slots=True)
class Writeoff:
    """One avskrivning. `ref` names a korrespondansepart when it writes off that recipient only."""

    date: str = ""
    method: str = ""
    ref: str = ""


@dataclass(slots=True)
class Case:
    """The fields of the saksmappe a journalpost belongs to (they come after its registreringer)."""

    saksaar: str = ""
    sekvensnummer: str = ""
    enhet: str = ""
    saksansvarlig: str = ""


@dataclass(slots=True)
class Journalpost:
    line: int
    system_id: str = ""
    registrerings_id: str = ""
    journalposttype: str = ""
    journalstatus: str = ""
    journalpostnummer: str = ""
    tittel: str = ""
    offentlig_tittel: str = ""
    journaldato: str = ""
    mottatt: str = ""
    dokumentdato: str = ""
    forfall: str = ""
    skjerming: str | None = None  # tilgangsrestriksjon; "" when skjerming is there without one
    parts: list[Part] = field(default_factory=list)
    writeoffs: list[Writeoff] = field(default_factory=list)


@dataclass(slots=True)
class Owner:
    saksbehandler: str
    enhet: str
    part: Part | None  # None for the saksmappe's saksansvarlig


def iso_date(value: str) -> str:
    """xs:date or xs:dateTime, with or without zone → YYYY-MM-DD; anything else as given, for the pipeline."""
    match = _ISO_DATE.match(value)
    return match.group(1) if match else value


def _number(value: str) -> str:
    return str(int(value)) if value.isdigit() else value


def shown_id(jp: Journalpost, case: Case) -> str:
    """`saksaar/sakssekvensnummer-journalpostnummer` where all three are known, else registreringsID."""
    if case.saksaar and case.sekvensnummer and jp.journalpostnummer:
        return f"{_number(case.saksaar)}/{_number(case.sekvensnummer)}-{_number(jp.journalpostnummer)}"
    return jp.registrerings_id


def method_code(text: str) -> str:
    """The code for an avskrivningsmaate given as Noark text; codes and unknown texts as given."""
    return METHOD_CODES.get(norm(text), text)


def owners(jp: Journalpost, type_code: str, case: Case) -> list[Owner]:
    """Who the restanse belongs to: see the module's tests for every case."""
    candidates = [p for p in jp.parts if p.kind not in COPY_KINDS]
    if type_code == "N":  # an internal note is followed up by its recipients, not by whoever wrote it
        candidates = [p for p in candidates if p.kind not in SENDER_KINDS]
    found: dict[str, Owner] = {}
    for part in candidates:
        if part.saksbehandler:
            key = norm(part.saksbehandler)
            found.setdefault(key, Owner(part.saksbehandler, part.enhet or case.enhet, part))
    if found:
        result = list(found.values())
        if type_code == "N":  # recipient units without a person: the unit's own (ufordelt) restanse
            covered = {norm(o.enhet) for o in result}
            for part in candidates:
                unit = norm(part.enhet)
                if not part.saksbehandler and part.enhet and unit not in covered:
                    covered.add(unit)
                    result.append(Owner("", part.enhet, part))
        return result
    if case.saksansvarlig:
        unit = case.enhet or next((p.enhet for p in candidates if p.enhet), "")
        return [Owner(case.saksansvarlig, unit, None)]
    units = {norm(p.enhet): Owner("", p.enhet, p) for p in reversed(candidates) if p.enhet}
    return list(reversed(units.values())) or [Owner("", case.enhet, None)]


def _refers_to(ref: str, part: Part | None) -> bool:
    if part is None:
        return False
    key = norm(ref)
    names = (part.system_id, part.name, part.saksbehandler)
    return ref.strip() == part.system_id or any(key == norm(n) for n in names if n)


def writeoff_for(jp: Journalpost, owner: Owner) -> Writeoff | None:
    """The write-off that counts for the owner: the latest (by date, then document order) that applies."""
    applicable = [
        (iso_date(w.date), index, w)
        for index, w in enumerate(jp.writeoffs)
        if not w.ref or _refers_to(w.ref, owner.part)
    ]
    return max(applicable, key=lambda t: (t[0], t[1]))[2] if applicable else None


def rows(jp: Journalpost, case: Case, inherited_skjerming: str | None) -> list[tuple[object, ...]]:
    """The journalpost's rows in COLUMNS order: one per owner for I and N, one in all for other types."""
    if norm(jp.journalstatus) in CANCELLED_STATUSES:
        return []
    type_code = TYPE_CODES.get(norm(jp.journalposttype))
    jp_id = shown_id(jp, case)
    jp_key = jp.system_id or jp_id
    if type_code is not None and type_code not in RESTANSE_TYPES:
        # Never a restanse: counted as skipped, so it needs neither id nor unit to be valid.
        any_unit = case.enhet or next((p.enhet for p in jp.parts if p.enhet), "")
        return [(jp.line, jp_key or "-", jp_id or jp_key or "-", jp.journalposttype, "", "", "", "", "",
                 any_unit or "-", "", "", "", "", "")]  # fmt: skip
    skjerming = jp.skjerming if jp.skjerming is not None else inherited_skjerming
    confidential = skjerming is not None
    access = ((skjerming or "skjermet").strip() or "skjermet")[:ACCESS_CODE_MAX] if confidential else ""
    sender = "" if confidential else "; ".join(p.name for p in jp.parts if p.kind in SENDER_KINDS and p.name)
    common = (jp.journaldato or jp.mottatt, jp.dokumentdato)
    out: list[tuple[object, ...]] = []
    for owner in owners(jp, type_code or "", case):
        writeoff = writeoff_for(jp, owner)
        out.append((
            jp.line, jp_key, jp_id, jp.journalposttype, iso_date(common[0]), iso_date(common[1]),
            "" if confidential else jp.tittel, jp.offentlig_tittel, owner.saksbehandler, owner.enhet, access,
            sender, iso_date(jp.forfall),
            iso_date(writeoff.date) if writeoff else "", method_code(writeoff.method) if writeoff else "",
        ))  # fmt: skip
    return out
