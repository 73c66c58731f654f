"""Where others read along — team channels, group chats — no title, correspondent or per-person list is posted.

Checked at the fake connector: everything the bot sent to the channel conversation, card JSON and all.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from adapters.teams.tests.conftest import KARI, LIV

CHANNEL = "19:lma-generelt@thread.tacv2"
TEAM = "19:lma-team@thread.tacv2"
THREAD = f"{CHANNEL};messageid=1700000000001"


def in_channel(**kwargs):
    return {"kind": "channel", "conversation": THREAD, "team": TEAM, "channel": CHANNEL, **kwargs}


def sensitive_strings(engine, initials: str | None = None, unit: str | None = None) -> set[str]:
    """Titles and ids of restanser, and names of saksbehandlere: what must never reach a channel."""
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT jp_id, title, public_title FROM restanser WHERE (:i IS NULL OR saksbehandler = :i)"),
            {"i": initials},
        ).all()
        names = conn.execute(
            text("SELECT name FROM people WHERE role = 'saksbehandler' AND (:u IS NULL OR unit_code = :u)"),
            {"u": unit},
        ).scalars()
        found = (
            {r.jp_id for r in rows}
            | {r.title for r in rows if r.title}
            | {r.public_title for r in rows if r.public_title}
        )
        return found | set(names)


def own_count(engine, initials: str) -> int:
    with engine.connect() as conn:
        latest = conn.execute(text("SELECT max(id) FROM snapshots")).scalar_one()
        return conn.execute(
            text("SELECT count(*) FROM restanser WHERE snapshot_id = :s AND saksbehandler = :i"),
            {"s": latest, "i": initials},
        ).scalar_one()


def leaks(calls, secrets: set[str]) -> set[str]:
    sent = " ".join(c.text for c in calls)
    return {s for s in secrets if s and len(s) > 3 and s in sent}


@pytest.mark.parametrize("question", ["mine restanser", "Kan du vise mine restanser?"])
async def test_own_restanser_asked_in_a_channel_go_privately_and_the_channel_gets_a_note(
    question, say, connector, engine
):
    replies = await say(question, user=KARI[0], **in_channel())
    channel = connector.sent_to(THREAD)
    assert len(channel) == 1 and "sendt deg svaret privat" in channel[0].text
    assert leaks(channel, sensitive_strings(engine, initials="KAB")) == set()
    assert (
        f"{own_count(engine, 'KAB')} restanser" not in channel[0].text
    )  # not even her count, nor in the summary
    # The full answer went to Kari alone, in a 1:1 the bot created for her (created first, then sent).
    [created] = connector.created
    assert created.body["members"] == [{"id": KARI[0]}]
    private = [r for r in replies if r.conversation != THREAD]
    assert len(private) == 1 and "Dine restanser" in private[0].text
    assert leaks(private, sensitive_strings(engine, initials="KAB"))  # titles are there, where they belong


async def test_a_leaders_unit_question_in_a_channel_shows_totals_but_no_per_person_list(
    say, connector, engine
):
    await say("enhet LMA", user=LIV[0], **in_channel())
    [channel] = connector.sent_to(THREAD)
    assert "LMA" in channel.text and "583" in channel.text  # the unit's total is fine to show
    assert leaks([channel], sensitive_strings(engine, unit="LMA")) == set()
    [private] = [c for c in connector.activities if c.conversation != THREAD]
    assert "Fordeling per saksbehandler" in private.text and "Kari Aune Brattås" in private.text


async def test_group_chats_are_treated_like_channels(say, connector, engine):
    group = "19:meeting_abc@thread.v2"
    await say("mine restanser", user=KARI[0], kind="groupChat", conversation=group)
    in_group = connector.sent_to(group)
    assert len(in_group) == 1 and leaks(in_group, sensitive_strings(engine, initials="KAB")) == set()


async def test_next_page_pressed_in_a_channel_still_answers_privately(say, connector, engine):
    await say(None, user=KARI[0], value={"restansebot": "mine.page", "value": "10"}, **in_channel())
    assert leaks(connector.sent_to(THREAD), sensitive_strings(engine, initials="KAB")) == set()
    assert any("Dine restanser" in c.text for c in connector.activities if c.conversation != THREAD)


async def test_when_the_private_answer_cannot_be_delivered_the_channel_says_so_without_details(
    say, connector, engine
):
    connector.fail(r"^/v3/conversations$", 403)  # the person has blocked the bot's 1:1
    await say("mine restanser", user=KARI[0], **in_channel())
    [channel] = connector.sent_to(THREAD)
    assert "fikk ikke sendt det til deg privat" in channel.text
    assert "sendt deg svaret privat" not in channel.text
    assert leaks([channel], sensitive_strings(engine, initials="KAB")) == set()
