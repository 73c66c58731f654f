"""The conformance suite every records-system adapter must pass.

An adapter's tests subclass `SourceConformance` and provide a `harness` fixture: the adapter under test plus a
way to put items into its records system (a fake server, a list) and to make that system refuse, answer late or
fail a look-up. The suite reads through the import pipeline, so it checks what people will see: the same rules
as a file import (types, write-off codes with a temporary `***`, no restricted title, one restanse per recipient
of an N note, directory matching).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import pandas as pd
import pytest

from restanse_core.importers.pipeline import Pipeline, Resolver
from restanse_core.importers.source import RowSource
from restanse_core.model import Enhet, Organisation, Person
from restanse_core.settings import Settings
from restanse_core.sources.port import Outcome, RestanseSource, SourceError, WriteOff

AS_OF = date(2019, 12, 16)

ORG = Organisation(
    units={code: Enhet(code, f"Enhet {code}") for code in ("LMA", "GDO", "TDR")},
    people={
        "UKA": Person("UKA", "Unni Karlsen", "unni.karlsen@kommune.no", "LMA", login="ukarlsen"),
        "ABC": Person("ABC", "Anne Berit Cappelen", "anne.cappelen@kommune.no", "LMA", login="acappelen"),
        "TOR": Person("TOR", "Tor Olsen", "tor.olsen@kommune.no", "GDO", login="tolsen"),
    },
)


@dataclass
class Seeded:
    """An item in the records system, in neutral words each harness translates to its system's shapes."""

    key: int  # the record number
    jp_id: str
    jp_type: str = "I"
    journal_date: str = "2019-10-01"
    title: str = "Søknad om tiltak"
    public_title: str = ""
    access_code: str = ""
    unit: str = "LMA"
    recipients: list[str] = field(default_factory=list)  # initials of people in ORG; none = ufordelt
    temporary_answer: bool = False  # answered with *** (a temporary answer): still a restanse
    written_off_with: str | None = None  # already written off with this code: not a restanse


class Harness(Protocol):
    source: RestanseSource

    def seed(self, *items: Seeded) -> None: ...
    def refuse(self, jp_id: str, reason: str) -> None: ...
    def answer_late(self) -> None: ...
    def fail_lookups(self) -> None: ...
    def make_unreadable(self) -> None: ...
    def written_off(self) -> dict[str, str]: ...  # jp_id → code, as the records system recorded it
    def know_logins(self, logins: dict[str, str]) -> None: ...  # e-mail → login


async def restanser(source: RestanseSource) -> pd.DataFrame:
    """What a sync would store: the source's rows through the import pipeline."""
    frames = [frame async for frame in source.read(AS_OF)]
    rows = RowSource(
        source.name, source.headings, lambda _p: iter(frames), kind="live", row_label=source.row_label
    )
    settings = Settings()
    pipeline = Pipeline(rows, Resolver.from_organisation(ORG), settings.temporary_codes(), True, as_of=AS_OF)
    prepared = [pipeline.prepare(f).restanser for f in frames]
    if not prepared:
        return pd.DataFrame(columns=["jp_key", "jp_id", "saksbehandler", "enhet", "title", "public_title"])
    return pd.concat(prepared).drop_duplicates(["jp_key", "saksbehandler"])


def item(jp_key: str, jp_id: str, recipient: str, code: str = "TE", login: str = "ukarlsen") -> WriteOff:
    return WriteOff(jp_key, jp_id, recipient, code, None, login, "Unni Karlsen")


class SourceConformance:
    """Subclass this and define the `harness` fixture."""

    async def test_open_items_are_read_as_restanser_of_their_saksbehandler(self, harness: Harness) -> None:
        harness.seed(Seeded(1001, "2019/100-1", recipients=["UKA"]), Seeded(1002, "2019/100-2", unit="GDO"))
        rows = await restanser(harness.source)
        by_id = rows.set_index("jp_id")
        assert sorted(rows["jp_id"]) == ["2019/100-1", "2019/100-2"]
        assert by_id.loc["2019/100-1", "saksbehandler"] == "UKA"
        assert by_id.loc["2019/100-1", "enhet"] == "LMA"
        assert by_id.loc["2019/100-1", "journal_date"] == "2019-10-01"
        assert by_id.loc["2019/100-1", "jp_type"] == "I"
        assert by_id.loc["2019/100-1", "jp_key"] == "1001"
        assert by_id.loc["2019/100-2", "saksbehandler"] == ""  # ufordelt in the unit
        assert by_id.loc["2019/100-2", "enhet"] == "GDO"

    async def test_title_of_restricted_item_is_never_read(self, harness: Harness) -> None:
        harness.seed(
            Seeded(
                1001,
                "2019/700-1",
                title="Barnevern for Ola Nordmann",
                public_title="Henvendelse",
                access_code="13 Ofl",
                recipients=["UKA"],
            ),
            Seeded(
                1002,
                "2019/700-2",
                title="Klage fra Kari Hansen",
                public_title="",
                access_code="U",
                recipients=["UKA"],
            ),
        )
        frames = [frame async for frame in harness.source.read(AS_OF)]
        everything = pd.concat(frames).to_string()
        assert "Ola Nordmann" not in everything and "Kari Hansen" not in everything
        rows = (await restanser(harness.source)).set_index("jp_id")
        assert rows.loc["2019/700-1", "title"] is None
        assert rows.loc["2019/700-1", "public_title"] == "Henvendelse"
        assert rows.loc["2019/700-1", "access_code"] == "13 Ofl"

    async def test_note_to_two_people_is_a_restanse_for_each(self, harness: Harness) -> None:
        harness.seed(Seeded(1001, "2019/800-1", jp_type="N", recipients=["UKA", "TOR"]))
        rows = await restanser(harness.source)
        assert sorted(rows["saksbehandler"]) == ["TOR", "UKA"]
        # Each counts in their own unit.
        assert dict(zip(rows["saksbehandler"], rows["enhet"], strict=True)) == {"UKA": "LMA", "TOR": "GDO"}

    async def test_temporary_answer_stays_a_restanse_and_a_written_off_item_does_not(
        self, harness: Harness
    ) -> None:
        harness.seed(
            Seeded(1001, "2019/900-1", recipients=["UKA"], temporary_answer=True),
            Seeded(1002, "2019/900-2", recipients=["UKA"], written_off_with="TE"),
        )
        assert list((await restanser(harness.source))["jp_id"]) == ["2019/900-1"]

    async def test_written_off_item_leaves_the_next_read(self, harness: Harness) -> None:
        harness.seed(
            Seeded(1001, "2019/100-1", recipients=["UKA"]), Seeded(1002, "2019/100-2", recipients=["UKA"])
        )
        result = await harness.source.write_off(item("1001", "2019/100-1", "UKA"))
        assert result.outcome is Outcome.DONE, result.message
        assert harness.written_off() == {"2019/100-1": "TE"}
        assert list((await restanser(harness.source))["jp_id"]) == ["2019/100-2"]
        assert await harness.source.is_open("1001") is False
        assert await harness.source.is_open("1002") is True

    async def test_write_off_of_a_note_follows_the_per_recipient_flag(self, harness: Harness) -> None:
        harness.seed(Seeded(1001, "2019/800-1", jp_type="N", recipients=["UKA", "TOR"]))
        result = await harness.source.write_off(item("1001", "2019/800-1", "UKA"))
        assert result.outcome is Outcome.DONE, result.message
        left = sorted((await restanser(harness.source))["saksbehandler"])
        assert left == (["TOR"] if harness.source.per_recipient else [])

    async def test_refusal_is_an_answer_with_the_reason_and_nothing_changes(self, harness: Harness) -> None:
        harness.seed(Seeded(1001, "2019/100-1", recipients=["UKA"]))
        harness.refuse("2019/100-1", "Dokumentet er sperret for endring")
        result = await harness.source.write_off(item("1001", "2019/100-1", "UKA"))
        assert result.outcome is Outcome.REFUSED
        assert "sperret for endring" in result.message
        assert harness.written_off() == {}
        assert list((await restanser(harness.source))["jp_id"]) == ["2019/100-1"]

    async def test_unknown_item_is_refused_not_raised(self, harness: Harness) -> None:
        result = await harness.source.write_off(item("999999", "2019/999-9", "UKA"))
        assert result.outcome is Outcome.REFUSED
        assert result.message

    async def test_late_answer_is_uncertain_and_the_look_up_tells_the_truth(self, harness: Harness) -> None:
        harness.seed(Seeded(1001, "2019/100-1", recipients=["UKA"]))
        harness.answer_late()
        result = await harness.source.write_off(item("1001", "2019/100-1", "UKA"))
        assert result.outcome is Outcome.UNCERTAIN
        assert await harness.source.is_open("1001") is False

    async def test_failed_look_up_is_none(self, harness: Harness) -> None:
        harness.seed(Seeded(1001, "2019/100-1", recipients=["UKA"]))
        harness.fail_lookups()
        assert await harness.source.is_open("1001") is None

    async def test_unreadable_system_raises_source_error_with_a_plain_message(self, harness: Harness) -> None:
        harness.seed(Seeded(1001, "2019/100-1", recipients=["UKA"]))
        harness.make_unreadable()
        with pytest.raises(SourceError) as raised:
            await restanser(harness.source)
        assert raised.value.message and "Traceback" not in raised.value.message

    async def test_logins_are_found_by_email(self, harness: Harness) -> None:
        harness.know_logins({"unni.karlsen@kommune.no": "ukarlsen", "tor.olsen@kommune.no": "tolsen"})
        found = await harness.source.logins({"unni.karlsen@kommune.no", "nobody@kommune.no"})
        assert found == {"unni.karlsen@kommune.no": "ukarlsen"}
