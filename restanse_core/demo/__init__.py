"""The bundled sample: the procedure's 37 units with fictitious people, and two monthly restanse lists whose
per-unit counts are exactly the procedure's table (1200 on 13.11.2019, 1232 on 16.12.2019).

The lists are written as real CSV exports and read through the real importer, as an archive would.
"""

from __future__ import annotations

import csv
import random
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine

from restanse_core.importers import import_snapshot
from restanse_core.importers.directory import read_directory_file
from restanse_core.importers.source import Limits
from restanse_core.settings import Settings, default_data_dir
from restanse_core.store import repository

HERE = Path(__file__).parent
FIRST, SECOND = date(2019, 11, 13), date(2019, 12, 16)
DEMO_CASE_OFFICER = "KAB"  # a saksbehandler in LMA with more than 30 restanser
DEMO_LEADER = "LMLED"
DEMO_ARCHIVIST = "ARK1"

_FIRST_NAMES = (
    "Kari",
    "Ola",
    "Ingrid",
    "Per",
    "Solveig",
    "Lars",
    "Marit",
    "Knut",
    "Astrid",
    "Jon",
    "Sigrid",
    "Arne",
    "Liv",
    "Tor",
    "Hilde",
    "Geir",
    "Anne",
    "Bjørn",
    "Randi",
    "Eirik",
    "Tone",
    "Svein",
    "Berit",
    "Håkon",
    "Gunn",
    "Odd",
    "Turid",
    "Nils",
    "Ragnhild",
    "Terje",
    "Wenche",
    "Rune",
    "Siri",
    "Øystein",
    "Heidi",
    "Trond",
    "Bente",
    "Stian",
)
_LAST_NAMES = (
    "Aune",
    "Berg",
    "Dahl",
    "Eggen",
    "Fossum",
    "Grande",
    "Haugen",
    "Indergård",
    "Jensvoll",
    "Kvam",
    "Lien",
    "Moe",
    "Nessø",
    "Okkenhaug",
    "Prestmo",
    "Rønning",
    "Sandvik",
    "Tromsdal",
    "Ulvin",
    "Vikan",
    "Waage",
    "Ystad",
    "Ørstad",
    "Ålberg",
    "Brattås",
    "Forbord",
    "Hegstad",
    "Lyngstad",
    "Myhr",
    "Stenvik",
)
_TITLES = (
    "Søknad om dispensasjon fra arealformålet – gnr. {a}/{b}",
    "Klage på vedtak om eiendomsskatt",
    "Spørsmål om byggesak – gnr. {a}/{b}",
    "Melding om avvik i tjenesten",
    "Høring – regional plan for vannforvaltning",
    "Søknad om tilskudd til drenering",
    "Henvendelse om brøyting av kommunal vei",
    "Innspill til kommuneplanens arealdel",
    "Forespørsel om innsyn",
    "Søknad om permisjon",
    "Referat fra samarbeidsmøte",
    "Tilbud – rammeavtale kontorrekvisita",
    "Søknad om skjønnsmidler",
    "Varsel om oppstart av planarbeid",
    "Søknad om deling av grunneiendom – gnr. {a}/{b}",
    "Bekymringsmelding",
    "Klage på karakter",
    "Søknad om barnehageplass",
    "Melding om skade på kommunal eiendom",
    "Invitasjon til dialogmøte",
    "Søknad om ferdigattest – gnr. {a}/{b}",
    "Revisjonsrapport",
    "Faktura – purring",
)
_PUBLIC_TITLES = (
    "Søknad om ***** – unntatt offentlighet",
    "Henvendelse fra privatperson",
    "Personalsak – *****",
)


@dataclass(frozen=True)
class DemoInfo:
    units: int
    people: int
    first: int
    second: int
    leader: str = DEMO_LEADER
    archivist: str = DEMO_ARCHIVIST


def demo_database_url() -> str:
    return f"sqlite:///{default_data_dir() / 'demo.db'}"


def _units() -> list[dict[str, str]]:
    with (HERE / "units.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def _counts() -> dict[str, tuple[int, int]]:
    with (HERE / "counts.csv").open(encoding="utf-8") as handle:
        return {
            r["enhet"]: (int(r[FIRST.isoformat()]), int(r[SECOND.isoformat()]))
            for r in csv.DictReader(handle, delimiter=";")
        }


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = {DEMO_CASE_OFFICER, DEMO_LEADER, DEMO_ARCHIVIST, "ARK2"}

    def person(self) -> tuple[str, str]:
        while True:
            first, last = self.rng.choice(_FIRST_NAMES), self.rng.choice(_LAST_NAMES)
            initials = (first[:2] + last[0]).upper().replace("Ø", "O").replace("Å", "A").replace("Æ", "A")
            if initials not in self.used:
                self.used.add(initials)
                return initials, f"{first} {last}"


def _people(
    rng: random.Random, counts: dict[str, tuple[int, int]]
) -> tuple[list[dict[str, str]], dict[str, list[str]], dict[str, str]]:
    """People per unit: one leader each, and enough case officers for the unit's load."""
    names = _Names(rng)
    people: list[dict[str, str]] = []
    officers: dict[str, list[str]] = {}
    leaders: dict[str, str] = {}
    for unit in _units():
        code = unit["enhet"]
        load = max(counts[code])
        n = 1 if load == 0 else min(14, max(1, round(load / 40) + 1))
        initials_list = []
        for i in range(n):
            initials, name = ("KAB", "Kari Aune Brattås") if code == "LMA" and i == 0 else names.person()
            initials_list.append(initials)
            people.append({"initialer": initials, "navn": name, "enhet": code, "rolle": "saksbehandler"})
        officers[code] = initials_list
        leader, leader_name = ("LMLED", "Liv Myhr Lyngstad") if code == "LMA" else names.person()
        leaders[code] = leader
        people.append({"initialer": leader, "navn": leader_name, "enhet": code, "rolle": "leder"})
    people.append(
        {"initialer": DEMO_ARCHIVIST, "navn": "Unni Arkivar Aune", "enhet": "SUV", "rolle": "arkiv"}
    )
    people.append({"initialer": "ARK2", "navn": "Liv Elsa Arkivar Berg", "enhet": "SUV", "rolle": "arkiv"})
    for p in people:
        local = p["navn"].lower().replace(" ", ".").translate(str.maketrans("æøå", "eoa"))
        p["epost"] = f"{local}@demo.kommune.no"
    return people, officers, leaders


def _write_exports(folder: Path, rng: random.Random, officers: dict[str, list[str]]) -> tuple[Path, Path]:
    """Two exports as the records system writes them, including rows that are not restanser."""
    counts = _counts()
    serial = iter(range(1, 10**6))
    header = [
        "Journalpostnr",
        "Type",
        "Jour.dato",
        "Tittel",
        "Offentlig tittel",
        "Saksbehandler",
        "Adm.enhet",
        "Tilg.kode",
        "Avsender/mottaker",
        "Avskrivningsdato",
        "Avskrivningsmåte",
    ]

    def new_row(code: str, as_of: date) -> list[str]:
        year = rng.choice((2017, 2018, 2019, 2019, 2019))
        jp = f"{year}/{rng.randint(100, 9999)}-{next(serial)}"
        journal = min(as_of - timedelta(days=1), date(year, 1, 1) + timedelta(days=rng.randint(0, 360)))
        people = officers[code]
        weights = [1 / (k + 1) ** 0.6 for k in range(len(people))]
        sb = "" if rng.random() < 0.03 else rng.choices(people, weights)[0]
        confidential = rng.random() < 0.08
        title = rng.choice(_TITLES).format(a=rng.randint(1, 300), b=rng.randint(1, 400))
        return [
            jp,
            rng.choice("IIIIN"),
            journal.strftime("%d.%m.%Y"),
            "" if confidential else title,
            rng.choice(_PUBLIC_TITLES) if confidential and rng.random() < 0.7 else "",
            sb,
            code,
            rng.choice(("U", "13 Ofl", "P")) if confidential else "",
            "" if confidential else f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
            "",
            "",
        ]

    def noise(code: str, as_of: date) -> list[str]:
        row = new_row(code, as_of)
        row[1] = rng.choice("UX")
        return row

    first_rows: dict[str, list[list[str]]] = {}
    second_rows: dict[str, list[list[str]]] = {}
    written_off: list[list[str]] = []
    for code, (before, after) in counts.items():
        first_rows[code] = [new_row(code, FIRST) for _ in range(before)]
        kept = rng.sample(first_rows[code], min(before, round(after * 0.6)))
        gone = [r for r in first_rows[code] if r not in kept]
        for r in gone[
            : len(gone) // 2
        ]:  # half of what left the list was written off; the rest reassigned/deleted
            done = list(r)
            done[9] = (SECOND - timedelta(days=rng.randint(1, 30))).strftime("%d.%m.%Y")
            done[10] = rng.choice(("TE", "TO", "BU", "BE"))
            written_off.append(done)
        second_rows[code] = kept + [new_row(code, SECOND) for _ in range(after - len(kept))]
    paths = []
    for as_of, rows, extra in ((FIRST, first_rows, []), (SECOND, second_rows, written_off)):
        path = folder / f"restanser-{as_of.isoformat()}.csv"
        with path.open("w", encoding="cp1252", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["Restanseoppfølging – Verdal kommune (demodata)"])
            writer.writerow([f"Utskrevet {as_of:%d.%m.%Y}"])
            writer.writerow(header)
            all_rows = [r for code in rows for r in rows[code]] + extra
            all_rows += [noise(rng.choice(list(rows)), as_of) for _ in range(40)]
            rng.shuffle(all_rows)
            writer.writerows(all_rows)
        paths.append(path)
    return paths[0], paths[1]


def create_demo_database(engine: Engine, settings: Settings) -> DemoInfo:
    """(Re)create the demo data in a migrated database: directory and both snapshots replaced."""
    rng = random.Random(20191216)
    counts = _counts()
    people, officers, leaders = _people(rng, counts)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        units_file = folder / "enheter.csv"
        with units_file.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["enhet", "navn", "overordnet", "ledere"])
            for u in _units():
                writer.writerow([u["enhet"], u["navn"], u["overordnet"], leaders[u["enhet"]]])
        people_file = folder / "personer.csv"
        with people_file.open("w", encoding="utf-8", newline="") as handle:
            people_writer = csv.DictWriter(
                handle, fieldnames=["initialer", "navn", "epost", "enhet", "rolle"], delimiter=";"
            )
            people_writer.writeheader()
            people_writer.writerows(people)
        limits = Limits.of(settings)
        units = read_directory_file(units_file, limits).units
        persons = read_directory_file(people_file, limits).people
        with engine.begin() as conn:
            repository.replace_units(conn, units)
            repository.replace_people(conn, persons)
            repository.bump_directory_version(conn, f"demo-{rng.random()}")
        first, second = _write_exports(folder, rng, officers)
        demo_settings = settings.model_copy(update={"columns": {}})
        # Confirmed: the demo's lists are complete, whatever the database held before.
        a = import_snapshot(engine, first, demo_settings, as_of=FIRST, imported_by="demo", confirmed=True)
        b = import_snapshot(engine, second, demo_settings, as_of=SECOND, imported_by="demo", confirmed=True)
    return DemoInfo(len(units), len(persons), a.restanser, b.restanser)
