"""The 360 adapter passes the source conformance suite against the fake 360 over HTTP."""

from __future__ import annotations

import pytest

from adapters.p360.port import P360Source
from adapters.p360.tests.fakes import INCOMING, NOTE, Fake360, contact, document, enterprise, person
from tests.sources.conformance import ORG, Seeded, SourceConformance

UNITS = {code: enterprise(code, recno=200000 + n) for n, code in enumerate(("LMA", "GDO", "TDR"))}


class P360Harness:
    def __init__(self, fake: Fake360, source: P360Source) -> None:
        self.fake, self.source = fake, source
        self.know_logins({p.email: p.login for p in ORG.people.values() if p.email and p.login})

    def seed(self, *items: Seeded) -> None:
        for s in items:
            people = [ORG.people[i] for i in s.recipients]
            code = "***" if s.temporary_answer else s.written_off_with
            if s.jp_type == "N":
                contacts = [
                    contact("Mottaker", p.name, p.email or "", recno=300000 + n) for n, p in enumerate(people)
                ]
                responsible = None
            else:
                contacts = [contact("Avsender", "Ola Avsender", "ola@example.no", kind="Privatperson")]
                first = people[0] if people else None
                responsible = person(first.name, first.email or "", 300100) if first else None
            self.fake.add(
                document(
                    s.key,
                    s.jp_id,
                    category=NOTE if s.jp_type == "N" else INCOMING,
                    journal_date=s.journal_date,
                    title=s.title,
                    official_title=s.public_title if s.access_code else (s.public_title or s.title),
                    access_code=s.access_code,
                    unit=UNITS[s.unit],
                    responsible=responsible,
                    contacts=contacts,
                    response_code=self.fake.code_recno(code) if code else None,
                )
            )

    def refuse(self, jp_id: str, reason: str) -> None:
        self.fake.refuse_signoff[jp_id] = reason

    def answer_late(self) -> None:
        self.fake.signoff_delay = 2.0  # the adapter waits 0.5 s

    def fail_lookups(self) -> None:
        self.fake.lookups_fail = True

    def make_unreadable(self) -> None:
        self.fake.status_for["DocumentService/GetDocuments"] = 503

    def written_off(self) -> dict[str, str]:
        return dict(self.fake.signed_off)

    def know_logins(self, logins: dict[str, str]) -> None:
        for email, login in logins.items():
            recno = 400000 + len(self.fake.contacts)
            self.fake.contacts.append({"Recno": recno, "Email": email, "Categories": ["Intern"]})
            self.fake.users.append(
                {"Login": login, "IsActive": True, "ContactRecno": recno, "IsServiceUser": False}
            )


class TestP360Source(SourceConformance):
    @pytest.fixture
    def harness(self, fake: Fake360, p360: P360Source) -> P360Harness:
        return P360Harness(fake, p360)
