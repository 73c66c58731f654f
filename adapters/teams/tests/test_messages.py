"""A person in Teams asks and presses buttons; the answers arrive at the connector as Adaptive Cards."""

from __future__ import annotations

import asyncio
import dataclasses

from sqlalchemy import select, text

from adapters.teams.tests.conftest import ANONYMOUS, KARI, UNKNOWN, Server, make_runtime, start_server
from adapters.teams.tests.fakes import FakeConnector, activity
from bot.store.tables import ChatIdentityRow
from restanse_core.store import repository


def submit_actions(card: dict) -> list[dict]:
    out = []
    for element in card["body"]:
        if element.get("type") == "ActionSet":
            out += [a for a in element["actions"] if a["type"] == "Action.Submit"]
    return out


async def test_question_in_the_personal_chat_is_answered_with_a_card_at_the_service_url(say, connector):
    [reply] = await say("mine restanser")
    assert reply.path == "/v3/conversations/a:kari/activities/1700000000001"  # a reply to the question
    assert reply.authorization is None  # anonymous mode: no token on the way out either
    card = reply.card
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert "Dine restanser" in reply.text
    assert "restanser per 16.12.2019" in card["fallbackText"]  # the plain-text fallback rides along
    assert reply.body["summary"].startswith("Du har")


async def test_the_next_page_button_shows_the_next_restanser(say):
    [first] = await say("mine restanser")
    [next_page] = [a for a in submit_actions(first.card) if a["data"]["restansebot"] == "mine.page"]
    [second] = await say(None, value=next_page["data"], activity_id="1700000000002")
    first_ids = {
        c["items"][0]["text"].split("**")[1] for c in first.card["body"] if c.get("type") == "Container"
    }
    second_ids = {
        c["items"][0]["text"].split("**")[1] for c in second.card["body"] if c.get("type") == "Container"
    }
    assert first_ids and second_ids and not first_ids & second_ids


async def test_items_open_in_the_records_system_and_the_guide_opens_on_the_server(say):
    [reply] = await say("mine restanser")
    containers = [c for c in reply.card["body"] if c.get("type") == "Container"]
    assert containers[0]["selectAction"]["url"].startswith("https://elements.example/jp/")
    links = [a for e in reply.card["body"] if e.get("type") == "ActionSet" for a in e["actions"]]
    assert {
        "type": "Action.OpenUrl",
        "title": "Slik avskriver du restanser",
        "url": "http://127.0.0.1:3978/guide",
    } in links


async def test_the_show_guide_button_answers_with_the_guide(say):
    [reply] = await say(None, value={"restansebot": "guide", "value": ""})
    assert "Avskriving av restanser" in reply.text


async def test_action_execute_presses_are_answered_and_acknowledged(server: Server, connector: FakeConnector):
    body = activity(None, service_url=connector.url, type="invoke", name="adaptiveCard/action",
                    value={"action": {"type": "Action.Execute", "verb": "guide", "data": {"restansebot": "guide"}}})  # fmt: skip
    async with server.session.post(server.url + "/api/messages", json=body) as response:
        assert response.status == 200
        assert (await response.json())["statusCode"] == 200
    assert "Avskriving av restanser" in connector.activities[-1].text


async def test_someone_not_in_the_directory_is_told_to_contact_the_archive(say):
    [reply] = await say("mine restanser", user=UNKNOWN[0], conversation="a:ukjent")
    assert "Jeg finner deg ikke i katalogen" in reply.text


async def test_words_it_does_not_know_get_a_hint(say):
    [reply] = await say("hva er klokka")
    assert "Skriv «hjelp»" in reply.text


async def test_the_member_is_looked_up_once_then_remembered_in_memory_and_database(engine, connector, say):
    await say("mine restanser")
    await say("status", activity_id="1700000000002")
    assert len(connector.lookups) == 1
    with engine.connect() as conn:
        row = conn.execute(select(ChatIdentityRow).where(ChatIdentityRow.user_id == KARI[0])).one()
    assert (row.email, row.initials) == (KARI[1], "KAB")
    # A restarted server knows Kari without asking Teams.
    connector.clear()
    runtime = make_runtime(engine, dict(ANONYMOUS))
    assert runtime.app is not None
    restarted = await start_server(runtime.app, runtime)
    try:
        await restarted.post(activity("mine restanser", service_url=connector.url))
    finally:
        await restarted.stop()
    assert connector.lookups == [] and "Dine restanser" in connector.activities[-1].text


async def test_an_ordinary_question_writes_nothing(engine, say):
    await say("mine restanser")

    def snapshot() -> list[tuple]:
        with engine.connect() as conn:
            return [
                *conn.execute(text("SELECT key, reference, updated_at FROM conversations ORDER BY key")),
                *conn.execute(
                    text("SELECT user_id, email, updated_at FROM chat_identities ORDER BY user_id")
                ),
            ]

    before = snapshot()
    await say("mine restanser", activity_id="1700000000002")
    await say(None, value={"restansebot": "guide"}, activity_id="1700000000003")
    assert snapshot() == before and before


async def test_a_reply_that_teams_throttles_is_sent_again(connector, say):
    connector.fail(r"/activities", 429, retry_after="0")
    replies = await say("status")
    assert [r.body.get("attachments") is not None for r in replies] == [
        True,
        True,
    ]  # refused once, then delivered
    assert "Status" in replies[-1].text


async def test_welcome_when_installed_for_a_person(say, engine):
    [welcome] = await say(None, type="installationUpdate", action="add")
    assert "Hei! Jeg er Restansebot" in welcome.text and "mine restanser" in welcome.text
    assert {"restansebot": "mine", "value": ""} in [a["data"] for a in submit_actions(welcome.card)]
    with engine.connect() as conn:  # the installation taught the bot Kari's address, for the monthly message
        assert conn.execute(text("SELECT email FROM chat_identities")).scalar_one() == KARI[1]


async def test_welcome_when_installed_in_a_team(say):
    [welcome] = await say(None, type="installationUpdate", action="add", kind="channel",
                          conversation="19:general@thread.tacv2", team="19:general@thread.tacv2")  # fmt: skip
    assert "bli med i teamet" in welcome.text and "bare tall" in welcome.text


async def test_no_welcome_on_upgrade_or_removal(say):
    assert await say(None, type="installationUpdate", action="add-upgrade") == []
    assert await say(None, type="installationUpdate", action="remove") == []


async def test_someone_added_to_the_directory_later_is_known_without_asking_teams_again(
    server, say, connector, engine
):
    [before] = await say("mine restanser", user=UNKNOWN[0], conversation="a:ukjent")
    assert "finner deg ikke i katalogen" in before.text
    bot = server.runtime.bot
    kari = bot.person("KAB")
    with (
        engine.begin() as conn
    ):  # the archive corrects Kari's address in the directory to the one Teams knows
        people = [
            p if p.initials != "KAB" else dataclasses.replace(p, email=UNKNOWN[1])
            for p in bot.org.people.values()
        ]
        repository.replace_people(conn, people)
        repository.bump_directory_version(conn, "rettet e-post")
    await asyncio.to_thread(bot.prepare)  # what serve's watcher does within a second
    [after] = await say(
        "mine restanser", user=UNKNOWN[0], conversation="a:ukjent", activity_id="1700000000002"
    )
    assert "Dine restanser" in after.text and kari is not None
    assert len(connector.lookups) == 1


async def test_a_member_teams_cannot_find_is_not_asked_about_on_every_message(say, connector):
    [first] = await say("mine restanser", user="29:gjest", conversation="a:gjest")
    [second] = await say(
        "mine restanser", user="29:gjest", conversation="a:gjest", activity_id="1700000000002"
    )
    assert "finner deg ikke i katalogen" in first.text and "finner deg ikke i katalogen" in second.text
    assert len(connector.lookups) == 1  # the 404 is remembered for a while (in memory only)
