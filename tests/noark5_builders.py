"""Small builders for synthetic Noark 5 extracts (arkivstruktur.xml) in the shapes real systems write.

Each builder returns an XML fragment as text; `extract()` wraps fragments in <arkiv>/<arkivdel> and `write()`
puts the result on disk (optionally gzip-compressed, optionally with a BOM).
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _el(name: str, value: str | None) -> str:
    return "" if value is None else f"<{name}>{escape(value)}</{name}>"


def part(
    kind: str, name: str = "", sbh: str | None = None, unit: str | None = None, system_id: str | None = None
) -> str:
    """A korrespondansepart: kind as Noark writes it ("Avsender", "Intern mottaker", "Kopimottaker" …)."""
    return (
        "<korrespondansepart>"
        + (_el("systemID", system_id) if system_id else "")
        + _el("korrespondanseparttype", kind)
        + _el("korrespondansepartNavn", name or sbh or unit or "Ukjent")
        + _el("administrativEnhet", unit)
        + _el("saksbehandler", sbh)
        + "</korrespondansepart>"
    )


def writeoff(date: str = "2024-02-01", method: str = "Besvart med e-post", ref: str | None = None) -> str:
    return (
        "<avskrivning>"
        + _el("avskrivningsdato", date)
        + _el("avskrevetAv", "Saksbehandler")
        + _el("avskrivningsmaate", method)
        + _el("referanseAvskrivesAvKorrespondansepart", ref)
        + "</avskrivning>"
    )


def skjerming(restriction: str = "Unntatt offentlighet") -> str:
    return (
        "<skjerming>"
        + _el("tilgangsrestriksjon", restriction)
        + "<skjermingshjemmel>Offl. § 13</skjermingshjemmel>"
        + "<skjermingMetadata>Skjerming tittel</skjermingMetadata>"
        + "</skjerming>"
    )


@dataclass
class JP:
    """A journalpost; `layout="3.1"` puts korrespondansepart after the journal fields, as v3.1/v4.0 did."""

    system_id: str = "jp-1"
    type: str | None = "Inngående dokument"
    nr: str | None = "1"
    registrerings_id: str | None = None  # None: "reg-<systemID>"; "": none at all
    title: str = "Søknad om tilskudd"
    public_title: str | None = None
    journaldato: str | None = "2024-01-15"
    dokdato: str | None = None
    forfall: str | None = None
    status: str = "Journalført"
    parts: list[str] = field(
        default_factory=lambda: [part("Avsender", "Kari Nordmann", sbh="UKA", unit="LMA")]
    )
    writeoffs: list[str] = field(default_factory=list)
    skjerming: str | None = None
    layout: str = "5.0"
    kind: str = "journalpost"
    extra: str = ""

    def xml(self) -> str:
        parts = "".join(self.parts)
        rid = f"reg-{self.system_id}" if self.registrerings_id is None else self.registrerings_id
        journal = (
            _el("journalaar", "2024")
            + _el("journalsekvensnummer", "100")
            + _el("journalpostnummer", self.nr)
            + _el("journalposttype", self.type)
            + _el("journalstatus", self.status)
            + _el("journaldato", self.journaldato)
            + _el("dokumentetsDato", self.dokdato)
            + _el("forfallsdato", self.forfall)
            + _el("journalenhet", "Postmottak")
        )
        body = (
            _el("registreringsID", rid or None)
            + _el("tittel", self.title)
            + _el("offentligTittel", self.public_title)
        )
        middle = body + journal + parts if self.layout == "3.1" else body + parts + journal
        return (
            f'<registrering xsi:type="{self.kind}">'
            + _el("systemID", self.system_id)
            + "<opprettetDato>2024-01-15T09:00:00</opprettetDato><opprettetAv>Postmottak</opprettetAv>"
            + "<arkivertDato>2024-01-15T09:00:00</arkivertDato><arkivertAv>Postmottak</arkivertAv>"
            + (self.skjerming or "")
            + "<dokumentbeskrivelse><systemID>d-1</systemID><tittel>Vedlegg</tittel>"
            + skjerming("Dokumentskjerming")
            + "</dokumentbeskrivelse>"
            + middle
            + "".join(self.writeoffs)
            + self.extra
            + "</registrering>"
        )

    def __str__(self) -> str:
        return self.xml()


def saksmappe(
    *content: object,
    saksaar: str | None = "2024",
    sekvens: str | None = "17",
    unit: str | None = "LMA",
    ansvarlig: str | None = "UKA",
    xsi_type: str = "saksmappe",
    mappe_skjerming: str | None = None,
) -> str:
    """A mappe whose own fields come after its registreringer, as the schema orders them."""
    head = (
        f'<mappe xsi:type="{xsi_type}"><systemID>m-{saksaar}-{sekvens}</systemID>'
        f"<mappeID>{saksaar}/{sekvens}</mappeID>"
        "<tittel>Sak</tittel><opprettetDato>2024-01-01T00:00:00</opprettetDato><opprettetAv>x</opprettetAv>"
        "<avsluttetDato>2024-01-01T00:00:00</avsluttetDato><avsluttetAv>x</avsluttetAv>"
        + (mappe_skjerming or "")
    )
    tail = (
        _el("saksaar", saksaar)
        + _el("sakssekvensnummer", sekvens)
        + "<saksdato>2024-01-01</saksdato>"
        + _el("administrativEnhet", unit)
        + _el("saksansvarlig", ansvarlig)
        + "<saksstatus>Under behandling</saksstatus>"
    )
    if xsi_type != "saksmappe":
        tail = ""
    return head + "\n" + "\n".join(str(c) for c in content) + "\n" + tail + "</mappe>"


def klasse(*content: object) -> str:
    return (
        "<klassifikasjonssystem><systemID>ks</systemID><tittel>Nøkkel</tittel>"
        "<klasse><systemID>k1</systemID><klasseID>033</klasseID><tittel>Klasse</tittel>"
        + "".join(str(c) for c in content)
        + "</klasse></klassifikasjonssystem>"
    )


def extract(*content: object, namespace: str = NS, root: str = "arkiv") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="{namespace}" xmlns:xsi="{XSI}">\n'
        "<systemID>a</systemID><tittel>Arkiv</tittel><arkivstatus>Avsluttet</arkivstatus>\n"
        "<arkivdel><systemID>ad</systemID><tittel>Arkivdel</tittel>"
        "<arkivdelstatus>Aktiv periode</arkivdelstatus>\n"
        + "\n".join(str(c) for c in content)
        + f"\n</arkivdel>\n</{root}>\n"
    )


def write(path: Path, text: str, *, bom: bool = False, gz: bool = False) -> Path:
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    if gz:
        with gzip.open(path, "wb") as handle:
            handle.write(data)
    else:
        path.write_bytes(data)
    return path


def line_of(text: str, needle: str) -> int:
    """1-based line on which `needle` first occurs."""
    return text[: text.index(needle)].count("\n") + 1
