"""Direct messages to the bot: the same commands as the terminal chat, answered in the DM."""

from __future__ import annotations

import asyncio
import uuid

import sqlalchemy

from adapters.slack.tests.fakes import BOT_ID, BOT_USER, FakeSlack, direct_message, event_callback
from adapters.slack.tests.harness import KARI, STRANGER, Server, all_text, slack_env, start_server
from restanse_core.model import Person
from restanse_core.store import repository


async def test_mine_restanser_in_a_dm_is_answered_in_that_dm(server: Server, fake_slack: FakeSlack) -> None:
    response = await server.event(direct_message(KARI[0], "mine restanser"))
    assert response.status == 200
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert posted["channel"] == "D" + KARI[0]
    assert posted["text"] == "Du har 96 restanser per 16.12.2019."
    blocks = posted["blocks"]
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Dine restanser"}}
    text = all_text(blocks)
    assert "2017/5139-754" in text  # the oldest first
    assert "Faktura – purring" in text  # titles are fine in a DM
    assert "… og 86 til." in text
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert {"mine.page", "guide", "guide.link"} <= {b["action_id"] for b in buttons}
    link = next(b for b in buttons if b["action_id"] == "guide.link")
    assert link["url"] == "http://127.0.0.1:3978/guide"


async def test_a_question_in_other_words_reaches_the_same_command(
    server: Server, fake_slack: FakeSlack
) -> None:
    await server.event(direct_message(KARI[0], "Hei! Kan du vise restansene mine?"))
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert "96 restanser" in posted["text"]


async def test_someone_not_in_the_directory_gets_a_clear_answer(
    server: Server, fake_slack: FakeSlack
) -> None:
    await server.event(direct_message(STRANGER[0], "mine restanser"))
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert "finner deg ikke i katalogen" in all_text(posted["blocks"])


async def test_a_user_whose_email_slack_does_not_show_is_unknown(
    server: Server, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("UHIDDEN", None)
    await server.event(direct_message("UHIDDEN", "mine restanser"))
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert "finner deg ikke i katalogen" in all_text(posted["blocks"])


async def test_help_is_open_to_everyone(server: Server, fake_slack: FakeSlack) -> None:
    await server.event(direct_message(STRANGER[0], "hjelp"))
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert "Dette kan jeg hjelpe med" in all_text(posted["blocks"])


async def test_the_bots_own_messages_and_edits_get_no_answer(server: Server, fake_slack: FakeSlack) -> None:
    own = direct_message(BOT_USER, "mine restanser", bot_id=BOT_ID)
    other_bot = direct_message("UOTHERBOT", "mine restanser", bot_id="BOTHER", subtype="bot_message")
    edited = direct_message(KARI[0], "mine restanser", subtype="message_changed")
    for payload in (own, other_bot, edited):
        assert (await server.event(payload)).status == 200
    await server.event(direct_message(KARI[0], "status"))  # a real question, to know the others are done
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert "Status" in all_text(posted["blocks"])
    await asyncio.sleep(0.05)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


async def test_an_event_slack_sends_again_is_answered_once(server: Server, fake_slack: FakeSlack) -> None:
    payload = direct_message(KARI[0], "mine restanser")
    assert (await server.event(payload)).status == 200
    for _ in range(2):
        again = await server.event(payload)  # same event id: Slack's retry
        assert again.status == 200
    await fake_slack.wait_for("chat.postMessage")
    await server.event(direct_message(KARI[0], "status"))
    await fake_slack.wait_for("chat.postMessage", 2)
    await asyncio.sleep(0.05)
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


async def test_a_channel_message_is_not_a_question(server: Server, fake_slack: FakeSlack) -> None:
    event = {
        "type": "message",
        "channel_type": "channel",
        "channel": "C1",
        "user": KARI[0],
        "text": "mine restanser",
    }
    assert (await server.event(event_callback(event))).status == 200
    await server.event(direct_message(KARI[0], "status"))
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert posted["channel"] == "D" + KARI[0]


async def test_who_is_asking_is_looked_up_once_and_remembered_across_restarts(
    db_url: str, fake_slack: FakeSlack
) -> None:
    for round_ in (1, 2):
        running, runner = await start_server(db_url, slack_env(fake_slack))
        try:
            for n in (1, 2):
                await running.event(direct_message(KARI[0], "mine restanser"))
                await fake_slack.wait_for("chat.postMessage", 2 * (round_ - 1) + n)
        finally:
            await running.http.close()
            await runner.cleanup()
            running.runtime.engine.dispose()
    assert len(fake_slack.calls_to("users.info")) == 1


async def test_someone_added_to_the_directory_is_known_at_once(server: Server, fake_slack: FakeSlack) -> None:
    await server.event(direct_message(STRANGER[0], "mine restanser"))
    await fake_slack.wait_for("chat.postMessage")
    with server.runtime.engine.begin() as conn:
        people = list(repository.load_organisation(conn).people.values())
        repository.replace_people(conn, [*people, Person("SOE", "Some One", STRANGER[1], "LMA")])
        repository.bump_directory_version(conn, uuid.uuid4().hex)
    await asyncio.to_thread(server.bot.prepare)  # what serve's watcher does within a second
    await server.event(direct_message(STRANGER[0], "mine restanser"))
    (_, second) = await fake_slack.wait_for("chat.postMessage", 2)
    assert second["text"] == "Du har 0 restanser per 16.12.2019."
    assert "finner deg ikke" not in all_text(second["blocks"])
    assert len(fake_slack.calls_to("users.info")) == 1


async def test_a_dm_event_without_channel_type_is_still_a_dm(server: Server, fake_slack: FakeSlack) -> None:
    event = {
        "type": "message",
        "channel": "D" + KARI[0],
        "user": KARI[0],
        "text": "mine restanser",
        "ts": "1.1",
    }
    await server.event(event_callback(event))
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert posted["channel"] == "D" + KARI[0]


async def test_when_slack_cannot_say_who_is_asking_the_asker_is_told_to_try_again(
    server: Server, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("users.info", "internal_error")
    await server.event(direct_message(KARI[0], "mine restanser"))
    (posted,) = await fake_slack.wait_for("chat.postMessage")
    assert "Prøv igjen om litt" in all_text(posted["blocks"])
    assert "finner deg ikke i katalogen" not in all_text(posted["blocks"])
    await server.event(direct_message(KARI[0], "mine restanser"))  # Slack answers again
    (_, second) = await fake_slack.wait_for("chat.postMessage", 2)
    assert second["text"] == "Du har 96 restanser per 16.12.2019."


async def test_a_known_asker_costs_no_database_writes(server: Server, fake_slack: FakeSlack) -> None:
    await server.event(direct_message(KARI[0], "mine restanser"))  # first contact: identity and DM stored
    await fake_slack.wait_for("chat.postMessage")
    writes: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    sqlalchemy.event.listen(server.runtime.engine, "before_cursor_execute", record)
    try:
        for n in range(2, 5):
            await server.event(direct_message(KARI[0], "mine restanser"))
            await fake_slack.wait_for("chat.postMessage", n)
    finally:
        sqlalchemy.event.remove(server.runtime.engine, "before_cursor_execute", record)
    assert writes == []
