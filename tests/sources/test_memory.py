"""The in-memory source passes the conformance suite: the port is what the suite says it is."""

from __future__ import annotations

import pytest

from tests.sources.conformance import Seeded, SourceConformance
from tests.sources.memory import MemorySource


class MemoryHarness:
    def __init__(self) -> None:
        self.source = MemorySource()

    def seed(self, *items: Seeded) -> None:
        for s in items:
            method = "***" if s.temporary_answer else (s.written_off_with or "")
            for initials in s.recipients or [""]:
                self.source.add(
                    str(s.key), s.jp_id, id=s.jp_id, type=s.jp_type, dato=s.journal_date, tittel=s.title,
                    offentlig_tittel=s.public_title, tilgangskode=s.access_code, saksbehandler=initials,
                    enhet=s.unit, enhet_fra_katalog="1" if s.jp_type == "N" else "", avskrivningsmaate=method,
                )  # fmt: skip

    def refuse(self, jp_id: str, reason: str) -> None:
        self.source.refusals[jp_id] = reason

    def answer_late(self) -> None:
        self.source.late = True

    def fail_lookups(self) -> None:
        self.source.lookups_fail = True

    def make_unreadable(self) -> None:
        self.source.unreadable = "minnet er tomt for strøm"

    def written_off(self) -> dict[str, str]:
        return dict(self.source.written)

    def know_logins(self, logins: dict[str, str]) -> None:
        self.source.logins_by_email.update(logins)


class TestMemorySource(SourceConformance):
    @pytest.fixture
    def harness(self) -> MemoryHarness:
        return MemoryHarness()
