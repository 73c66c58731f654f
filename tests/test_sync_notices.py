"""The arkiv's notices about the list from the records system: when a failure is told (once per streak), what
the notices and the held list's preview say (ids only, never titles), and that a notice reaches the first
channel that knows the person and never raises."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.delivery.port import DeliveryError, Sent
from bot.notices import tell, tell_arkiv
from bot.plaintext import render_plain
from bot.replies import Actions, Paragraph, Reply
from bot.sync_news import streak_news, tell_streak
from bot.sync_replies import DISCARD, SAVE, failed_notice, held_preview, reappeared_notice, result_reply
from bot.texts import Texts
from restanse_core.importers import ImportSummary
from restanse_core.model import Organisation, Person, Rolle
from restanse_core.settings import Settings
from restanse_core.sources.sync import SyncResult

T = Texts("nb")

# ---- the failure streak ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "earlier", "news"),
    [
        ("failed", ["stored", "failed"], "failed"),  # the first failure after a stored list
        ("failed", [], "failed"),  # the very first sync fails
        ("failed", ["skipped"], "failed"),
        ("failed", ["saved", "held"], "failed"),
        ("failed", ["failed", "stored"], None),  # the streak goes on: told already
        ("failed", ["held", "running", "failed"], None),  # held and crashed runs do not end a streak
        ("stored", ["failed", "failed", "stored"], "recovered"),
        ("skipped", ["failed"], "recovered"),
        ("stored", ["stored"], None),
        ("stored", [], None),
        ("held", ["failed"], None),  # a held list is neither: the streak is not over
    ],
)
def test_a_failure_is_told_once_per_streak_and_the_first_success_after_says_it_works_again(
    status: str, earlier: list[str], news: str | None
) -> None:
    assert streak_news(status, earlier) == news


def test_two_failing_nights_give_one_notice_and_the_next_good_night_one_all_clear() -> None:
    history: list[str] = ["stored"]
    told = []
    for status in ("failed", "failed", "failed", "stored", "stored", "failed"):
        told.append(streak_news(status, list(reversed(history))))
        history.append(status)
    assert told == ["failed", None, None, "recovered", None, "failed"]


# ---- the texts -------------------------------------------------------------------------------------------


def held(count: int, previous: tuple[date, int] | None) -> SyncResult:
    summary = ImportSummary(file="360", as_of=date(2019, 12, 17), kind="live", restanser=count)
    summary.previous = previous
    return SyncResult("held", "…", date(2019, 12, 17), summary, previous[1] if previous else None, run_id=42)


def test_the_held_preview_compares_the_counts_says_why_and_offers_both_buttons() -> None:
    reply = held_preview(T, "360", held(3, (date(2019, 12, 16), 23)), Settings())
    text = render_plain(reply)
    assert "Lista fra 360 er holdt tilbake" in text
    assert "360 ga 3 restanser per 17.12.2019, mot 23 i lista per 16.12.2019 – færre enn 50 % av den." in text
    assert "den forrige gjelder fortsatt" in text
    [actions] = [b for b in reply.blocks if isinstance(b, Actions)]
    assert [(b.label, b.action, b.value) for b in actions.buttons] == [
        ("Lagre likevel", SAVE, "42"),
        ("Forkast", DISCARD, "42"),
    ]
    assert "«oppdater lagre»" in text


def test_an_empty_list_is_held_with_its_own_reason() -> None:
    text = render_plain(held_preview(T, "360", held(0, (date(2019, 12, 16), 23)), Settings()))
    assert "360 ga ingen restanser per 17.12.2019" in text


def test_the_failure_notice_gives_the_reason_and_that_the_last_list_still_applies() -> None:
    result = SyncResult(
        "failed",
        "Kunne ikke lese restansene fra 360: 360 svarte med HTTP 503. Den forrige lista gjelder fortsatt.",
        date(2019, 12, 17),
    )
    text = render_plain(failed_notice(T, "360", result))
    assert "Restansene kunne ikke hentes fra 360" in text
    assert "HTTP 503" in text and "Den forrige lista gjelder fortsatt." in text
    assert "Jeg sier ikke fra igjen før en oppdatering har lykkes." in text


def test_items_that_came_back_are_named_by_id_only() -> None:
    text = render_plain(reappeared_notice(T, "360", ["2019/100-3", "2019/100-4"])).strip()
    assert text == (
        "Avskrevet fra boten, men fortsatt åpne i 360 (2): 2019/100-3, 2019/100-4. "
        "De står på lista igjen – sjekk dem i 360."
    )


def test_the_stored_summary_names_count_date_month_unknown_units_and_logins() -> None:
    summary = ImportSummary(file="360", as_of=date(2019, 12, 16), kind="live", restanser=23)
    summary.unknown_units = ["NYENHET"]
    result = SyncResult("stored", "…", date(2019, 12, 16), summary, monthly=True, logins_filled=1)
    text = render_plain(result_reply(T, "360", result, Settings()))
    assert "Restanselista er oppdatert fra 360" in text
    assert "23" in text and "16.12.2019" in text
    assert "ja – påminnelsene for desember 2019 bygger på den" in text
    assert "NYENHET" in text and "Brukernavn funnet" in text


def test_busy_and_failed_are_said_in_plain_words_in_every_language() -> None:
    busy = SyncResult("busy", "…", date(2019, 12, 16))
    assert "En annen oppdatering pågår" in render_plain(result_reply(T, "360", busy, Settings()))
    assert "Another update is running" in render_plain(result_reply(Texts("en"), "360", busy, Settings()))
    assert "Ei anna oppdatering går" in render_plain(result_reply(Texts("nn"), "360", busy, Settings()))


# ---- the sending -----------------------------------------------------------------------------------------


@dataclass
class FakeSender:
    platform: str
    reaches: bool = True
    fails: Exception | None = None
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def can_reach(self, person: Person) -> bool:
        return self.reaches

    async def send_direct(self, person: Person, reply: Reply, *, ref: str, **_: Any) -> Sent:
        if self.fails is not None:
            raise self.fails
        self.sent.append((person.initials, ref))
        return Sent(self.platform, person.initials)


def bot_with(*senders: FakeSender, people: list[Person]) -> Any:
    org = Organisation(units={}, people={p.initials: p for p in people})
    settings = Settings(platforms=[s.platform for s in senders])
    return SimpleNamespace(
        sending=SimpleNamespace(senders={s.platform: s for s in senders}), settings=settings, org=org, texts=T
    )


ARK = Person(initials="ARK", name="Arne Arkiv", email="ark@k.no", unit="TDR", role=Rolle.ARKIV)
AAS = Person(initials="AAS", name="Anne Arkiv", email="aas@k.no", unit="TDR", role=Rolle.ARKIV)
UKA = Person(initials="UKA", name="Unni Karlsen", email="uka@k.no", unit="LMA")
NOTE = Reply((Paragraph("En melding"),), summary="En melding")


def test_a_notice_goes_through_the_first_channel_that_finds_the_person() -> None:
    teams, slack = FakeSender("teams", reaches=False), FakeSender("slack")
    assert asyncio.run(tell(bot_with(teams, slack, people=[ARK]), ARK, NOTE, kind="test")) == "slack"
    assert teams.sent == [] and [who for who, _ in slack.sent] == ["ARK"]


def test_a_channel_that_refuses_for_good_hands_the_notice_on_and_a_crash_is_not_raised() -> None:
    teams = FakeSender("teams", fails=DeliveryError("blokkert", permanent=True))
    slack = FakeSender("slack")
    assert asyncio.run(tell(bot_with(teams, slack, people=[ARK]), ARK, NOTE, kind="test")) == "slack"
    broken = FakeSender("slack", fails=RuntimeError("boom"))
    assert asyncio.run(tell(bot_with(broken, people=[ARK]), ARK, NOTE, kind="test")) is None


def test_every_arkiv_is_told_and_nobody_else_each_message_with_its_own_ref() -> None:
    slack = FakeSender("slack")
    reached = asyncio.run(tell_arkiv(bot_with(slack, people=[ARK, AAS, UKA]), NOTE, kind="test"))
    assert reached == 2
    assert sorted(who for who, _ in slack.sent) == ["AAS", "ARK"]
    assert len({ref for _, ref in slack.sent}) == 2


def test_when_the_runs_cannot_be_read_no_streak_notice_goes_and_nothing_is_raised() -> None:
    """«oppdater» has given its result; the database then fails the streak check: said in the log, not raised."""
    slack = FakeSender("slack")
    bot = bot_with(slack, people=[ARK, AAS])

    def connect() -> None:
        raise OperationalError("SELECT …", {}, Exception("database is locked"))

    bot.connect = connect
    result = SyncResult(status="stored", message="Lista er lagret.", as_of=date(2019, 12, 17), run_id=7)
    asyncio.run(tell_streak(bot, "360", result, told=ARK))
    assert slack.sent == []


# ---- the words -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("oppdater", "oppdater"),
        ("Kan du oppdatere? oppdater lista", "oppdater"),
        ("oppdater restansane", "oppdater"),
        ("update the list", "oppdater"),
        ("oppdater lagre", "oppdater_lagre"),
        ("update save anyway", "oppdater_lagre"),
        ("oppdater avbryt", "oppdater_forkast"),
        ("oppdater forkast", "oppdater_forkast"),
        ("avskrivinger", "avskrivinger"),
        ("write-offs", "avskrivinger"),
        ("any update on my restanser?", "mine"),  # a saksbehandler's words are not the arkiv's command
    ],
)
def test_the_arkivs_words_find_their_commands(text: str, command: str) -> None:
    from bot.commands import build_registry

    parsed = build_registry().parse(text)
    assert parsed is not None and parsed.command.id == command


def test_help_lists_oppdater_and_avskrivinger_for_the_arkiv_only() -> None:
    from bot.commands import build_registry

    registry = build_registry()
    shown = {c.id for c in registry.commands if not c.hidden and c.allows(Rolle.ARKIV)}
    assert {"oppdater", "avskrivinger"} <= shown
    assert not registry.get("oppdater").allows(Rolle.SAKSBEHANDLER)  # type: ignore[union-attr]
    assert not registry.get("avskrivinger").allows(Rolle.LEDER)  # type: ignore[union-attr]
