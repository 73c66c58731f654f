"""Recognising column headings: case, spaces and punctuation ignored; explicit mapping for the rest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from restanse_core.fields import FIELDS
from restanse_core.words import normalise_heading

KNOWN_HEADINGS: dict[str, tuple[str, ...]] = {
    "id": (
        "Journalpostnr",
        "Jpnr",
        "JP-nr",
        "Saks-/dok.nr",
        "Dokumentnr",
        "RegistreringsID",
        "Journalpost-id",
    ),
    "saksnr": ("Saksnr", "Saksnummer"),
    "doknr": ("Dok.nr", "Dokumentnummer", "Journalpostnummer"),
    "type": ("Type", "Dok.type", "Dokumenttype", "Journalposttype", "JP-type"),
    "dato": ("Journaldato", "Jour.dato", "Reg.dato", "Mottatt", "Mottattdato"),
    "dokdato": ("Dok.dato", "Dokumentdato"),
    "tittel": ("Tittel", "Innhold", "Dokumentbeskrivelse"),
    "offentlig_tittel": ("Offentlig tittel",),
    "saksbehandler": ("Saksbehandler", "Saksbeh.", "Sbh"),
    "enhet": ("Adm.enhet", "Adm. enhet", "Administrativ enhet", "Enhet"),
    "tilgangskode": ("Tilgangskode", "Tilg.kode", "Skjerming", "Tilgangsrestriksjon"),
    "avsender": ("Avsender/mottaker", "Avsender", "Mottaker", "Korrespondansepart"),
    "forfall": ("Forfallsdato", "Forfall"),
    "avskrevet_dato": ("Avskrivningsdato", "Avskrevet dato", "Avskrevet"),
    "avskrivningsmaate": ("Avskrivningsmåte", "Avskrivningsmate", "Avskr.måte"),
}


_LOOKUP = {normalise_heading(h): field for field, names in KNOWN_HEADINGS.items() for h in names}
assert set(KNOWN_HEADINGS) == set(FIELDS)


def _recognised(headings: Iterable[object], mapping: Mapping[str, str] | None) -> dict[str, list[int]]:
    """Field → every column position whose heading is recognised as that field."""
    explicit = {normalise_heading(h): f for f, h in (mapping or {}).items()}
    mapped = set(explicit.values())
    positions: dict[str, list[int]] = {}
    for position, heading in enumerate(headings):
        key = normalise_heading(heading)
        if not key:
            continue
        # A field the mapping names is taken only from the heading the mapping gives.
        field = explicit[key] if key in explicit else _LOOKUP.get(key)
        if field and (key in explicit or field not in mapped):
            positions.setdefault(field, []).append(position)
    return positions


def match_headings(headings: Iterable[object], mapping: Mapping[str, str] | None = None) -> dict[str, int]:
    """Field → column position for the headings of one row. An explicit mapping wins over the known names."""
    return {field: found[0] for field, found in _recognised(headings, mapping).items()}


def ambiguous_headings(headings: list[str], mapping: Mapping[str, str] | None = None) -> dict[str, list[str]]:
    """Fields recognised in more than one column, with those columns' headings (which one is meant?)."""
    return {
        field: [headings[p] for p in found]
        for field, found in _recognised(headings, mapping).items()
        if len(found) > 1
    }


def looks_like_header(headings: Iterable[object], mapping: Mapping[str, str] | None = None) -> bool:
    fields = match_headings(headings, mapping)
    return len(fields) >= 2 and bool({"id", "saksnr", "enhet", "saksbehandler"} & fields.keys())
