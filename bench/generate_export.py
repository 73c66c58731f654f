"""Generate a large, realistic restanse export (CSV as ePhorte writes it) and the directory that goes with it.

    python -m bench.generate_export                      # bench/data/restanser_1m.csv, Windows-1252
    python -m bench.generate_export --rows 200000 --encoding utf-8 --out bench/data/small.csv

The file is written row by row, never held in memory. Its shape follows real restanse reports:
- title lines above the header ("Restanseliste", who printed it and when, the selection), then
  Journalpostnr;Type;Jour.dato;Tittel;Offentlig tittel;Saksbehandler;Adm.enhet;Tilg.kode;Avsender/mottaker,
  `;`-separated, CRLF line ends, fields with `;` or `"` quoted;
- mostly I and N, a few % U and X (which the import skips);
- N notes to several internal recipients (one row per recipient, the same Journalpostnr);
- entries with two correspondents listed twice (the same Journalpostnr and Saksbehandler: one restanse);
- about 8% with an access code, whose title names a person and whose offentlig tittel is redacted;
- a skewed load (a few people carry many restanser), about 1% not yet given to anyone (no Saksbehandler)
  and a few rows for people who have left (initials not in the directory).

Next to the export, the directory as the archive keeps it: <stem>.enheter.csv and <stem>.personer.csv
(the formats `restansebot katalog` reads), for the import benchmark to load first.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"
AS_OF = date(2019, 11, 13)
HEADINGS = (
    "Journalpostnr", "Type", "Jour.dato", "Tittel", "Offentlig tittel", "Saksbehandler", "Adm.enhet",
    "Tilg.kode", "Avsender/mottaker",
)  # fmt: skip
TITLE_LINES = (
    ("Restanseliste per saksbehandler",),
    (f"Utskrevet {AS_OF:%d.%m.%Y} kl. 07:12 av ARK",),
    ("Utvalg: Journalposttype I, N, U, X; Status J, E, F, M; Ikke avskrevet",),
    (),
)
UNITS = (
    ("RÅD", "Rådmannens stab"), ("ØKO", "Økonomiavdelingen"), ("PER", "Personal og organisasjon"),
    ("LMA", "Landbruk, miljø og arealforvaltning"), ("BYG", "Byggesak"), ("PLAN", "Plan og utvikling"),
    ("OPPM", "Oppmåling og geodata"), ("VAR", "Vann, avløp og renovasjon"), ("VEG", "Veg og trafikk"),
    ("EIE", "Eiendomsforvaltning"), ("BHG", "Barnehager"), ("SKO", "Skoler"),
    ("PPT", "Pedagogisk-psykologisk tjeneste"), ("BV", "Barneverntjenesten"), ("NAV", "NAV kommune"),
    ("HJT", "Hjemmetjenesten"), ("SYK", "Sykehjemmene"), ("LEG", "Legetjenesten"),
    ("HST", "Helsestasjon og skolehelsetjeneste"), ("PRT", "Psykisk helse og rus"), ("KUL", "Kultur"),
    ("BIB", "Biblioteket"), ("IDR", "Idrett og friluftsliv"), ("NÆR", "Næringsutvikling"),
    ("BRA", "Brann og redning"), ("IKT", "IKT-tjenesten"), ("ARK", "Arkiv og dokumentsenter"),
    ("SER", "Servicetorget"), ("JUR", "Juridisk avdeling"), ("INN", "Innkjøp"), ("SKA", "Skatteoppkreveren"),
    ("FLY", "Flyktningtjenesten"), ("VOP", "Voksenopplæringen"), ("TIL", "Tildelingskontoret"),
    ("BOL", "Boligkontoret"), ("MHV", "Miljøretta helsevern"), ("KOM", "Kommunikasjon"),
    ("POL", "Politisk sekretariat"), ("TEK", "Teknisk drift"), ("FOR", "Forvaltning, utbygging og drift"),
)  # fmt: skip
FIRST_NAMES = (
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg", "Hilde", "Anna",
    "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth", "Kristin", "Jan", "Per", "Bjørn",
    "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Hans", "Thomas", "Geir", "Tor", "Morten", "Terje",
    "Odd", "Erik", "Martin", "Andreas", "John", "Øystein", "Åse", "Ståle", "Trond", "Håkon", "Sigrid",
)  # fmt: skip
SURNAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
    "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen",
    "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen",
    "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen",
    "Bakken", "Kristoffersen", "Mathisen", "Lie", "Amundsen", "Nguyen", "Rasmussen", "Ali", "Lunde",
    "Solheim", "Berge", "Moe", "Nygård", "Bakke", "Kristensen", "Fredriksen", "Holm", "Lien", "Hauge",
    "Christensen", "Andresen", "Nielsen", "Knudsen", "Evensen", "Sæther", "Aas", "Myhre", "Hanssen",
    "Ahmed", "Haugland", "Thomassen", "Sivertsen", "Simonsen", "Danielsen", "Berntsen", "Sandvik", "Rønning",
    "Arnesen", "Antonsen", "Næss", "Vik", "Haug", "Ellingsen", "Thorsen", "Edvardsen", "Birkeland", "Isaksen",
    "Gulbrandsen", "Ruud", "Aasen", "Strøm", "Myklebust", "Tangen", "Ødegård", "Eliassen", "Helland",
    "Bøe", "Jenssen", "Aune", "Mikkelsen", "Tveit", "Brekke", "Abrahamsen", "Madsen",
)  # fmt: skip
STREETS = ("Storgata", "Kirkevegen", "Skolegata", "Fjordvegen", "Industrivegen", "Bjørkelia", "Åsvegen")
COMPANIES = (
    "Statsforvalteren i Vestland", "Statens vegvesen", "NVE", "Mattilsynet", "Arkitektkontoret Nord AS",
    "Bygg og Anlegg AS", "Advokatfirmaet Hjort DA", "Helse Bergen HF", "Norconsult AS", "Kystverket",
    "Husbanken", "Fylkeskommunen", "Skatteetaten", "Direktoratet for byggkvalitet", "Naboene i Åsvegen",
)  # fmt: skip
FORMER_PEOPLE = 40
ACCESS_CODES = ("U", "P", "13 Ofl", "UO", "PS", "Offl. § 13")
PLAIN_TITLES = (
    "Søknad om dispensasjon - gnr. {gnr} bnr. {bnr} - {street} {no}",
    "Søknad om rammetillatelse - {street} {no}",
    "Melding om ferdigstillelse - gnr. {gnr} bnr. {bnr}",
    "Innspill til reguleringsplan for {street}; merknad fra naboer",
    'Høring - forslag til endring i forskrift om "{street}"',
    "Søknad om tilskudd til {street} grendelag {year}",
    "Klage på gebyr for feiing og tilsyn - {street} {no}",
    "Spørsmål om skjenkebevilling - {company}",
    "Faktura {no}{bnr} - purring",
    "Varsel om oppstart av planarbeid - {street}",
    "Søknad om deling av grunneiendom - gnr. {gnr} bnr. {bnr}",
    "Tilsynsrapport - {company}",
)  # fmt: skip
CONFIDENTIAL_TITLES = (
    "Søknad om barnehageplass - {person}",
    "Klage på vedtak om praktisk bistand - {person}",
    "Melding om bekymring - {person}",
    "Søknad om permisjon - {person}",
    "Legeerklæring - {person}",
    "Søknad om startlån - {person} - {street} {no}",
)  # fmt: skip
INTERNAL_TITLES = (
    "Budsjettinnspill {year} - {unit}",
    "Internt notat - oppfølging av tilsyn {street}",
    "Bestilling av utredning - {street}",
    "Referat fra møte i arbeidsmiljøutvalget {year}",
    "Vurdering av søknad - {street} {no}",
)  # fmt: skip


@dataclass(frozen=True)
class Directory:
    units: list[tuple[str, str, str, str]]  # code, name, parent, leaders
    people: list[tuple[str, str, str, str, str]]  # initials, name, e-mail, unit, role
    former: list[str]  # initials of people who have left: still on old entries, no longer in the directory


def make_directory(people: int, units: int, rng: np.random.Generator) -> Directory:
    """Units with real-looking codes (E41.. beyond the 40 named ones) and people with unique initials."""
    unit_list = list(UNITS[:units]) + [(f"E{n:02d}", f"Enhet {n}") for n in range(len(UNITS), units)]
    taken: set[str] = set()
    persons: list[tuple[str, str, str, str, str]] = []
    for index in range(people + FORMER_PEOPLE):
        first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
        last = SURNAMES[int(rng.integers(len(SURNAMES)))]
        initials = _initials(first, last, taken)
        email = f"{first}.{last}.{index}@kommunen.example".lower().translate(str.maketrans("æøå", "eoa"))
        unit = unit_list[index % len(unit_list)][0]
        role = "leder" if index < len(unit_list) else "saksbehandler"
        persons.append((initials, f"{first} {last}", email, unit, role))
    leaders = {p[3]: p[0] for p in persons if p[4] == "leder"}
    root = unit_list[0][0]
    units_out = [
        (code, name, "" if code == root else root, leaders.get(code, "")) for code, name in unit_list
    ]
    return Directory(units_out, persons[:people], [p[0] for p in persons[people:]])


def _initials(first: str, last: str, taken: set[str]) -> str:
    """As records systems make them: the first letters of the names, then variants, then a number."""
    f, s = first.upper(), last.upper()
    candidates = [f[0] + s[:2], f[:2] + s[0], f[0] + s[0] + s[-1], f[:2] + s[:2], f[0] + s[:3]]
    candidates += [f"{f[0]}{s[:2]}{n}" for n in range(1, 1000)]
    initials = next(c for c in candidates if c not in taken)
    taken.add(initials)
    return initials


def _dates(rng: np.random.Generator, n: int) -> np.ndarray:
    """Journal dates: most restanser are weeks or months old, some several years."""
    ages = np.minimum(rng.exponential(180.0, n).astype(np.int64), 365 * 5)
    return np.datetime64(AS_OF.isoformat()) - ages.astype("timedelta64[D]")


def rows(directory: Directory, total: int, seed: int) -> Iterator[tuple[str, ...]]:
    """Export rows, `total` of them, entry by entry (an entry can take several rows)."""
    rng = np.random.default_rng(seed)
    people = directory.people
    names = [p[1] for p in people]
    # A few people carry many restanser: log-normal weights per person.
    weights = rng.lognormal(0.0, 1.1, len(people))
    weights /= weights.sum()
    block = 100_000
    produced = entry = 0
    while produced < total:
        who = rng.choice(len(people), size=block, p=weights)
        other = rng.choice(len(people), size=(block, 3), p=weights)
        kind = rng.random(block)
        extra = rng.random(block)
        secret = rng.random(block)
        days = _dates(rng, block)
        nums = rng.integers(1, 400, size=(block, 3))
        picks = rng.integers(0, 1_000_000, size=(block, 4))
        for i in range(block):
            if produced >= total:
                return
            person = people[who[i]]
            journal_date: date = days[i].item()
            year = journal_date.year
            jp_id = f"{year}/{10_000 + entry // 6}-{entry % 6 + 1}"
            entry += 1
            fill = {
                "gnr": nums[i, 0], "bnr": nums[i, 1], "no": nums[i, 2], "year": year,
                "street": STREETS[picks[i, 0] % len(STREETS)], "company": COMPANIES[picks[i, 1] % len(COMPANIES)],
                "person": f"{FIRST_NAMES[picks[i, 2] % len(FIRST_NAMES)]} {SURNAMES[picks[i, 3] % len(SURNAMES)]}",
                "unit": person[3],
            }  # fmt: skip
            k = kind[i]
            jp_type = "U" if k < 0.025 else "X" if k < 0.04 else "N" if k < 0.26 else "I"
            access = ACCESS_CODES[picks[i, 1] % len(ACCESS_CODES)] if secret[i] < 0.08 else ""
            if access:
                title = CONFIDENTIAL_TITLES[picks[i, 0] % len(CONFIDENTIAL_TITLES)].format(**fill)
                public = title.rsplit(" - ", 1)[0] + " - *****" if " - " in title else "*****"
            elif jp_type in "NX":
                title = public = INTERNAL_TITLES[picks[i, 0] % len(INTERNAL_TITLES)].format(**fill)
            else:
                title = public = PLAIN_TITLES[picks[i, 3] % len(PLAIN_TITLES)].format(**fill)
            initials, unit = person[0], person[3]
            if 0.08 <= extra[i] < 0.09:
                initials = ""  # not yet given to anyone in the unit (ufordelt)
            elif 0.09 <= extra[i] < 0.093:
                initials = directory.former[
                    picks[i, 2] % len(directory.former)
                ]  # has left: not in the directory
            correspondent = (
                names[other[i, 0]] if jp_type in "NX" else fill["company"] if k > 0.8 else fill["person"]
            )
            line = (
                jp_id,
                jp_type,
                f"{journal_date:%d.%m.%Y}",
                title,
                public,
                initials,
                unit,
                access,
                correspondent,
            )
            yield line
            produced += 1
            if jp_type == "N" and 0.5 <= extra[i] < 0.75:
                # A note to several internal recipients: one row, and one restanse, per recipient.
                for r in range(1 + int(extra[i] * 100) % 3):
                    recipient = people[other[i, 1 + r % 2]]
                    if recipient[0] != person[0] and produced < total:
                        yield (*line[:5], recipient[0], recipient[3], access, correspondent)
                        produced += 1
            elif jp_type == "I" and 0.95 <= extra[i] < 0.965 and produced < total:
                # Two correspondents: the report lists the entry twice for the same saksbehandler.
                yield (*line[:8], COMPANIES[picks[i, 2] % len(COMPANIES)])
                produced += 1


def write_export(path: Path, total: int = 1_000_000, people: int = 5000, units: int = 40,
                 encoding: str = "cp1252", seed: int = 2019) -> Directory:  # fmt: skip
    """Write the export and the directory files next to it; returns the directory."""
    rng = np.random.default_rng(seed)
    directory = make_directory(people, units, rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerows(TITLE_LINES)
        writer.writerow(HEADINGS)
        writer.writerows(rows(directory, total, seed + 1))
    units_path, people_path = directory_paths(path)
    with units_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(("enhet", "navn", "overordnet", "ledere"))
        writer.writerows(directory.units)
    with people_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(("initialer", "navn", "epost", "enhet", "rolle"))
        writer.writerows(directory.people)
    return directory


def directory_paths(export: Path) -> tuple[Path, Path]:
    return export.with_suffix(".enheter.csv"), export.with_suffix(".personer.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA / "restanser_1m.csv")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--encoding", choices=("cp1252", "utf-8"), default="cp1252")
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args()
    started = time.perf_counter()
    write_export(args.out, args.rows, args.people, args.units, args.encoding, args.seed)
    size = args.out.stat().st_size / 1e6
    print(f"{args.out}: {args.rows:,} rows, {size:.0f} MB, {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
