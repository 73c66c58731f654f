"""Noark 5 arkivuttrekk (arkivstruktur.xml, also .xml.gz), versions 3.1 to 5.x, read as a stream.

lxml's iterparse reports only the ends of `registrering`, `mappe` and `skjerming` elements; each journalpost
is turned into plain values and its subtree freed at once, so a file of many gigabytes needs bounded memory.
A saksmappe writes its saksår, sekvensnummer and saksansvarlig after its registreringer, so the journalposter
of a saksmappe wait (as small records) until the saksmappe ends. The rules are in noark5_rules.py.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd
from lxml import etree

from restanse_core.errors import UserError
from restanse_core.importers.noark5_rules import COLUMNS, Case, Journalpost, Part, Writeoff, norm, rows
from restanse_core.importers.source import Limits, Progress, RowSource

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
_N5 = "http://www.arkivverket.no/standarder/noark5/"
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
CHUNK_ROWS = 50_000
READ_BYTES = 1 << 20  # how much of the (decompressed) file the parser asks for at a time


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


REGISTRERING, MAPPE, SKJERMING = _q("registrering"), _q("mappe"), _q("skjerming")
KORRESPONDANSEPART, AVSKRIVNING = _q("korrespondansepart"), _q("avskrivning")
TILGANGSRESTRIKSJON = _q("tilgangsrestriksjon")
_JP_FIELDS = {
    _q(name): attr
    for name, attr in {
        "systemID": "system_id", "registreringsID": "registrerings_id", "journalposttype": "journalposttype",
        "journalstatus": "journalstatus", "journalpostnummer": "journalpostnummer", "tittel": "tittel",
        "offentligTittel": "offentlig_tittel", "journaldato": "journaldato", "mottattDato": "mottatt",
        "dokumentetsDato": "dokumentdato", "forfallsdato": "forfall",
    }.items()
}  # fmt: skip
_PART_FIELDS = {
    _q("korrespondanseparttype"): "kind", _q("korrespondansepartNavn"): "name",
    _q("saksbehandler"): "saksbehandler", _q("administrativEnhet"): "enhet", _q("systemID"): "system_id",
}  # fmt: skip
_WRITEOFF_FIELDS = {
    _q("avskrivningsdato"): "date", _q("avskrivningsmaate"): "method",
    _q("referanseAvskrivesAvKorrespondansepart"): "ref",
}  # fmt: skip
_CASE_FIELDS = {
    _q("saksaar"): "saksaar", _q("sakssekvensnummer"): "sekvensnummer", _q("administrativEnhet"): "enhet",
    _q("saksansvarlig"): "saksansvarlig",
}  # fmt: skip
HEADINGS = {
    "id": "registreringsID", "type": "journalposttype", "dato": "journaldato", "dokdato": "dokumentetsDato",
    "tittel": "tittel", "offentlig_tittel": "offentligTittel", "saksbehandler": "saksbehandler",
    "enhet": "administrativEnhet", "tilgangskode": "tilgangsrestriksjon",
    "avsender": "korrespondansepartNavn", "forfall": "forfallsdato", "avskrevet_dato": "avskrivningsdato",
    "avskrivningsmaate": "avskrivningsmaate",
}  # fmt: skip


def _text(element: Any) -> str:
    return (element.text or "").strip()


def _local(name: str | None) -> str:
    """`n5:saksmappe` → `saksmappe`."""
    return (name or "").rpartition(":")[2].strip()


def _fill(target: Any, element: Any, fields: dict[str, str]) -> None:
    """Copy the texts of the element's children named in `fields` onto the target's attributes."""
    for child in element:  # plain iteration and a dict: faster than lxml's iterchildren(*tags)
        attr = fields.get(child.tag)
        if attr is not None:
            text = child.text
            setattr(target, attr, text.strip() if text else "")


def parse_journalpost(element: Any) -> Journalpost:
    jp = Journalpost(line=element.sourceline or 0)
    for child in element:
        tag = child.tag
        attr = _JP_FIELDS.get(tag)
        if attr is not None:
            text = child.text
            setattr(jp, attr, text.strip() if text else "")
        elif tag == KORRESPONDANSEPART:
            part = Part()
            _fill(part, child, _PART_FIELDS)
            part.kind = norm(part.kind)
            jp.parts.append(part)
        elif tag == AVSKRIVNING:
            writeoff = Writeoff()
            _fill(writeoff, child, _WRITEOFF_FIELDS)
            jp.writeoffs.append(writeoff)
        elif tag == SKJERMING:
            jp.skjerming = _skjerming(child)
    return jp


def _skjerming(element: Any) -> str:
    return next((_text(c) for c in element.iterchildren(TILGANGSRESTRIKSJON)), "")


class _Walker:
    """One pass over the file: journalposter waiting for their saksmappe, and the skjerming above them."""

    def __init__(self) -> None:
        self.pending: dict[Any, list[tuple[Journalpost, str | None]]] = {}
        self.skjermet: dict[Any, str] = {}  # mappe/klasse/arkivdel element → its tilgangsrestriksjon
        self.rows: list[tuple[object, ...]] = []
        self.journalposter = 0

    def skjerming(self, element: Any) -> None:
        parent = element.getparent()
        if parent is not None and parent.tag != REGISTRERING and parent.tag != _q("dokumentbeskrivelse"):
            self.skjermet[parent] = _skjerming(element)

    def registrering(self, element: Any) -> None:
        if _local(element.get(_XSI_TYPE)) == "journalpost":
            self.journalposter += 1
            jp = parse_journalpost(element)
            case_element, inherited = self._context(element)
            if case_element is None:
                self.rows += rows(jp, Case(), inherited)
            else:
                self.pending.setdefault(case_element, []).append((jp, inherited))
        _release(element)

    def _context(self, element: Any) -> tuple[Any, str | None]:
        """The element with the journalpost's case fields (the nearest saksmappe, else the nearest mappe),
        and the skjerming it inherits from the nearest skjermet mappe, klasse or arkivdel above it."""
        nearest_mappe = saksmappe = inherited = None
        ancestor = element.getparent()
        while ancestor is not None and (saksmappe is None or (inherited is None and self.skjermet)):
            if inherited is None and self.skjermet:
                inherited = self.skjermet.get(ancestor)
            if saksmappe is None and ancestor.tag == MAPPE:
                nearest_mappe = ancestor if nearest_mappe is None else nearest_mappe
                if _local(ancestor.get(_XSI_TYPE)) == "saksmappe":
                    saksmappe = ancestor
            ancestor = ancestor.getparent()
        return (nearest_mappe if saksmappe is None else saksmappe), inherited

    def mappe(self, element: Any) -> None:
        waiting = self.pending.pop(element, None)
        if waiting:
            case = Case()
            _fill(case, element, _CASE_FIELDS)
            for jp, inherited in waiting:
                self.rows += rows(jp, case, inherited)
        self.skjermet.pop(element, None)
        _release(element)


def _release(element: Any) -> None:
    """Free what has been read: the element's subtree and the siblings before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


@contextmanager
def _opened(path: Path) -> Iterator[tuple[IO[bytes], IO[bytes]]]:
    """(raw file, decompressed stream): gzip by its magic bytes, whatever the name says."""
    with path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        if compressed:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                yield raw, stream  # type: ignore[misc]
        else:
            yield raw, raw


def _iterparse(stream: IO[bytes], **kwargs: Any) -> Any:
    return etree.iterparse(
        stream,
        huge_tree=True,  # deep trees and long texts are fine; entities and the network are not
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_blank_text=True,
        remove_comments=True,
        remove_pis=True,
        chunk_size=READ_BYTES,
        **kwargs,
    )


def _xml_error(name: str, exc: Exception) -> UserError:
    if isinstance(exc, etree.XMLSyntaxError):
        line = f" på linje {exc.lineno}" if exc.lineno else ""
        return UserError(
            f"{name} er ikke gyldig XML{line}: {_xml_problem(exc.msg or '')}. Ingenting er lagret."
        )
    return UserError(
        f"{name} kan ikke leses som gzip-komprimert XML: fila er skadet eller ikke komprimert med gzip. "
        "Ingenting er lagret."
    )


_TAG_MISMATCH = re.compile(r"Opening and ending tag mismatch: ([^\s,]+) line \d+ and ([^\s,]+)")


def _xml_problem(message: str) -> str:
    """lxml's (English) complaint in Norwegian: the common ones by name, the rest in general words."""
    if match := _TAG_MISMATCH.search(message):
        return f"<{match[1]}> avsluttes med </{match[2]}>"
    if "Premature end of data" in message or "EndTag" in message:
        return "fila slutter midt i et element (avkortet?)"
    return "elementene eller tegnene er ikke skrevet etter XML-reglene"


_READ_ERRORS = (etree.XMLSyntaxError, OSError, EOFError)


def _check_root(path: Path) -> None:
    """Refuse at once, in one line, what is not a Noark 5 arkivstruktur: only the first element is read."""
    name = path.name
    if path.stat().st_size == 0:
        raise UserError(f"{name} er tom.")
    try:
        with _opened(path) as (_, stream):
            root = next(iter(_iterparse(stream, events=("start",))))[1]
    except StopIteration:
        raise UserError(f"{name} er tom: fant ikke noe XML-element.") from None
    except _READ_ERRORS as exc:
        raise _xml_error(name, exc) from None
    namespace, _, local = root.tag.rpartition("}")
    namespace = namespace.lstrip("{")
    if root.tag == _q("arkiv"):
        return
    if local == "addml":
        raise UserError(
            f"{name} er uttrekksbeskrivelsen (ADDML). Importer arkivstruktur.xml fra samme uttrekk."
        )
    if namespace.startswith(_N5):
        raise UserError(f"{name} er {local}-delen av et Noark 5-uttrekk. Importer arkivstruktur.xml herfra.")
    if local == "arkiv":
        raise UserError(
            f"{name}: rotelementet <arkiv> har navnerommet «{namespace or '(ingen)'}», ventet «{NS}». "
            "Er dette et Noark 5-uttrekk (arkivstruktur.xml)?"
        )
    raise UserError(f"{name} er ikke et Noark 5-uttrekk (arkivstruktur.xml): rotelementet er <{local}>.")


def open_noark5(path: Path, limits: Limits) -> RowSource:
    """A RowSource over the journalposter of a Noark 5 extract: one row per journalpost and recipient."""
    _check_root(path)
    total = path.stat().st_size
    name = path.name

    def chunks(progress: Progress | None) -> Iterator[pd.DataFrame]:
        walker = _Walker()
        handlers = {REGISTRERING: walker.registrering, MAPPE: walker.mappe, SKJERMING: walker.skjerming}
        with _opened(path) as (raw, stream):
            try:
                for _, element in _iterparse(stream, events=("end",), tag=tuple(handlers)):
                    handlers[element.tag](element)
                    if walker.journalposter > limits.max_rows:
                        raise limits.refuse_rows(name, "journalposter")
                    if len(walker.rows) >= CHUNK_ROWS:
                        if progress:
                            progress(raw.tell(), total)
                        yield pd.DataFrame.from_records(walker.rows, columns=COLUMNS)
                        walker.rows = []
            except _READ_ERRORS as exc:
                raise _xml_error(name, exc) from None
        if not walker.journalposter:
            raise UserError(f"{name} er et Noark 5-uttrekk uten journalposter; ingenting å importere.")
        if progress:
            progress(total, total)
        if walker.rows:
            yield pd.DataFrame.from_records(walker.rows, columns=COLUMNS)

    return RowSource(
        name=name,
        headings=HEADINGS,
        chunks=chunks,
        has_writeoff_dates=True,
        kind="noark5",
        row_label="linje",
    )
