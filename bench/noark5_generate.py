"""Generate a large synthetic Noark 5 extract (arkivstruktur.xml.gz) as a stream, for the import benchmark.

    python bench/noark5_generate.py [--journalposter 1000000] [--out bench/data/arkivstruktur.xml.gz]

The file is written saksmappe by saksmappe straight into gzip, so neither memory nor disk holds the
uncompressed extract. The shape follows real extracts: klasser with saksmapper of 1-19 journalposter, each
with a dokumentbeskrivelse and dokumentobjekt, korrespondanseparter, avskrivninger and sometimes a skjerming.
Also writes the matching directory (units and people) as JSON next to it, for noark5_import.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from pathlib import Path
from xml.sax.saxutils import escape

DATA = Path(__file__).resolve().parent / "data"
UNITS = [f"E{n:02d}" for n in range(1, 38)]  # 37 units, as in the procedure's table
PEOPLE = [f"S{n:03d}" for n in range(1, 601)]
TYPES = [("Inngående dokument", 40), ("Utgående dokument", 30), ("Organinternt dokument for oppfølging", 15),
         ("Organinternt dokument uten oppfølging", 10), ("Saksframlegg", 5)]  # fmt: skip
METHODS = ["Besvart med brev", "Besvart med e-post", "Tatt til etterretning", "Tatt til orientering", "***"]


def person_name(initials: str) -> str:
    return f"Saksbehandler {initials[1:]}"


def _part(kind: str, name: str, sbh: str | None, unit: str | None, rng: random.Random) -> str:
    who = f"<administrativEnhet>{unit}</administrativEnhet>" if unit else ""
    if sbh:  # half the files name people by initials, half by full name
        who += f"<saksbehandler>{sbh if rng.random() < 0.5 else person_name(sbh)}</saksbehandler>"
    return (
        f"<korrespondansepart><korrespondanseparttype>{kind}</korrespondanseparttype>"
        f"<korrespondansepartNavn>{escape(name)}</korrespondansepartNavn>"
        "<postadresse>Storgata 1</postadresse><postnummer>0155</postnummer><poststed>Oslo</poststed>"
        f"{who}</korrespondansepart>"
    )


def journalpost(rng: random.Random, seq: int, jpnr: int, year: int, unit: str, sbh: str) -> str:
    jp_type = rng.choices([t for t, _ in TYPES], weights=[w for _, w in TYPES])[0]
    day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    if jp_type.startswith("Organinternt"):
        recipients = rng.sample(PEOPLE, rng.choice([1, 1, 1, 2, 3]))
        parts = _part("Intern avsender", person_name(sbh), sbh, unit, rng)
        parts += "".join(
            _part("Intern mottaker", person_name(r), r, rng.choice(UNITS), rng) for r in recipients
        )
    else:
        kind = "Avsender" if jp_type.startswith("Inn") else "Mottaker"
        parts = _part(kind, f"Innbygger {rng.randint(1, 10**6)}", sbh, unit, rng)
        parts += _part("Kopimottaker", "Statsforvalteren", None, None, rng) if rng.random() < 0.1 else ""
    avskrivning = ""
    if jp_type[0] in "IO" and rng.random() < 0.7:
        avskrivning = (
            f"<avskrivning><avskrivningsdato>{day}</avskrivningsdato><avskrevetAv>{sbh}</avskrevetAv>"
            f"<avskrivningsmaate>{rng.choice(METHODS)}</avskrivningsmaate></avskrivning>"
        )
    skjerming = (
        "<skjerming><tilgangsrestriksjon>13 Ofl</tilgangsrestriksjon>"
        "<skjermingshjemmel>Offl. § 13</skjermingshjemmel>"
        "<skjermingMetadata>Skjerming tittel</skjermingMetadata></skjerming>"
        if rng.random() < 0.15
        else ""
    )
    sid = f"{seq:08x}-{jpnr:04x}-4000-8000-{rng.getrandbits(48):012x}"
    return (
        f'<registrering xsi:type="journalpost">\n<systemID>{sid}</systemID>\n'
        f"<opprettetDato>{day}T08:15:00+01:00</opprettetDato><opprettetAv>postmottak</opprettetAv>\n"
        f"<arkivertDato>{day}T08:15:00+01:00</arkivertDato><arkivertAv>postmottak</arkivertAv>\n{skjerming}"
        f"<dokumentbeskrivelse><systemID>d{sid[1:]}</systemID><dokumenttype>Brev</dokumenttype>"
        "<dokumentstatus>Dokumentet er ferdigstilt</dokumentstatus><tittel>Brev</tittel>"
        f"<opprettetDato>{day}T08:15:00</opprettetDato><opprettetAv>postmottak</opprettetAv>"
        "<tilknyttetRegistreringSom>Hoveddokument</tilknyttetRegistreringSom><dokumentnummer>1</dokumentnummer>"
        f"<tilknyttetDato>{day}T08:15:00</tilknyttetDato><tilknyttetAv>postmottak</tilknyttetAv>\n"
        f"<dokumentobjekt><versjonsnummer>1</versjonsnummer><variantformat>Arkivformat</variantformat>"
        f"<format>fmt/95</format><opprettetDato>{day}T08:15:00</opprettetDato><opprettetAv>postmottak</opprettetAv>"
        f"<referanseDokumentfil>dokumenter/{sid}.pdf</referanseDokumentfil>"
        f"<sjekksum>{rng.getrandbits(256):064x}</sjekksum><sjekksumAlgoritme>SHA-256</sjekksumAlgoritme>"
        "<filstoerrelse>48213</filstoerrelse></dokumentobjekt></dokumentbeskrivelse>\n"
        f"<registreringsID>{year}/{seq}-{jpnr}</registreringsID>\n"
        f"<tittel>Søknad om tilskudd {seq}-{jpnr}</tittel>"
        "<offentligTittel>Søknad om tilskudd</offentligTittel>\n"
        f"{parts}\n<journalaar>{year}</journalaar>"
        f"<journalsekvensnummer>{seq * 20 + jpnr}</journalsekvensnummer>"
        f"<journalpostnummer>{jpnr}</journalpostnummer><journalposttype>{jp_type}</journalposttype>"
        f"<journalstatus>Journalført</journalstatus><journaldato>{day}</journaldato>"
        f"<dokumentetsDato>{day}</dokumentetsDato><journalenhet>Postmottak</journalenhet>\n{avskrivning}"
        "</registrering>\n"
    )


def saksmappe(rng: random.Random, seq: int, count: int) -> str:
    year = rng.randint(2015, 2024)
    unit, sbh = rng.choice(UNITS), rng.choice(PEOPLE)
    body = "".join(journalpost(rng, seq, n, year, unit, sbh) for n in range(1, count + 1))
    return (
        f'<mappe xsi:type="saksmappe">\n<systemID>m{seq:07x}-0000-4000-8000-000000000000</systemID>'
        f"<mappeID>{year}/{seq}</mappeID><tittel>Sak {seq}</tittel>"
        f"<opprettetDato>{year}-01-01T00:00:00</opprettetDato><opprettetAv>x</opprettetAv>"
        f"<avsluttetDato>{year}-12-31T00:00:00</avsluttetDato><avsluttetAv>x</avsluttetAv>\n{body}"
        f"<saksaar>{year}</saksaar><sakssekvensnummer>{seq}</sakssekvensnummer><saksdato>{year}-01-01</saksdato>"
        f"<administrativEnhet>{unit}</administrativEnhet><saksansvarlig>{sbh}</saksansvarlig>"
        "<saksstatus>Under behandling</saksstatus>\n</mappe>\n"
    )


def generate(path: Path, journalposter: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = seq = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=3) as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<arkiv xmlns="http://www.arkivverket.no/standarder/noark5/'
            'arkivstruktur" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<systemID>arkiv</systemID>'
            "<tittel>Benchmark</tittel><arkivstatus>Avsluttet</arkivstatus>\n<arkivdel><systemID>arkivdel</systemID>"
            "<tittel>Sakarkiv</tittel><arkivdelstatus>Avsluttet periode</arkivdelstatus>\n"
            "<klassifikasjonssystem><systemID>ks</systemID><tittel>Fellesnøkkel</tittel>\n"
        )
        klasse = 0
        while written < journalposter:
            klasse += 1
            out.write(
                f"<klasse><systemID>k{klasse}</systemID><klasseID>{klasse}</klasseID><tittel>K</tittel>\n"
            )
            for _ in range(1000):
                if written >= journalposter:
                    break
                seq += 1
                count = min(rng.randint(1, 19), journalposter - written)
                out.write(saksmappe(rng, seq, count))
                written += count
            out.write("</klasse>\n")
        out.write("</klassifikasjonssystem>\n</arkivdel>\n</arkiv>\n")
    directory = {"units": UNITS, "people": {p: person_name(p) for p in PEOPLE}}
    (path.parent / "noark5_directory.json").write_text(json.dumps(directory), encoding="utf-8")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journalposter", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=DATA / "arkivstruktur.xml.gz")
    args = parser.parse_args()
    started = time.perf_counter()
    count = generate(args.out, args.journalposter)
    size = args.out.stat().st_size / 1e6
    print(f"{count} journalposter → {args.out} ({size:.0f} MB gzip) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
