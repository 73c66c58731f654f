"""From 360's documents to the canonical rows of a restanse list, and the GetDocuments query that finds them.

The query is the production one of Vestfold og Telemark's `dos-arkivaros` in SIF's own shape: documents of the
configured categories, journal statuses and archives, journaled in a window of dates, with none of the response
codes that end a restanse. Owner: an internal note's recipients (role `Mottaker`: a person is a saksbehandler, a
unit (`Virksomhet`) makes the note ufordelt there); otherwise `ResponsiblePerson`; with none, ufordelt in
`ResponsibleEnterprise`. `Title` is dropped when `AccessCodeCode` is set; `OfficialTitle` is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import pandas as pd

from adapters.p360.config import P360Settings
from restanse_core.importers.source import JP_KEY, ROW
from restanse_core.sources.port import CANONICAL_FIELDS

HEADINGS = {
    "id": "DocumentNumber",
    "type": "Category",
    "dato": "JournalDate",
    "dokdato": "DocumentDate",
    "tittel": "Title",
    "offentlig_tittel": "OfficialTitle",
    "saksbehandler": "ResponsiblePerson",
    "enhet": "ResponsibleEnterprise",
    "tilgangskode": "AccessCodeCode",
    "avsender": "Contacts",
}
"""The records system's names for the fields, for messages about bad data («dokument 200345, kolonne …»)."""

# The unit key as the document's ResponsibleEnterprise names it, and as a contact (a unit recipient) names it.
_ENTERPRISE_FIELD = {
    "Referencenumber": "Referencenumber",
    "ExternalId": "ExternalId",
    "Recno": "Recno",
    "Name": "Name",
}
_CONTACT_FIELD = {
    "Referencenumber": "ReferenceNumber",
    "ExternalId": "ExternalId",
    "Recno": "ContactRecno",
    "Name": "SearchName",
}


def windows(first: date, end: date, days: int) -> list[tuple[date, date]]:
    """JournalDate windows [start, stop) covering first … end (exclusive), each at most `days` long."""
    out, start = [], first
    while start < end:
        stop = min(start + timedelta(days=days), end)
        out.append((start, stop))
        start = stop
    return out


def base_filter(settings: P360Settings, excluded_codes: Iterable[int]) -> dict[str, Any]:
    """Categories, journal statuses, archives and the response codes that end a restanse."""
    list_fields: list[dict[str, Any]] = [
        {"Name": "ToDocumentCategory", "Value": [*settings.categories_incoming, *settings.categories_note]}
    ]
    if settings.journal_statuses:
        list_fields.append({"Name": "ToJournalStatus", "Value": list(settings.journal_statuses)})
    if settings.archives:
        list_fields.append({"Name": "ToDocumentArchive", "Value": list(settings.archives)})

    def not_(name: str, values: Iterable[int]) -> list[dict[str, Any]]:
        return [{"Name": name, "Value": v, "OperatorType": "!="} for v in values]

    return {
        "IncludeFiles": False,
        "IncludeDocumentContacts": True,
        "IncludeCustomFields": False,
        "AdditionalListFields": list_fields,
        "AdditionalFields": [
            *not_("ToJournalStatus", settings.journal_statuses_exclude),
            *not_("ToDocumentArchive", settings.archives_exclude),
            *not_("ToResponseCode", sorted(excluded_codes)),
        ],
    }


def window_query(base: dict[str, Any], start: date, stop: date, page: int) -> dict[str, Any]:
    """One page of one window. The window starts a day early: whether `GT` includes its own day is not
    documented, so the windows overlap by a day and a document met twice is taken once."""
    return {
        **base,
        "SortingCriterion": "RecnoAscending",
        "DateCriteria": [
            {
                "DateName": "JournalDate",
                "Operator": "GT",
                "DateValue": (start - timedelta(days=1)).isoformat(),
            },
            {"DateName": "JournalDate", "Operator": "LT", "DateValue": stop.isoformat()},
        ],
        "Page": page,
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def unit_of_enterprise(enterprise: dict[str, Any] | None, key: str) -> str:
    return _text((enterprise or {}).get(_ENTERPRISE_FIELD[key]))


def unit_of_contact(contact: dict[str, Any], key: str) -> str:
    return _text(contact.get(_CONTACT_FIELD[key]))


def _responsible(document: dict[str, Any]) -> dict[str, Any] | None:
    """The responsible person, unless 360 names the unit itself there (same record number, no user)."""
    person = document.get("ResponsiblePerson")
    if not person or not (_text(person.get("Name")) or _text(person.get("Email"))):
        return None
    enterprise = document.get("ResponsibleEnterprise") or {}
    if not _text(person.get("UserId")) and person.get("Recno") == enterprise.get("Recno"):
        return None
    return dict(person)


def owners(document: dict[str, Any], settings: P360Settings, jp_type: str) -> list[dict[str, str]]:
    """Whose restanse the document is: one entry (saksbehandler, e-mail, unit) per recipient."""
    unit = unit_of_enterprise(document.get("ResponsibleEnterprise"), settings.unit_key)
    if jp_type == "N":
        recipients = [c for c in document.get("Contacts") or [] if _text(c.get("Role")) == "Mottaker"]
        found = []
        for contact in recipients:
            kind = _text(contact.get("ContactType"))
            if kind == "Virksomhet":
                found.append(
                    {
                        "saksbehandler": "",
                        "epost": "",
                        "enhet": unit_of_contact(contact, settings.unit_key) or unit,
                    }
                )
            elif kind in ("Kontaktperson", ""):
                found.append(
                    {
                        "saksbehandler": _text(contact.get("SearchName")),
                        "epost": _text(contact.get("Email")),
                        "enhet": unit,
                        "enhet_fra_katalog": "1",
                    }
                )
        if found:
            return found
    person = _responsible(document)
    if person is not None:
        return [
            {"saksbehandler": _text(person.get("Name")), "epost": _text(person.get("Email")), "enhet": unit}
        ]
    return [{"saksbehandler": "", "epost": "", "enhet": unit}]


def to_rows(documents: Iterable[dict[str, Any]], settings: P360Settings, seen: set[int]) -> pd.DataFrame:
    """Canonical rows for the documents not met before (`seen` holds the record numbers already read)."""
    incoming, notes = set(settings.categories_incoming), set(settings.categories_note)
    rows: list[dict[str, Any]] = []
    for document in documents:
        recno = document.get("Recno")
        if not isinstance(recno, int) or recno in seen:
            continue
        seen.add(recno)
        category = (document.get("Category") or {}).get("Recno")
        jp_type = "N" if category in notes else "I" if category in incoming else None
        if jp_type is None:
            continue  # a category the query did not ask for
        access = _text(document.get("AccessCodeCode"))
        senders = [
            _text(c.get("SearchName"))
            for c in document.get("Contacts") or []
            if _text(c.get("Role")) == "Avsender"
        ]
        base = {
            JP_KEY: str(recno),
            ROW: recno,
            "id": _text(document.get("DocumentNumber")),
            "type": jp_type,
            "dato": _text(document.get("JournalDate")),
            "dokdato": _text(document.get("DocumentDate")),
            "tittel": "" if access else _text(document.get("Title")),  # privacy: not even held in memory
            "offentlig_tittel": _text(document.get("OfficialTitle")),
            "tilgangskode": access,
            "avsender": ", ".join(s for s in senders if s) if jp_type == "I" else "",
        }
        rows.extend({**base, **owner} for owner in owners(document, settings, jp_type))
    columns = [JP_KEY, ROW, *CANONICAL_FIELDS]
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    text_columns = [c for c in columns if c != ROW]
    frame[text_columns] = frame[text_columns].fillna("")
    return frame
