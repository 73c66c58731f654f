"""Mentions in channels: the channel gets what anyone may read; titles, names and per-person lists go
to the asker privately. Checked at the fake Slack, on everything that reached a channel."""

from __future__ import annotations

from adapters.slack.tests.fakes import Call, FakeSlack, mention
from adapters.slack.tests.harness import KARI, LIV, Server, all_text
from restanse_core import reports

CHANNEL = "CLMA"


def _kari_titles_and_ids(server: Server) -> tuple[list[str], list[str]]:
    bot = server.bot
    period = bot.period
    assert period is not None
    with bot.connect() as conn:
        mine = reports.oldest(conn, period.current.id, "KAB", 200)
    return [r.shown_title for r in mine if r.shown_title], [r.jp_id for r in mine]


def _in_channel(fake: FakeSlack) -> list[Call]:
    return [c for c in fake.calls_to("chat.postMessage") if str(c["channel"]).startswith("C")]


async def test_mine_restanser_asked_in_a_channel_goes_to_the_asker_privately(
    server: Server, fake_slack: FakeSlack
) -> None:
    await server.event(mention(KARI[0], CHANNEL, "mine restanser"))
    posts = await fake_slack.wait_for("chat.postMessage", 2)
    (public,) = _in_channel(fake_slack)
    (private,) = [c for c in posts if c is not public]
    assert private["channel"] == "D" + KARI[0]
    assert "Faktura – purring" in all_text(private["blocks"])
    assert "Jeg har sendt deg svaret privat" in all_text(public["blocks"])
    titles, ids = _kari_titles_and_ids(server)
    seen = public.everything
    assert not [t for t in titles if t in seen]
    assert not [i for i in ids if i in seen]
    assert "96" not in public["text"] and "96" not in all_text(public["blocks"])  # her count is hers alone


async def test_a_leaders_unit_question_in_a_channel_keeps_the_per_person_list_private(
    server: Server, fake_slack: FakeSlack
) -> None:
    await server.event(mention(LIV[0], CHANNEL, "enhet LMA"))
    await fake_slack.wait_for("chat.postMessage", 2)
    (public,) = _in_channel(fake_slack)
    (private,) = [c for c in fake_slack.calls_to("chat.postMessage") if c is not public]
    assert "583" in all_text(public["blocks"])  # the unit's count is for everyone
    assert "Fordeling per saksbehandler" not in public.everything
    people = [p for p in server.bot.org.people.values() if p.unit == "LMA"]
    assert not [p.name for p in people if p.name in public.everything]
    assert "Kari Aune Brattås" in all_text(private["blocks"])
    assert private["channel"] == "D" + LIV[0]


async def test_an_answer_with_nothing_private_stays_in_the_channel(
    server: Server, fake_slack: FakeSlack
) -> None:
    await server.event(mention(KARI[0], CHANNEL, "oversikt"))
    (public,) = await fake_slack.wait_for("chat.postMessage")
    assert public["channel"] == CHANNEL
    assert "Restanser per enhet" in all_text(public["blocks"])


async def test_a_mention_in_a_thread_is_answered_in_the_thread(server: Server, fake_slack: FakeSlack) -> None:
    await server.event(mention(KARI[0], CHANNEL, "status", thread_ts="1700000000.000001"))
    (public,) = await fake_slack.wait_for("chat.postMessage")
    assert public["channel"] == CHANNEL
    assert public["thread_ts"] == "1700000000.000001"


async def test_nothing_from_a_persons_list_reaches_any_channel(server: Server, fake_slack: FakeSlack) -> None:
    for text in ("mine restanser", "enhet LMA", "oversikt", "guide", "hjelp", "status"):
        await server.event(mention(KARI[0], CHANNEL, text))
        await server.event(mention(LIV[0], CHANNEL, text))
    await fake_slack.wait_for("chat.postMessage", 12, where=lambda c: str(c["channel"]).startswith("C"))
    titles, ids = _kari_titles_and_ids(server)
    for call in _in_channel(fake_slack):
        assert not [t for t in titles if t in call.everything]
        assert not [i for i in ids if i in call.everything]
        assert "Fordeling per saksbehandler" not in call.everything


async def test_when_the_dm_cannot_be_opened_the_private_part_is_shown_to_the_asker_alone(
    server: Server, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("conversations.open", "internal_error")
    await server.event(mention(KARI[0], CHANNEL, "mine restanser"))
    (ephemeral,) = await fake_slack.wait_for("chat.postEphemeral")
    assert ephemeral["channel"] == CHANNEL and ephemeral["user"] == KARI[0]
    assert "Faktura – purring" in all_text(ephemeral["blocks"])
